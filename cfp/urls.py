"""Call for talks: ideas, proposals, voting, organiser review and line-up."""

from django.urls import path

from .views import ideas, lineup, proposals, review, speaker, voting

app_name = "cfp"

urlpatterns = [
    path("groups/<slug:slug>/ideas/", ideas.idea_board, name="idea_board"),
    path("groups/<slug:slug>/ideas/<id:pk>/", ideas.idea_detail, name="idea_detail"),
    path("groups/<slug:slug>/ideas/<id:pk>/vote/", ideas.idea_vote, name="idea_vote"),
    path("groups/<slug:slug>/ideas/<id:pk>/delete/", ideas.idea_delete, name="idea_delete"),
    path("groups/<slug:slug>/propose/", proposals.proposal_create, name="proposal_create"),
    path("groups/<slug:slug>/vote/", voting.voting, name="voting"),
    path("groups/<slug:slug>/vote/tallies/", voting.voting_tallies, name="voting_tallies"),
    path("groups/<slug:slug>/review/", review.review_list, name="review_list"),
    path("groups/<slug:slug>/review/<id:pk>/", review.review_detail, name="review_detail"),
    path("groups/<slug:slug>/review/<id:pk>/score/", review.review_score, name="review_score"),
    path("groups/<slug:slug>/review/<id:pk>/decide/", review.review_decide, name="review_decide"),
    path(
        "groups/<slug:slug>/review/<id:pk>/schedule/",
        review.review_schedule,
        name="review_schedule",
    ),
    path("groups/<slug:slug>/lineup/<slug:event_slug>/", lineup.lineup, name="lineup"),
    path("groups/<slug:slug>/call-for-talks/", review.cfp_settings, name="settings"),
    path("proposals/", proposals.my_proposals, name="my_proposals"),
    path("proposals/<id:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path("proposals/<id:pk>/edit/", proposals.proposal_edit, name="proposal_edit"),
    path("proposals/<id:pk>/withdraw/", proposals.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<id:pk>/resubmit/", proposals.proposal_resubmit, name="proposal_resubmit"),
    path("proposals/<id:pk>/vote/", voting.proposal_vote, name="proposal_vote"),
    path("proposals/<id:pk>/co-speakers/", proposals.co_speaker_invite, name="co_speaker_invite"),
    path(
        "proposals/<id:pk>/co-speakers/<id:invitation_pk>/remove/",
        proposals.co_speaker_remove,
        name="co_speaker_remove",
    ),
    path("invitations/<str:token>/", proposals.invitation, name="invitation"),
    path("speaker-profile/", speaker.speaker_profile, name="speaker_profile"),
    path("speakers/<slug:slug>/photo/", speaker.speaker_photo, name="speaker_photo"),
]
