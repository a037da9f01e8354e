"""What the mutation run of live/rules.py found untested by the live app's own tests
(docs/testing.md, "Mutation testing"): who is in each Q&A audience (members, people going,
people checked in), that a speaker counts only at their own event, and the exact refusal text.

tests/members covers the audiences through the pages; here the predicates are called directly.
Each test names the break it guards; each was checked against the mutant it was written for.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from live.rules import in_qa_audience, is_event_speaker, qa_refusal
from members.models import EventPolicy, Membership
from rsvp.models import Rsvp
from tests.factories import make_event, make_speaker, make_talk, make_user

pytestmark = pytest.mark.django_db

MEMBERS_ONLY = "This Q&A is for members of the group: join the group to take part."


def _rsvp(event, user, status=Rsvp.Status.GOING, *, checked_in=False) -> Rsvp:
    return Rsvp.objects.create(
        event=event,
        user=user,
        status=status,
        queued_at=timezone.now(),
        checked_in_at=timezone.now() if checked_in else None,
    )


def _member(event, user) -> Membership:
    return Membership.objects.create(group=event.group, user=user)


def _elsewhere(event):
    return make_event(group=event.group, starts_in=-timedelta(hours=1))


# What each case sets up for `person` at `event` before asking if they are in the audience.
AUDIENCE_CASES = {
    "members: a member": ("members", _member, True),
    "members: not a member": ("members", lambda e, p: None, False),
    "going: going": ("rsvpd", lambda e, p: _rsvp(e, p), True),
    "going: waitlisted": ("rsvpd", lambda e, p: _rsvp(e, p, Rsvp.Status.WAITLISTED), False),
    "going: going elsewhere": ("rsvpd", lambda e, p: _rsvp(_elsewhere(e), p), False),
    "going: someone else going": ("rsvpd", lambda e, p: _rsvp(e, make_user()), False),
    "checked in: checked in": ("checked_in", lambda e, p: _rsvp(e, p, checked_in=True), True),
    "checked in: going, not checked in": ("checked_in", lambda e, p: _rsvp(e, p), False),
}  # fmt: skip


@pytest.mark.parametrize("case", list(AUDIENCE_CASES))
def test_in_qa_audience_follows_the_events_policy(running_event, member, case):
    """Breaks: the members audience tested the other way round or for nobody; the RSVP looked up
    at any event, for anyone, in any status, or for no one; the checked-in filter dropped,
    inverted or applied to the people-going audience."""
    audience, setup, expected = AUDIENCE_CASES[case]
    EventPolicy.objects.create(event=running_event, qa_audience=audience)
    setup(running_event, member)

    assert in_qa_audience(member, running_event) is expected


def test_a_speaker_of_another_event_is_not_this_events_speaker(running_event, talk):
    """Breaks: the speaker's talks looked up at every event, not this one."""
    speaker = make_user()
    talk.speakers.add(make_speaker(user=speaker))
    other = _elsewhere(running_event)
    make_talk(event=other)

    assert (is_event_speaker(speaker, running_event), is_event_speaker(speaker, other)) == (
        True,
        False,
    )


def test_someone_signed_out_gets_no_refusal_while_the_live_page_shows(running_event):
    """Breaks: the refusal given when signed out and able to see the page (`or` read as `and`):
    a visitor is told to join the group rather than to log in."""
    EventPolicy.objects.create(event=running_event, qa_audience="members")

    assert qa_refusal(AnonymousUser(), running_event) is None


@pytest.mark.parametrize(
    "audience, message",
    [
        ("members", MEMBERS_ONLY),
        ("rsvpd", "This Q&A is for people going to the event: RSVP to take part."),
        (
            "checked_in",
            "This Q&A is for people at the event: check in at the door to take part.",
        ),
    ],
    ids=["members", "going", "checked in"],
)
def test_the_refusal_names_this_events_audience(running_event, member, audience, message):
    """Breaks: the refusal read from the policy of no event rather than this one."""
    EventPolicy.objects.create(event=running_event, qa_audience=audience)

    assert qa_refusal(member, running_event) == message
