"""Who may rate a talk, and when: the permission matrix of `feedback.rules`."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from feedback import rules
from feedback.models import TalkOnStage
from feedback.rules import State
from feedback.services import feedback_refusal
from live.services import live_current_talk_set
from meetups.models import Event
from portal.errors import Kind
from rsvp.models import Rsvp
from tests import factories

from .conftest import rsvp, talk_of

PEOPLE = ["checked_in", "going", "waitlisted", "cancelled", "stranger", "speaker", "organiser"]


@pytest.mark.parametrize(
    ("who", "give", "view", "raters"),
    [
        ("checked_in", True, False, False),
        ("going", False, False, False),  # others were checked in: the door was kept
        ("waitlisted", False, False, False),
        ("cancelled", False, False, False),
        ("stranger", False, False, False),
        ("speaker", False, True, False),
        ("other_speaker", False, False, False),
        ("organiser", False, True, True),  # not checked in: organisers read, they do not rate
    ],
)
def test_rules_matrix_at_an_event_with_check_in(world, who, give, view, raters):
    user, talk = getattr(world, who), talk_of(world)
    assert rules.can_give_feedback(user, talk) is give
    assert rules.can_view_feedback(user, talk) is view
    assert rules.can_see_raters(user, talk) is raters
    assert (feedback_refusal(user=user, talk=talk) is None) is give


def test_rules_anonymous_may_neither_rate_nor_read(world):
    talk = talk_of(world)
    anonymous = AnonymousUser()
    assert rules.can_give_feedback(anonymous, talk) is False
    assert rules.can_view_feedback(anonymous, talk) is False
    assert feedback_refusal(user=anonymous, talk=talk).kind == Kind.FORBIDDEN


@pytest.mark.parametrize(
    ("status", "give"),
    [(Rsvp.Status.GOING, True), (Rsvp.Status.WAITLISTED, False), (Rsvp.Status.CANCELLED, False)],
)
def test_rules_without_any_check_in_going_people_rate(world, status, give):
    """At an event where nobody was checked in, a going RSVP is "was there"."""
    event = factories.make_event(
        group=world.event.group, starts_at=world.event.starts_at, ends_at=world.event.ends_at
    )
    talk = factories.make_talk(event=event)
    person = factories.make_user()
    rsvp(event, person, status)
    rsvp(event, factories.make_user())  # someone else going, not checked in either
    assert rules.was_there(person, talk) is give
    assert rules.can_give_feedback(person, talk) is give


def test_rules_one_check_in_makes_the_door_count(world):
    """The same going RSVP stops counting as soon as anyone at the event is checked in."""
    assert rules.was_there(world.going, world.talk) is False
    Rsvp.objects.filter(event=world.event, user=world.checked_in).update(checked_in_at=None)
    assert rules.was_there(world.going, world.talk) is True


def test_rules_speaker_checked_in_still_cannot_rate_own_talk(world):
    rsvp(world.event, world.speaker, checked_in=True)
    talk = talk_of(world)
    assert rules.can_give_feedback(world.speaker, talk) is False
    refusal = feedback_refusal(user=world.speaker, talk=talk)
    assert (refusal.kind, refusal.message) == (
        Kind.FORBIDDEN,
        "Speakers cannot rate their own talk.",
    )
    # ... but may rate the other talk of the evening.
    assert rules.can_give_feedback(world.speaker, world.other_talk) is True


def test_rules_organiser_who_checked_in_may_rate(world):
    rsvp(world.event, world.organiser, checked_in=True)
    assert rules.can_give_feedback(world.organiser, talk_of(world)) is True


def test_rules_draft_event_talk_is_not_found_for_attendees(world):
    Event.objects.filter(pk=world.event.pk).update(status=Event.Status.DRAFT)
    world.talk.event.refresh_from_db()
    assert rules.can_give_feedback(world.checked_in, world.talk) is False
    assert feedback_refusal(user=world.checked_in, talk=world.talk).kind == Kind.NOT_FOUND


# -- when ---------------------------------------------------------------------------------


def test_window_before_the_event_and_before_the_stage(world):
    talk = world.talk
    event = talk.event
    assert rules.feedback_state(talk, now=event.starts_at - timedelta(minutes=1)) == State.NOT_YET
    # Running, but the talk has not been on stage.
    assert rules.feedback_state(talk, now=event.starts_at + timedelta(minutes=5)) == State.NOT_YET


def test_window_opens_when_the_talk_is_first_on_stage(world):
    talk, event = world.talk, world.event
    with time_machine.travel(event.starts_at + timedelta(minutes=10), tick=False):
        live_current_talk_set(event=event, talk=talk, user=world.organiser)
        assert rules.feedback_state(talk) == State.OPEN
        assert rules.can_give_feedback(world.checked_in, talk_of(world)) is True
        # The next talk has not been on stage yet.
        assert rules.feedback_state(world.other_talk) == State.NOT_YET
    # Moving on keeps the first talk open.
    with time_machine.travel(event.starts_at + timedelta(minutes=40), tick=False):
        live_current_talk_set(event=event, talk=world.other_talk, user=world.organiser)
        assert rules.feedback_state(talk) == State.OPEN
        assert rules.feedback_state(world.other_talk) == State.OPEN
    first = TalkOnStage.objects.get(talk=talk).first_at
    assert first == event.starts_at + timedelta(minutes=10)


def test_window_stage_before_the_start_does_not_open_it(world):
    """A talk set on stage during a rehearsal, before the doors open, waits for the start."""
    talk, event = world.talk, world.event
    TalkOnStage.objects.create(talk=talk, first_at=event.starts_at - timedelta(hours=1))
    assert rules.feedback_state(talk, now=event.starts_at - timedelta(minutes=1)) == State.NOT_YET
    assert rules.feedback_state(talk, now=event.starts_at) == State.OPEN


def test_window_after_the_event_for_7_days(world):
    talk, ends = world.talk, world.event.ends_at
    assert rules.feedback_state(talk, now=ends) == State.OPEN
    assert rules.feedback_state(talk, now=ends + timedelta(days=7)) == State.OPEN
    assert rules.feedback_state(talk, now=ends + timedelta(days=7, seconds=1)) == State.CLOSED


def test_window_cancelled_event_takes_no_feedback(world):
    world.event.status = Event.Status.CANCELLED
    assert rules.feedback_state(world.talk, now=world.event.ends_at) == State.CANCELLED
