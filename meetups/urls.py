from django.urls import path

from . import views

app_name = "meetups"

urlpatterns = [
    path("events/past/", views.event_archive, name="event_archive"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/calendar.ics", views.event_ics, name="event_ics"),
    path("talks/<slug:slug>/", views.talk_detail, name="talk_detail"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker_detail"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/calendar.ics", views.group_ics, name="group_ics"),
]

# Call for talks: ideas, proposals, voting, organiser review and line-up (meetups/views_cfp.py).
from . import views_cfp  # noqa: E402

urlpatterns += [
    path("groups/<slug:slug>/ideas/", views_cfp.idea_board, name="idea_board"),
    path("groups/<slug:slug>/ideas/<int:pk>/", views_cfp.idea_detail, name="idea_detail"),
    path("groups/<slug:slug>/ideas/<int:pk>/vote/", views_cfp.idea_vote, name="idea_vote"),
    path("groups/<slug:slug>/ideas/<int:pk>/delete/", views_cfp.idea_delete, name="idea_delete"),
    path("groups/<slug:slug>/propose/", views_cfp.proposal_create, name="proposal_create"),
    path("groups/<slug:slug>/vote/", views_cfp.voting, name="voting"),
    path("groups/<slug:slug>/vote/tallies/", views_cfp.voting_tallies, name="voting_tallies"),
    path("groups/<slug:slug>/review/", views_cfp.review_list, name="review_list"),
    path("groups/<slug:slug>/review/<int:pk>/", views_cfp.review_detail, name="review_detail"),
    path("groups/<slug:slug>/review/<int:pk>/score/", views_cfp.review_score, name="review_score"),
    path(
        "groups/<slug:slug>/review/<int:pk>/decide/", views_cfp.review_decide, name="review_decide"
    ),
    path(
        "groups/<slug:slug>/review/<int:pk>/schedule/",
        views_cfp.review_schedule,
        name="review_schedule",
    ),
    path("groups/<slug:slug>/lineup/<slug:event_slug>/", views_cfp.lineup, name="lineup"),
    path("groups/<slug:slug>/call-for-talks/", views_cfp.cfp_settings, name="cfp_settings"),
    path("proposals/", views_cfp.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/", views_cfp.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views_cfp.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/withdraw/", views_cfp.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/vote/", views_cfp.proposal_vote, name="proposal_vote"),
    path("proposals/<int:pk>/co-speakers/", views_cfp.co_speaker_invite, name="co_speaker_invite"),
    path(
        "proposals/<int:pk>/co-speakers/<int:invitation_pk>/remove/",
        views_cfp.co_speaker_remove,
        name="co_speaker_remove",
    ),
    path("invitations/<str:token>/", views_cfp.invitation, name="invitation"),
    path("speaker-profile/", views_cfp.speaker_profile, name="speaker_profile"),
    path("speakers/<slug:slug>/photo/", views_cfp.speaker_photo, name="speaker_photo"),
]
