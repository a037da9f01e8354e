"""What the mutation run of feedback/rules.py and feedback/services.py found untested
(docs/testing.md, "Mutation testing"): the refusals' messages, the rating's lower bound, the
default comment, and who "was there".

Each test names the break it guards; each was checked against the mutant it was written for."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from feedback import rules
from feedback.models import COMMENT_MAX_LENGTH, TalkFeedback
from feedback.services import feedback_refusal, feedback_save
from meetups.models import Event
from portal.errors import Kind, ServiceError
from tests import factories

from .conftest import rsvp, talk_of

pytestmark = pytest.mark.django_db

RATING = "Choose a rating from 1 to 5."


def _refusal(**kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        feedback_save(**kwargs)
    return refused.value


def _as_tuple(error: ServiceError) -> tuple:
    return (error.kind, error.message, error.field)


def test_rating_of_1_without_a_comment_is_kept(world):
    """Breaks: the lower bound excluded (`1 < rating`), or the comment's default not empty."""
    feedback, created = feedback_save(user=world.checked_in, talk=talk_of(world), rating=1)

    assert (created, feedback.rating, feedback.comment) == (True, 1, "")
    assert TalkFeedback.objects.get().comment == ""


@pytest.mark.parametrize("rating", [True, 0])
def test_rating_refused_says_what_to_choose(world, rating):
    """Breaks: the message of either rating refusal (not a number; out of range) changed."""
    error = _refusal(user=world.checked_in, talk=talk_of(world), rating=rating)

    assert _as_tuple(error) == (Kind.INVALID, RATING, "rating")


def test_comment_too_long_says_the_limit_and_its_length(world):
    """Breaks: the message of the refusal dropped."""
    comment = "x" * (COMMENT_MAX_LENGTH + 1)

    error = _refusal(user=world.checked_in, talk=talk_of(world), rating=3, comment=comment)

    assert _as_tuple(error) == (
        Kind.INVALID,
        f"Keep the comment to {COMMENT_MAX_LENGTH} characters (it has {COMMENT_MAX_LENGTH + 1}).",
        "comment",
    )


def test_signed_out_is_told_to_log_in(world):
    """Breaks: the message of the refusal changed or dropped."""
    error = feedback_refusal(user=AnonymousUser(), talk=talk_of(world))

    assert _as_tuple(error) == (Kind.FORBIDDEN, "Log in to rate this talk.", None)
    assert rules.was_there(AnonymousUser(), talk_of(world)) is False


def test_a_talk_one_may_not_see_is_no_such_talk(world):
    """Breaks: the message of the refusal changed or dropped."""
    talk = talk_of(world)
    talk.event.status = Event.Status.DRAFT

    error = feedback_refusal(user=world.checked_in, talk=talk)

    assert _as_tuple(error) == (Kind.NOT_FOUND, "No such talk.", None)


def test_checked_in_at_another_event_is_not_being_there(world):
    """Breaks: "was there" asked without the talk's event (an RSVP anywhere would count)."""
    rsvp(factories.make_event(group=world.event.group), world.stranger, checked_in=True)

    assert rules.was_there(world.stranger, talk_of(world)) is False
    assert feedback_refusal(user=world.stranger, talk=talk_of(world)).kind == Kind.FORBIDDEN


def test_cancelled_event_says_so(world):
    """Breaks: the message of the refusal changed or dropped."""
    talk = talk_of(world)
    talk.event.status = Event.Status.CANCELLED

    error = feedback_refusal(user=world.checked_in, talk=talk)

    assert _as_tuple(error) == (
        Kind.CONFLICT,
        "This event was cancelled, so its talks take no feedback.",
        None,
    )


def test_closed_names_the_closing_day_in_the_events_zone(world):
    """Breaks: the closing day written from today's date, or in the server's zone rather than
    the event's (here a day apart: 23:30 UTC is the afternoon before in Los Angeles, the
    next morning in the portal's Sydney)."""
    ends = datetime(2030, 5, 1, 23, 30, tzinfo=UTC)
    Event.objects.filter(pk=world.event.pk).update(
        starts_at=ends - timedelta(hours=2), ends_at=ends, time_zone="America/Los_Angeles"
    )

    with time_machine.travel(ends + timedelta(days=30), tick=False):
        error = feedback_refusal(user=world.checked_in, talk=talk_of(world))

    assert error.message == (
        "Feedback on this talk closed on 8 May 2030, 7 days after the event; it can no longer "
        "be given or changed."
    )
