"""Call for talks: ideas, proposals, voting, organiser review and line-up."""

from django.urls import path

from . import views

app_name = "cfp"

urlpatterns = [
    path("groups/<slug:slug>/ideas/", views.idea_board, name="idea_board"),
    path("groups/<slug:slug>/ideas/<int:pk>/", views.idea_detail, name="idea_detail"),
    path("groups/<slug:slug>/ideas/<int:pk>/vote/", views.idea_vote, name="idea_vote"),
    path("groups/<slug:slug>/ideas/<int:pk>/delete/", views.idea_delete, name="idea_delete"),
    path("groups/<slug:slug>/propose/", views.proposal_create, name="proposal_create"),
    path("groups/<slug:slug>/vote/", views.voting, name="voting"),
    path("groups/<slug:slug>/vote/tallies/", views.voting_tallies, name="voting_tallies"),
    path("groups/<slug:slug>/review/", views.review_list, name="review_list"),
    path("groups/<slug:slug>/review/<int:pk>/", views.review_detail, name="review_detail"),
    path("groups/<slug:slug>/review/<int:pk>/score/", views.review_score, name="review_score"),
    path("groups/<slug:slug>/review/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path(
        "groups/<slug:slug>/review/<int:pk>/schedule/",
        views.review_schedule,
        name="review_schedule",
    ),
    path("groups/<slug:slug>/lineup/<slug:event_slug>/", views.lineup, name="lineup"),
    path("groups/<slug:slug>/call-for-talks/", views.cfp_settings, name="settings"),
    path("proposals/", views.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/vote/", views.proposal_vote, name="proposal_vote"),
    path("proposals/<int:pk>/co-speakers/", views.co_speaker_invite, name="co_speaker_invite"),
    path(
        "proposals/<int:pk>/co-speakers/<int:invitation_pk>/remove/",
        views.co_speaker_remove,
        name="co_speaker_remove",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("speaker-profile/", views.speaker_profile, name="speaker_profile"),
    path("speakers/<slug:slug>/photo/", views.speaker_photo, name="speaker_photo"),
]
