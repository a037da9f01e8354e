"""Call-for-talks services: the rules and the database constraints behind them."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cfp import rules, services
from cfp.models import CallForTalks, IdeaVote, Proposal, ProposalSpeaker, ProposalVote, Review
from meetups.models import Speaker, Talk
from portal.errors import Kind, ServiceError
from tests import factories
from tests.cfp.conftest import submit

pytestmark = pytest.mark.django_db
Status = Proposal.Status

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@contextmanager
def refused(kind: Kind, match: str | None = None):
    """The service says no, with this kind (which decides the status on every route)."""
    with pytest.raises(ServiceError, match=match) as info:
        yield info
    assert info.value.kind == kind


# --- ideas ----------


def test_idea_create_by_member_when_group_allows(group, member):
    idea = services.idea_create(user=member, group=group, title="  Django 6 ", description="x")
    assert (idea.title, idea.author) == ("Django 6", member)


def test_idea_create_by_member_refused_when_organisers_only(group, member, organiser):
    CallForTalks.objects.create(group=group, members_may_post_ideas=False)
    with refused(Kind.FORBIDDEN):
        services.idea_create(user=member, group=group, title="Django 6")
    idea = services.idea_create(user=organiser, group=group, title="Django 6")
    assert idea.author == organiser


def test_idea_create_duplicate_title_refused(group, member, idea):
    with refused(Kind.INVALID):
        services.idea_create(user=member, group=group, title="channels WITH htmx")


def test_idea_vote_toggle_adds_then_removes(idea, member):
    assert services.idea_vote_toggle(user=member, idea=idea) is True
    assert IdeaVote.objects.filter(idea=idea).count() == 1
    assert services.idea_vote_toggle(user=member, idea=idea) is False
    assert IdeaVote.objects.filter(idea=idea).count() == 0


def test_idea_vote_unique_constraint_once_per_user(idea, member):
    IdeaVote.objects.create(idea=idea, user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdeaVote.objects.create(idea=idea, user=member)


def test_idea_delete_by_author_refused_once_proposed(group, member, open_call, speaker_user):
    idea = services.idea_create(user=member, group=group, title="Mine")
    submit(group, speaker_user, idea=idea)
    with refused(Kind.CONFLICT):
        services.idea_delete(user=member, idea=idea)
    with refused(Kind.NOT_FOUND):
        services.idea_delete(user=speaker_user, idea=idea)


# --- proposals: deadlines, fields, edit and withdraw ----------


def test_proposal_submit_default_call_is_open_all_year(group, member):
    proposal = submit(group, member)
    assert proposal.status == Status.SUBMITTED
    # The submitter gets a speaker profile from their account name.
    assert Speaker.objects.get(user=member).name == "member"


def test_proposal_submit_before_call_opens_refused(group, member):
    CallForTalks.objects.create(group=group, opens_at=timezone.now() + timedelta(days=1))
    with refused(Kind.CONFLICT, match="closed"):
        submit(group, member)
    assert Proposal.objects.count() == 0


def test_proposal_submit_after_call_closes_refused(group, member):
    CallForTalks.objects.create(group=group, closes_at=timezone.now() - timedelta(minutes=1))
    with refused(Kind.CONFLICT, match="closed"):
        submit(group, member)


def test_proposal_submit_length_outside_group_lengths_refused(group, member):
    CallForTalks.objects.create(group=group, talk_lengths="5,45")
    with refused(Kind.INVALID, match="5, 45"):
        submit(group, member, length_minutes=20)
    assert submit(group, member, length_minutes=45).length_minutes == 45


def test_proposal_submit_idea_of_other_group_refused(member, idea):
    other = factories.make_group()
    with refused(Kind.INVALID):
        submit(other, member, idea=idea)


def test_proposal_update_by_submitter_while_open(proposal, speaker_user):
    services.proposal_update(
        user=speaker_user, proposal=proposal, title="New title", length_minutes=30
    )
    proposal.refresh_from_db()
    assert (proposal.title, proposal.length_minutes) == ("New title", 30)


def test_proposal_update_by_someone_else_is_404(proposal, member):
    with refused(Kind.NOT_FOUND):
        services.proposal_update(user=member, proposal=proposal, title="Hijack")


def test_proposal_update_after_call_closes_refused(proposal, speaker_user, open_call):
    open_call.closes_at = timezone.now() - timedelta(seconds=1)
    open_call.save()
    with refused(Kind.CONFLICT, match="closed"):
        services.proposal_update(user=speaker_user, proposal=proposal, title="Late")


def test_proposal_withdraw_while_open(proposal, speaker_user):
    services.proposal_withdraw(user=speaker_user, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN


def test_proposal_withdraw_after_accept_refused(proposal, speaker_user, organiser):
    services.proposal_accept(user=organiser, proposal=proposal)
    with refused(Kind.CONFLICT, match="final"):
        services.proposal_withdraw(user=speaker_user, proposal=proposal)


def test_proposal_withdraw_after_call_closes_refused(proposal, speaker_user, open_call):
    open_call.closes_at = timezone.now() - timedelta(seconds=1)
    open_call.save()
    with refused(Kind.CONFLICT):
        services.proposal_withdraw(user=speaker_user, proposal=proposal)


# --- status transitions ----------


@pytest.mark.parametrize(
    ("start", "action", "allowed"),
    [
        (Status.SUBMITTED, "open_voting", True),
        (Status.SUBMITTED, "accept", True),
        (Status.SUBMITTED, "decline", True),
        (Status.IN_VOTING, "accept", True),
        (Status.IN_VOTING, "reopen", True),
        (Status.IN_VOTING, "open_voting", False),
        (Status.ACCEPTED, "decline", True),
        (Status.ACCEPTED, "accept", False),
        (Status.ACCEPTED, "open_voting", False),
        (Status.DECLINED, "accept", False),
        (Status.DECLINED, "reopen", True),
        (Status.WITHDRAWN, "accept", False),
        (Status.WITHDRAWN, "reopen", False),
        (Status.SCHEDULED, "decline", False),
        (Status.SCHEDULED, "unschedule", True),
    ],
)
def test_proposal_transition_matrix(proposal, organiser, start, action, allowed):
    Proposal.objects.filter(pk=proposal.pk).update(status=start)
    proposal.refresh_from_db()
    call = getattr(services, f"proposal_{action}")
    if allowed:
        call(user=organiser, proposal=proposal)
        proposal.refresh_from_db()
        assert proposal.status != start or action == "unschedule"
    else:
        with refused(Kind.CONFLICT):
            call(user=organiser, proposal=proposal)
        proposal.refresh_from_db()
        assert proposal.status == start


def test_proposal_decision_by_other_groups_organiser_is_404(proposal, other_organiser):
    with refused(Kind.NOT_FOUND):
        services.proposal_accept(user=other_organiser, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_proposal_accept_emails_speakers_with_message(
    proposal, organiser, speaker_user, member, django_capture_on_commit_callbacks
):
    invitation = services.co_speaker_invite(
        user=speaker_user, proposal=proposal, email=member.email
    )
    services.co_speaker_accept(user=member, token=invitation.token)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_accept(user=organiser, proposal=proposal, message="See you in March!")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [speaker_user.email, member.email]
    assert message.subject == "Your talk “Live pages with Channels” is accepted"
    assert "See you in March!" in message.body


def test_proposal_decline_emails_submitter(
    proposal, organiser, speaker_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decline(user=organiser, proposal=proposal, message="Too long for us.")
    assert [m.to for m in mail.outbox] == [[speaker_user.email]]
    assert "Too long for us." in mail.outbox[0].body
    proposal.refresh_from_db()
    assert proposal.decision_message == "Too long for us."


# --- co-speakers ----------


def test_co_speaker_invite_emails_an_unguessable_link(
    proposal, speaker_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.co_speaker_invite(
            user=speaker_user, proposal=proposal, email="Ada@Example.com"
        )
    assert invitation.email == "ada@example.com"
    assert len(invitation.token) >= 40
    assert mail.outbox[0].to == ["ada@example.com"]
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body


def test_co_speaker_accept_is_single_use(proposal, speaker_user, member):
    invitation = services.co_speaker_invite(user=speaker_user, proposal=proposal, email="a@b.co")
    services.co_speaker_accept(user=member, token=invitation.token)
    invitation.refresh_from_db()
    assert (invitation.user, invitation.status) == (member, ProposalSpeaker.Status.ACCEPTED)
    with refused(Kind.NOT_FOUND):
        services.co_speaker_accept(user=factories.make_user(), token=invitation.token)


def test_co_speaker_invite_by_non_submitter_is_404(proposal, member):
    with refused(Kind.NOT_FOUND):
        services.co_speaker_invite(user=member, proposal=proposal, email="x@y.co")


# --- audience voting ----------


def test_proposal_vote_once_per_person(voting_proposal, member):
    assert services.proposal_vote_add(user=member, proposal=voting_proposal) is True
    assert services.proposal_vote_add(user=member, proposal=voting_proposal) is False
    assert ProposalVote.objects.filter(proposal=voting_proposal).count() == 1


def test_proposal_vote_unique_constraint(voting_proposal, member):
    ProposalVote.objects.create(proposal=voting_proposal, user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalVote.objects.create(proposal=voting_proposal, user=member)


def test_proposal_vote_toggle_and_remove(voting_proposal, member):
    assert services.proposal_vote_toggle(user=member, proposal=voting_proposal) is True
    assert services.proposal_vote_toggle(user=member, proposal=voting_proposal) is False
    assert services.proposal_vote_remove(user=member, proposal=voting_proposal) is False
    assert ProposalVote.objects.count() == 0


def test_proposal_vote_on_submitted_proposal_is_404(proposal, member):
    with refused(Kind.NOT_FOUND):
        services.proposal_vote_add(user=member, proposal=proposal)


def test_proposal_vote_after_window_closes_refused(voting_proposal, member, open_call):
    open_call.voting_closes_at = timezone.now() - timedelta(seconds=1)
    open_call.save()
    with refused(Kind.CONFLICT, match="closed"):
        services.proposal_vote_add(user=member, proposal=voting_proposal)


def test_proposal_vote_before_window_opens_refused(voting_proposal, member, open_call):
    open_call.voting_opens_at = timezone.now() + timedelta(hours=1)
    open_call.save()
    with refused(Kind.CONFLICT):
        services.proposal_vote_add(user=member, proposal=voting_proposal)


def test_tallies_visible_public_or_after_close(open_call):
    now = timezone.now()
    assert open_call.tallies_visible(now) is True
    open_call.tallies = CallForTalks.Tallies.ON_CLOSE
    assert open_call.tallies_visible(now) is False
    assert open_call.tallies_visible(now + timedelta(days=8)) is True


# --- reviews and the line-up ----------


def test_review_save_updates_the_organisers_own_review(proposal, organiser):
    services.review_save(user=organiser, proposal=proposal, score=2, note="ok")
    services.review_save(user=organiser, proposal=proposal, score=5, note="great")
    assert list(Review.objects.values_list("score", "note")) == [(5, "great")]


def test_review_score_outside_1_to_5_refused(proposal, organiser):
    with refused(Kind.INVALID):
        services.review_save(user=organiser, proposal=proposal, score=6, note="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(proposal=proposal, reviewer=organiser, score=0)


def test_review_by_member_is_404(proposal, member):
    with refused(Kind.NOT_FOUND):
        services.review_save(user=member, proposal=proposal, score=3, note="")


def test_proposal_schedule_creates_talk_with_speakers(proposal, organiser, speaker_user, event):
    co = factories.make_user(username="co", first_name="Cora")
    invitation = services.co_speaker_invite(user=speaker_user, proposal=proposal, email=co.email)
    services.co_speaker_accept(user=co, token=invitation.token)
    factories.make_talk(event=event, title="Opening", order=1)
    services.proposal_accept(user=organiser, proposal=proposal)

    talk = services.proposal_schedule(user=organiser, proposal=proposal, event=event)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.event, proposal.talk) == (Status.SCHEDULED, event, talk)
    assert (talk.title, talk.duration_minutes, talk.order) == ("Live pages with Channels", 20, 2)
    assert sorted(s.user.username for s in talk.speakers.all()) == ["co", "speaker"]
    assert Speaker.objects.get(user=speaker_user).name == "Sam Speaker"


def test_proposal_schedule_on_other_groups_event_is_404(proposal, organiser):
    services.proposal_accept(user=organiser, proposal=proposal)
    with refused(Kind.NOT_FOUND):
        services.proposal_schedule(user=organiser, proposal=proposal, event=factories.make_event())


def test_proposal_schedule_before_accept_refused(proposal, organiser, event):
    with refused(Kind.CONFLICT):
        services.proposal_schedule(user=organiser, proposal=proposal, event=event)
    assert Talk.objects.count() == 0


def test_proposal_unschedule_deletes_the_talk(proposal, organiser, event):
    services.proposal_accept(user=organiser, proposal=proposal)
    services.proposal_schedule(user=organiser, proposal=proposal, event=event)
    services.proposal_unschedule(user=organiser, proposal=proposal)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.talk, Talk.objects.count()) == (Status.ACCEPTED, None, 0)


def test_agenda_move_renumbers(organiser, event):
    a = factories.make_talk(event=event, title="A", order=5)
    factories.make_talk(event=event, title="B", order=5)
    c = factories.make_talk(event=event, title="C", order=9)
    services.agenda_move(user=organiser, talk=c, direction="up")
    order = list(Talk.objects.filter(event=event).order_by("order").values_list("title", "order"))
    assert order == [("A", 1), ("C", 2), ("B", 3)]
    services.agenda_move(user=organiser, talk=a, direction="up")  # already first: no change
    assert Talk.objects.get(pk=a.pk).order == 1


def test_agenda_move_by_member_is_404(member, event):
    talk = factories.make_talk(event=event)
    with refused(Kind.NOT_FOUND):
        services.agenda_move(user=member, talk=talk, direction="up")


# --- speaker profile and photo ----------


@pytest.mark.parametrize(
    ("content", "expected"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")]
)
def test_speaker_profile_photo_type_from_magic_bytes(member, settings, tmp_path, content, expected):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("evil.html", content, content_type="text/html")
    speaker = services.speaker_profile_save(user=member, name="Mem", bio="", photo=upload)
    assert speaker.photo_content_type == expected
    assert speaker.photo.name.startswith("speakers/")
    assert "evil" not in speaker.photo.name


def test_speaker_profile_photo_wrong_type_refused(member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("me.png", b"<svg onload=alert(1)>", content_type="image/png")
    with refused(Kind.INVALID, match="PNG, JPEG or WebP"):
        services.speaker_profile_save(user=member, name="Mem", bio="", photo=upload)
    assert Speaker.objects.filter(user=member).count() == 0


def test_speaker_profile_photo_too_large_refused(member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = PNG + b"\x00" * (2 * 1024 * 1024)
    upload = SimpleUploadedFile("me.png", big, content_type="image/png")
    with refused(Kind.INVALID, match="2 MB"):
        services.speaker_profile_save(user=member, name="Mem", bio="", photo=upload)


def test_speaker_profile_replacing_photo_deletes_old_file(member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = services.speaker_profile_save(
        user=member, name="Mem", bio="", photo=SimpleUploadedFile("a.png", PNG)
    )
    old_path = tmp_path / first.photo.name
    assert old_path.exists()
    services.speaker_profile_save(
        user=member, name="Mem", bio="", photo=SimpleUploadedFile("b.jpg", JPEG)
    )
    assert old_path.exists() is False


def test_speaker_profile_links_replaced(member):
    services.speaker_profile_save(user=member, name="M", bio="", links=[("Site", "https://a.io")])
    speaker = services.speaker_profile_save(
        user=member, name="M2", bio="b", links=[("GitHub", "https://github.com/m")]
    )
    assert list(speaker.links.values_list("label", "url")) == [("GitHub", "https://github.com/m")]


# --- voting restricted to members who RSVP'd (through the rsvp app) ----------


def test_proposal_vote_restricted_to_rsvpd_members(voting_proposal, member, open_call, event):
    from rsvp.services import rsvp_cancel, rsvp_create

    open_call.voting_requires_rsvp = True
    open_call.save()
    with refused(Kind.FORBIDDEN, match="RSVP"):
        services.proposal_vote_add(user=member, proposal=voting_proposal)

    result = rsvp_create(event=event, user=member)
    assert services.proposal_vote_add(user=member, proposal=voting_proposal) is True

    services.proposal_vote_remove(user=member, proposal=voting_proposal)
    rsvp_cancel(rsvp_id=result.rsvp.pk, user=member)
    with refused(Kind.FORBIDDEN, match="RSVP"):
        services.proposal_vote_add(user=member, proposal=voting_proposal)


def test_proposal_vote_rsvp_to_other_groups_event_does_not_count(
    voting_proposal, member, open_call
):
    from rsvp.services import rsvp_create

    open_call.voting_requires_rsvp = True
    open_call.save()
    rsvp_create(event=factories.make_event(), user=member)
    with refused(Kind.FORBIDDEN, match="RSVP"):
        services.proposal_vote_add(user=member, proposal=voting_proposal)


def test_proposal_schedule_emails_the_event_and_date(
    proposal, organiser, speaker_user, event, django_capture_on_commit_callbacks
):
    services.proposal_accept(user=organiser, proposal=proposal)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_schedule(user=organiser, proposal=proposal, event=event)
    message = mail.outbox[-1]
    assert (
        message.subject == f"Your talk “Live pages with Channels” is on the agenda of {event.title}"
    )
    assert message.to == [speaker_user.email]
    assert f"/events/{event.slug}/" in message.body


def test_decision_emails_keep_their_wording_when_the_queue_runs_late(
    proposal, organiser, event, django_capture_on_commit_callbacks
):
    # Both tasks run after both changes, as a slow queue would run them.
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_accept(user=organiser, proposal=proposal)
        services.proposal_schedule(user=organiser, proposal=proposal, event=event)
    assert [m.subject for m in mail.outbox] == [
        "Your talk “Live pages with Channels” is accepted",
        f"Your talk “Live pages with Channels” is on the agenda of {event.title}",
    ]


# --- the review's decisions: the page's buttons and the API's actions are one list ----------

OFFERED = {
    Status.SUBMITTED: ["accept", "decline", "vote"],
    Status.IN_VOTING: ["accept", "decline", "reopen"],
    Status.ACCEPTED: ["decline"],
    Status.DECLINED: ["reopen"],
    Status.SCHEDULED: ["unschedule"],
    Status.WITHDRAWN: [],
}


@pytest.mark.parametrize("start", list(OFFERED))
def test_proposal_decide_offers_exactly_the_decisions_of_its_status(proposal, organiser, start):
    Proposal.objects.filter(pk=proposal.pk).update(status=start)
    proposal.refresh_from_db()
    assert rules.proposal_decisions(proposal) == OFFERED[start]
    for action in sorted(set(rules.DECISIONS) - set(OFFERED[start])):
        with refused(Kind.CONFLICT):
            services.proposal_decide(user=organiser, proposal=proposal, action=action)
        proposal.refresh_from_db()
        assert proposal.status == start


def test_proposal_decide_unschedule_only_from_scheduled(proposal, organiser):
    with refused(Kind.CONFLICT, match="Only a scheduled proposal can be taken off the agenda."):
        services.proposal_decide(user=organiser, proposal=proposal, action="unschedule")
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_proposal_decide_accept_emails_and_unknown_action_invalid(
    proposal, organiser, django_capture_on_commit_callbacks
):
    with refused(Kind.INVALID):
        services.proposal_decide(user=organiser, proposal=proposal, action="promote")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(user=organiser, proposal=proposal, action="accept", message="Yes")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_message, len(mail.outbox)) == (
        Status.ACCEPTED,
        "Yes",
        1,
    )


def test_proposal_decide_by_other_groups_organiser_is_404(proposal, other_organiser):
    with refused(Kind.NOT_FOUND):
        services.proposal_decide(user=other_organiser, proposal=proposal, action="accept")
