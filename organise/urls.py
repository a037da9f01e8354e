"""Organiser URLs under /organise/ (namespace "organise")."""

from django.urls import path

from .views import dashboard, events, exports, groups, messages, people
from .views import members as member_views

app_name = "organise"

E = "<slug:group>/<slug:event>/"

urlpatterns = [
    path("", groups.index, name="index"),
    path("invitations/<str:token>/", people.invitation_accept, name="invitation_accept"),
    path("<slug:group>/", groups.group_home, name="group"),
    path("<slug:group>/new-event/", events.event_create, name="event_create"),
    path("<slug:group>/organisers/", people.organisers, name="organisers"),
    path("<slug:group>/organisers/invite/", people.organiser_invite, name="organiser_invite"),
    path(
        "<slug:group>/organisers/<id:user_id>/remove/",
        people.organiser_remove,
        name="organiser_remove",
    ),
    path(
        "<slug:group>/organisers/invitations/<id:pk>/revoke/",
        people.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<slug:group>/members/", member_views.members, name="members"),
    path("<slug:group>/members/policy/", member_views.group_policy, name="group_policy"),
    path(
        "<slug:group>/members/<id:membership_id>/remove/",
        member_views.member_remove,
        name="member_remove",
    ),
    path(
        "<slug:group>/members/<id:membership_id>/ban/", member_views.member_ban, name="member_ban"
    ),
    path(
        "<slug:group>/members/<id:membership_id>/unban/",
        member_views.member_unban,
        name="member_unban",
    ),
    path(E, dashboard.dashboard, name="dashboard"),
    path(E + "edit/", events.event_edit, name="event_edit"),
    path(E + "who-may-take-part/", member_views.event_policy, name="event_policy"),
    path(E + "publish/", events.event_publish, name="event_publish"),
    path(E + "cancel/", events.event_cancel, name="event_cancel"),
    path(E + "duplicate/", events.event_duplicate, name="event_duplicate"),
    path(E + "panels/<slug:name>/", dashboard.panel, name="panel"),
    path(E + "actions/rsvps/", dashboard.action_rsvps, name="action_rsvps"),
    path(E + "actions/live/", dashboard.action_live, name="action_live"),
    path(E + "actions/current-talk/", dashboard.action_current_talk, name="action_current_talk"),
    path(E + "message/", messages.message_compose, name="message"),
    path(E + "export/<slug:what>.csv", exports.export_csv, name="export"),
]
