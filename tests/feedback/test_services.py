"""feedback_save: the rules it enforces, the 7-day window, and the database's own guards."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from feedback.models import COMMENT_MAX_LENGTH, TalkFeedback
from feedback.services import feedback_erase, feedback_save
from portal.errors import Kind, ServiceError
from tests import factories

from .conftest import talk_of


def test_save_creates_then_updates_one_row(world):
    talk = talk_of(world)
    first, created = feedback_save(user=world.checked_in, talk=talk, rating=4, comment=" Good. ")
    assert (created, first.rating, first.comment) == (True, 4, "Good.")
    second, created = feedback_save(user=world.checked_in, talk=talk, rating=2, comment="")
    assert (created, second.pk, second.rating, second.comment) == (False, first.pk, 2, "")
    assert TalkFeedback.objects.filter(talk=talk).count() == 1


@pytest.mark.parametrize("rating", [0, 6, -1, True, "5", 4.5])
def test_save_refuses_a_rating_outside_1_to_5(world, rating):
    with pytest.raises(ServiceError) as caught:
        feedback_save(user=world.checked_in, talk=talk_of(world), rating=rating)
    assert (caught.value.kind, caught.value.field) == (Kind.INVALID, "rating")
    assert TalkFeedback.objects.count() == 0


def test_save_refuses_a_long_comment_and_control_characters(world):
    talk = talk_of(world)
    with pytest.raises(ServiceError) as caught:
        feedback_save(
            user=world.checked_in, talk=talk, rating=3, comment="x" * (COMMENT_MAX_LENGTH + 1)
        )
    assert (caught.value.kind, caught.value.field) == (Kind.INVALID, "comment")
    with pytest.raises(ServiceError) as caught:
        feedback_save(user=world.checked_in, talk=talk, rating=3, comment="bell\x07")
    assert (caught.value.kind, caught.value.field) == (Kind.INVALID, "comment")
    feedback_save(user=world.checked_in, talk=talk, rating=3, comment="x" * COMMENT_MAX_LENGTH)
    assert TalkFeedback.objects.get().comment == "x" * COMMENT_MAX_LENGTH


@pytest.mark.parametrize(
    ("who", "kind", "message"),
    [
        ("speaker", Kind.FORBIDDEN, "Speakers cannot rate their own talk."),
        (
            "waitlisted",
            Kind.FORBIDDEN,
            "Only people who were at the event can rate its talks: checked in at the door, or "
            "going where nobody was checked in.",
        ),
        ("stranger", Kind.FORBIDDEN, None),
        ("going", Kind.FORBIDDEN, None),
        ("cancelled", Kind.FORBIDDEN, None),
    ],
)
def test_save_refuses_people_who_may_not_rate(world, who, kind, message):
    with pytest.raises(ServiceError) as caught:
        feedback_save(user=getattr(world, who), talk=talk_of(world), rating=5)
    assert caught.value.kind == kind
    if message:
        assert caught.value.message == message
    assert TalkFeedback.objects.count() == 0


def test_save_before_the_talk_is_on_stage_is_a_conflict(world):
    running = world.event.starts_at + timedelta(minutes=5)
    with time_machine.travel(running, tick=False), pytest.raises(ServiceError) as caught:
        feedback_save(user=world.checked_in, talk=talk_of(world), rating=5)
    assert (caught.value.kind, caught.value.message) == (
        Kind.CONFLICT,
        "Feedback opens once this talk has been on stage.",
    )


def test_save_editable_for_7_days_then_a_conflict(world):
    ends = world.event.ends_at
    world.event.time_zone = "UTC"
    world.event.save(update_fields=["time_zone"])
    talk = talk_of(world)
    with time_machine.travel(ends + timedelta(days=1), tick=False):
        feedback_save(user=world.checked_in, talk=talk, rating=2)
    with time_machine.travel(ends + timedelta(days=7), tick=False):
        feedback_save(user=world.checked_in, talk=talk, rating=3, comment="On reflection.")
    late = ends + timedelta(days=7, minutes=1)
    with time_machine.travel(late, tick=False), pytest.raises(ServiceError) as caught:
        feedback_save(user=world.checked_in, talk=talk, rating=5)
    closed = (ends + timedelta(days=7)).strftime("%-d %B %Y")
    assert (caught.value.kind, caught.value.message) == (
        Kind.CONFLICT,
        f"Feedback on this talk closed on {closed}, 7 days after the event; it can no longer "
        "be given or changed.",
    )
    row = TalkFeedback.objects.get()
    assert (row.rating, row.comment) == (3, "On reflection.")


def test_save_cancelled_event_is_a_conflict(world):
    world.event.status = "cancelled"
    world.event.save(update_fields=["status"])
    with pytest.raises(ServiceError) as caught:
        feedback_save(user=world.checked_in, talk=talk_of(world), rating=5)
    assert caught.value.kind == Kind.CONFLICT


def test_constraint_one_per_person_per_talk(world):
    TalkFeedback.objects.create(talk=world.talk, user=world.checked_in, rating=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        TalkFeedback.objects.create(talk=world.talk, user=world.checked_in, rating=4)
    # The same person on another talk is another row.
    TalkFeedback.objects.create(talk=world.other_talk, user=world.checked_in, rating=4)
    assert TalkFeedback.objects.count() == 2


@pytest.mark.parametrize("rating", [0, 6])
def test_constraint_rating_1_to_5(world, rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        TalkFeedback.objects.create(talk=world.talk, user=world.checked_in, rating=rating)


def test_constraint_comment_length(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        TalkFeedback.objects.create(
            talk=world.talk,
            user=world.checked_in,
            rating=3,
            comment="x" * (COMMENT_MAX_LENGTH + 1),
        )


def test_erase_deletes_only_that_persons_feedback(world):
    other = factories.make_user()
    TalkFeedback.objects.create(talk=world.talk, user=world.checked_in, rating=3)
    TalkFeedback.objects.create(talk=world.other_talk, user=world.checked_in, rating=4)
    TalkFeedback.objects.create(talk=world.talk, user=other, rating=5)
    assert feedback_erase(user=world.checked_in) == 2
    assert list(TalkFeedback.objects.values_list("user", "rating")) == [(other.pk, 5)]
