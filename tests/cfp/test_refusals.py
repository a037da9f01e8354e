"""Every refusal of the call-for-talks services, exactly: its kind (the status on every route),
its message (what the person reads) and the form field it is put next to.

Mutation testing (docs/testing.md) found most of these untested: a refusal whose message or
field was blanked, or whose condition was off by one, passed every test.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cfp import services
from cfp.models import CallForTalks, Proposal
from meetups.models import Talk
from portal.errors import Kind, ServiceError
from portal.text import EMAIL_MESSAGE, MULTI_LINE_MESSAGE, SINGLE_LINE_MESSAGE
from tests import factories
from tests.cfp.conftest import submit

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ANONYMOUS = AnonymousUser()


@pytest.fixture
def w(group, organiser, member, speaker_user, other_organiser, open_call, proposal, idea, event):
    """The conftest's world: `proposal` (submitted by `speaker_user`) against `idea`."""
    return {
        "group": group, "organiser": organiser, "member": member, "speaker": speaker_user,
        "other_organiser": other_organiser, "call": open_call, "proposal": proposal,
        "idea": idea, "event": event,
    }  # fmt: skip


def _closed(w) -> None:
    w["call"].closes_at = timezone.now() - timedelta(minutes=1)
    w["call"].save()


def _status(proposal, status) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk).update(status=status)
    proposal.refresh_from_db()
    return proposal


def _invite(w, email):
    return services.co_speaker_invite(user=w["speaker"], proposal=w["proposal"], email=email)


def _in_voting(w) -> Proposal:
    return services.proposal_open_voting(user=w["organiser"], proposal=w["proposal"])


def _deleted_talk(w) -> Talk:
    talk = factories.make_talk(event=w["event"])
    Talk.objects.filter(pk=talk.pk).delete()
    return talk  # the caller's copy still names its event


def _photo(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("me.png", content, content_type="image/png")


# (what is tried, then the refusal: kind, message, field)
REFUSALS = {
    # ideas
    "idea by anonymous": (
        lambda w: services.idea_create(user=ANONYMOUS, group=w["group"], title="T"),
        Kind.FORBIDDEN, "Log in to post a talk idea.", None,
    ),
    "idea by member when organisers only": (
        lambda w: (
            CallForTalks.objects.filter(pk=w["call"].pk).update(members_may_post_ideas=False),
            services.idea_create(user=w["member"], group=w["group"], title="T"),
        ),
        Kind.FORBIDDEN, "Only organisers can post talk ideas in this group.", None,
    ),
    "idea with a taken title": (
        lambda w: services.idea_create(
            user=w["member"], group=w["group"], title=" CHANNELS with htmx "
        ),
        Kind.INVALID, "There is already an idea with this title.", "title",
    ),
    "idea deleted by someone else": (
        lambda w: services.idea_delete(user=w["member"], idea=w["idea"]),
        Kind.NOT_FOUND, "No idea found.", None,
    ),
    "idea deleted by its author once proposed": (
        lambda w: services.idea_delete(user=w["speaker"], idea=_proposed_idea_of(w)),
        Kind.CONFLICT, "Someone has proposed a talk for this idea, so it stays.", None,
    ),
    "idea vote by anonymous": (
        lambda w: services.idea_vote_toggle(user=ANONYMOUS, idea=w["idea"]),
        Kind.FORBIDDEN, "Log in to vote.", None,
    ),
    # proposals
    "proposal by anonymous": (
        lambda w: submit(w["group"], ANONYMOUS),
        Kind.FORBIDDEN, "Log in to propose a talk.", None,
    ),
    "proposal while the call is closed": (
        lambda w: (_closed(w), submit(w["group"], w["member"])),
        Kind.CONFLICT, "The call for talks is closed.", None,
    ),
    "proposal of a length not offered": (
        lambda w: submit(w["group"], w["member"], length_minutes=25),
        Kind.INVALID, "Choose a length of 5, 10, 20, 30 minutes.", "length_minutes",
    ),
    "proposal for another group's idea": (
        lambda w: submit(
            w["group"], w["member"],
            idea=services.idea_create(
                user=w["member"], group=factories.make_group(), title="Elsewhere"
            ),
        ),
        Kind.INVALID, "That talk idea belongs to another group.", "idea",
    ),
    "proposal preferring another group's event": (
        lambda w: submit(w["group"], w["member"], preferred_events=[factories.make_event()]),
        Kind.INVALID, "Preferred events must be this group's events.", "preferred_events",
    ),
    "a title on two lines": (
        lambda w: submit(w["group"], w["member"], title="Two\nlines"),
        Kind.INVALID, SINGLE_LINE_MESSAGE, "title",
    ),
    "preferred dates with a control character": (
        lambda w: submit(w["group"], w["member"], preferred_dates="Tue\x00"),
        Kind.INVALID, SINGLE_LINE_MESSAGE, "preferred_dates",
    ),
    "an abstract with a control character": (
        lambda w: submit(w["group"], w["member"], abstract="Lines\nare fine, a bell\x07 is not"),
        Kind.INVALID, MULTI_LINE_MESSAGE, "abstract",
    ),
    "notes with a control character": (
        lambda w: submit(w["group"], w["member"], notes_for_organisers="\x1b[31m"),
        Kind.INVALID, MULTI_LINE_MESSAGE, "notes_for_organisers",
    ),
    "proposal edited to another group's idea": (
        lambda w: services.proposal_update(
            user=w["speaker"], proposal=w["proposal"],
            idea=services.idea_create(user=w["member"], group=factories.make_group(), title="X"),
        ),
        Kind.INVALID, "That talk idea belongs to another group.", "idea",
    ),
    "proposal edited to a length not offered": (
        lambda w: services.proposal_update(
            user=w["speaker"], proposal=w["proposal"], length_minutes=25
        ),
        Kind.INVALID, "Choose a length of 5, 10, 20, 30 minutes.", "length_minutes",
    ),
    "proposal edited to a title on two lines": (
        lambda w: services.proposal_update(
            user=w["speaker"], proposal=w["proposal"], title="Two\rlines"
        ),
        Kind.INVALID, SINGLE_LINE_MESSAGE, "title",
    ),
    "proposal edited by someone else": (
        lambda w: services.proposal_update(user=w["member"], proposal=w["proposal"], title="X"),
        Kind.NOT_FOUND, "No proposal found.", None,
    ),
    "proposal edited after the call closed": (
        lambda w: (
            _closed(w),
            services.proposal_update(user=w["speaker"], proposal=w["proposal"], title="X"),
        ),
        Kind.CONFLICT, "The call for talks is closed, so proposals can no longer change.", None,
    ),
    "proposal withdrawn once accepted": (
        lambda w: services.proposal_withdraw(
            user=w["speaker"], proposal=_status(w["proposal"], Proposal.Status.ACCEPTED)
        ),
        Kind.CONFLICT, "A proposal that is accepted is final.", None,
    ),
    # resubmitting a withdrawn proposal (the undo of withdraw)
    "resubmitted after the call closed": (
        lambda w: (
            _status(w["proposal"], Proposal.Status.WITHDRAWN),
            _closed(w),
            services.proposal_resubmit(user=w["speaker"], proposal=w["proposal"]),
        ),
        Kind.CONFLICT,
        "The call for talks is closed, so a withdrawn proposal cannot be resubmitted.",
        None,
    ),
    "resubmitted while not withdrawn": (
        lambda w: services.proposal_resubmit(user=w["speaker"], proposal=w["proposal"]),
        Kind.CONFLICT, "Only a withdrawn proposal can be resubmitted.", None,
    ),
    "resubmitted by someone else": (
        lambda w: services.proposal_resubmit(
            user=w["member"], proposal=_status(w["proposal"], Proposal.Status.WITHDRAWN)
        ),
        Kind.NOT_FOUND, "No proposal found.", None,
    ),
    # co-speakers
    "co-speaker invited to a declined proposal": (
        lambda w: (_status(w["proposal"], Proposal.Status.DECLINED), _invite(w, "x@y.co")),
        Kind.CONFLICT, "This proposal is closed.", None,
    ),
    "co-speaker invited by someone else": (
        lambda w: services.co_speaker_invite(
            user=w["member"], proposal=w["proposal"], email="x@y.co"
        ),
        Kind.NOT_FOUND, "No proposal found.", None,
    ),
    "the submitter invited as co-speaker": (
        lambda w: _invite(w, " SPEAKER@example.com "),
        Kind.INVALID, "You are already the speaker.", "email",
    ),
    "a fourth co-speaker": (
        lambda w: [_invite(w, f"co{n}@example.com") for n in range(4)],
        Kind.CONFLICT, "A talk can have at most 3 co-speakers.", None,
    ),
    "a co-speaker without an email address": (
        lambda w: _invite(w, "not an address"),
        Kind.INVALID, EMAIL_MESSAGE, "email",
    ),
    "the same co-speaker twice": (
        lambda w: (_invite(w, "co@example.com"), _invite(w, "Co@Example.com")),
        Kind.INVALID, "That person has already been invited.", "email",
    ),
    "the submitter accepting their own invitation": (
        lambda w: services.co_speaker_accept(
            user=w["speaker"], token=_invite(w, "someone@example.com").token
        ),
        Kind.CONFLICT, "You cannot be your own co-speaker.", None,
    ),
    "a co-speaker accepting a second invitation": (
        lambda w: [
            services.co_speaker_accept(user=w["member"], token=_invite(w, email).token)
            for email in ("first@example.com", "second@example.com")
        ],
        Kind.CONFLICT, "You are already a co-speaker on this proposal.", None,
    ),
    "a co-speaker removed by someone else": (
        lambda w: services.co_speaker_remove(
            user=w["member"], invitation=_invite(w, "co@example.com")
        ),
        Kind.NOT_FOUND, "No proposal found.", None,
    ),
    # the organisers' review
    "call settings by a member": (
        lambda w: services.call_for_talks_update(
            user=w["member"], group=w["group"], talk_lengths="5"
        ),
        Kind.NOT_FOUND, "No group found.", None,
    ),
    "review by another group's organiser": (
        lambda w: services.review_save(
            user=w["other_organiser"], proposal=w["proposal"], score=3, note=""
        ),
        Kind.NOT_FOUND, "No proposal found.", None,
    ),
    "review scored 0": (
        lambda w: services.review_save(
            user=w["organiser"], proposal=w["proposal"], score=0, note=""
        ),
        Kind.INVALID, "A score is from 1 to 5.", "score",
    ),
    "review scored 6": (
        lambda w: services.review_save(
            user=w["organiser"], proposal=w["proposal"], score=6, note=""
        ),
        Kind.INVALID, "A score is from 1 to 5.", "score",
    ),
    "accepting a withdrawn proposal": (
        lambda w: services.proposal_accept(
            user=w["organiser"], proposal=_status(w["proposal"], Proposal.Status.WITHDRAWN)
        ),
        Kind.CONFLICT, "A proposal that is withdrawn cannot become accepted.", None,
    ),
    "an unknown decision": (
        lambda w: services.proposal_decide(user=w["organiser"], proposal=w["proposal"], action="x"),
        Kind.INVALID, "A decision is one of accept, decline, vote, reopen, unschedule.", "action",
    ),
    "taking a submitted proposal off the agenda": (
        lambda w: services.proposal_decide(
            user=w["organiser"], proposal=w["proposal"], action="unschedule"
        ),
        Kind.CONFLICT, "Only a scheduled proposal can be taken off the agenda.", None,
    ),
    "a decision the status does not offer": (
        lambda w: services.proposal_decide(
            user=w["organiser"],
            proposal=_status(w["proposal"], Proposal.Status.ACCEPTED),
            action="vote",
        ),
        Kind.CONFLICT, "A proposal that is accepted cannot become in voting.", None,
    ),
    "scheduling onto another group's event": (
        lambda w: services.proposal_schedule(
            user=w["organiser"],
            proposal=_status(w["proposal"], Proposal.Status.ACCEPTED),
            event=factories.make_event(),
        ),
        Kind.NOT_FOUND, "No event found.", None,
    ),
    "scheduling onto a past event": (
        lambda w: services.proposal_schedule(
            user=w["organiser"],
            proposal=_status(w["proposal"], Proposal.Status.ACCEPTED),
            event=factories.make_event(group=w["group"], starts_in=-timedelta(days=3)),
        ),
        Kind.CONFLICT, "That event is over.", "event",
    ),
    "moving a talk of someone else's agenda": (
        lambda w: services.agenda_move(
            user=w["member"], talk=factories.make_talk(event=w["event"]), direction="up"
        ),
        Kind.NOT_FOUND, "No talk found.", None,
    ),
    "moving a talk sideways": (
        lambda w: services.agenda_move(
            user=w["organiser"], talk=factories.make_talk(event=w["event"]), direction="left"
        ),
        Kind.INVALID, "Move a talk up or down.", "direction",
    ),
    "moving a talk taken off the agenda since the page was read": (
        lambda w: services.agenda_move(user=w["organiser"], talk=_deleted_talk(w), direction="up"),
        Kind.NOT_FOUND, "No talk found.", None,
    ),
    # speaker profiles
    "a profile by anonymous": (
        lambda w: services.speaker_profile_save(user=ANONYMOUS, name="A", bio=""),
        Kind.FORBIDDEN, "Log in to create a speaker profile.", None,
    ),
    "a profile without a name": (
        lambda w: services.speaker_profile_save(user=w["member"], name="  ", bio=""),
        Kind.INVALID, "Your name is required.", "name",
    ),
    "a photo one byte over 2 MB": (
        lambda w: services.photo_content_type(
            _photo(PNG + b"\x00" * (services.PHOTO_MAX_BYTES - len(PNG) + 1))
        ),
        Kind.INVALID, "The photo is larger than 2 MB.", "photo",
    ),
    "a RIFF file that is not WebP": (
        lambda w: services.photo_content_type(_photo(b"RIFF\x00\x00\x00\x00WAVEfmt " + PNG)),
        Kind.INVALID, "The photo must be a PNG, JPEG or WebP image.", "photo",
    ),
    "WEBP bytes without RIFF": (
        lambda w: services.photo_content_type(_photo(b"RIFX\x00\x00\x00\x00WEBPVP8 " + PNG)),
        Kind.INVALID, "The photo must be a PNG, JPEG or WebP image.", "photo",
    ),
    # audience votes
    "a vote by anonymous": (
        lambda w: services.proposal_vote_add(user=ANONYMOUS, proposal=_in_voting(w)),
        Kind.FORBIDDEN, "Log in to vote.", None,
    ),
    "a vote on a proposal not in voting": (
        lambda w: services.proposal_vote_add(user=w["member"], proposal=w["proposal"]),
        Kind.NOT_FOUND, "No proposal in voting.", None,
    ),
    "a vote after voting closed": (
        lambda w: (
            CallForTalks.objects.filter(pk=w["call"].pk).update(
                voting_closes_at=timezone.now() - timedelta(seconds=1)
            ),
            services.proposal_vote_remove(user=w["member"], proposal=_in_voting(w)),
        ),
        Kind.CONFLICT, "Voting is closed.", None,
    ),
    "a vote without an RSVP where one is needed": (
        lambda w: (
            CallForTalks.objects.filter(pk=w["call"].pk).update(voting_requires_rsvp=True),
            services.proposal_vote_add(user=w["member"], proposal=_in_voting(w)),
        ),
        Kind.FORBIDDEN, "Only members who have RSVP'd to one of our events can vote.", None,
    ),
}  # fmt: skip


def _proposed_idea_of(w):
    """An idea its author (the speaker) posted and someone then proposed a talk for."""
    idea = services.idea_create(user=w["speaker"], group=w["group"], title="Mine")
    submit(w["group"], w["member"], idea=idea)
    return idea


@pytest.mark.parametrize("case", list(REFUSALS))
def test_cfp_refusal_is_exact(w, case):
    attempt, kind, message, field = REFUSALS[case]

    with pytest.raises(ServiceError) as refused:
        attempt(w)

    assert (refused.value.kind, refused.value.message, refused.value.field) == (
        kind,
        message,
        field,
    )
