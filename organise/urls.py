"""Organiser URLs under /organise/ (namespace "organise")."""

from django.urls import path

from . import views

app_name = "organise"

E = "<slug:group>/<slug:event>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("<slug:group>/", views.group_home, name="group"),
    path("<slug:group>/new-event/", views.event_create, name="event_create"),
    path("<slug:group>/organisers/", views.organisers, name="organisers"),
    path("<slug:group>/organisers/invite/", views.organiser_invite, name="organiser_invite"),
    path(
        "<slug:group>/organisers/<int:user_id>/remove/",
        views.organiser_remove,
        name="organiser_remove",
    ),
    path(
        "<slug:group>/organisers/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(E, views.dashboard, name="dashboard"),
    path(E + "edit/", views.event_edit, name="event_edit"),
    path(E + "publish/", views.event_publish, name="event_publish"),
    path(E + "cancel/", views.event_cancel, name="event_cancel"),
    path(E + "duplicate/", views.event_duplicate, name="event_duplicate"),
    path(E + "panels/<slug:name>/", views.panel, name="panel"),
    path(E + "actions/rsvps/", views.action_rsvps, name="action_rsvps"),
    path(E + "actions/live/", views.action_live, name="action_live"),
    path(E + "actions/current-talk/", views.action_current_talk, name="action_current_talk"),
    path(E + "message/", views.message_compose, name="message"),
    path(E + "export/<slug:what>.csv", views.export_csv, name="export"),
]
