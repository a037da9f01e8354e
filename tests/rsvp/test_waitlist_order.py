"""The waitlist moves in arrival order when seats free up for only some of the people waiting.

The older test that promotes "in order" frees enough seats for everyone, so it passes whatever
the order; these free fewer seats than there are people waiting, so the order decides who goes.
Each guards against reversing or replacing the waitlist's order (`Rsvp.objects.waitlisted()`
ordered by `-queued_at`, or by `pk` alone, in `_promote_locked`).
"""

import pytest
from django.core import mail

from rsvp import services
from rsvp.models import Rsvp

pytestmark = pytest.mark.django_db


def statuses(event) -> list[tuple[str, str]]:
    return list(
        Rsvp.objects.filter(event=event).order_by("pk").values_list("user__username", "status")
    )


@pytest.fixture
def full_with_three_waiting(small_event, people):
    """p0 holds all 3 seats (2 guests); p1, p2 and p3 wait for one seat each, in that order."""
    going = services.rsvp_create(event=small_event, user=people[0], guests=2).rsvp
    for person in people[1:4]:
        services.rsvp_create(event=small_event, user=person)
    return going


def test_one_freed_seat_goes_to_the_first_in_the_queue(
    small_event, people, full_with_three_waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_guests_change(rsvp_id=full_with_three_waiting.pk, user=people[0], guests=1)

    assert statuses(small_event) == [
        ("p0", "going"),
        ("p1", "going"),
        ("p2", "waitlisted"),
        ("p3", "waitlisted"),
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([people[1].email], f"A seat opened up: you're going to {small_event.title}")
    ]


def test_two_freed_seats_go_to_the_first_two(small_event, people, full_with_three_waiting):
    services.rsvp_guests_change(rsvp_id=full_with_three_waiting.pk, user=people[0], guests=0)

    assert statuses(small_event) == [
        ("p0", "going"),
        ("p1", "going"),
        ("p2", "going"),
        ("p3", "waitlisted"),
    ]


def test_queue_order_is_arrival_not_row_order(small_event, people, full_with_three_waiting):
    """p1 leaves the waitlist and comes back: the same row (lowest pk), now last in line."""
    p1 = Rsvp.objects.get(user=people[1])
    services.rsvp_cancel(rsvp_id=p1.pk, user=people[1])
    again = services.rsvp_create(event=small_event, user=people[1]).rsvp
    assert (again.pk, again.status) == (p1.pk, Rsvp.Status.WAITLISTED)

    services.rsvp_guests_change(rsvp_id=full_with_three_waiting.pk, user=people[0], guests=1)

    assert statuses(small_event) == [
        ("p0", "going"),
        ("p1", "waitlisted"),
        ("p2", "going"),
        ("p3", "waitlisted"),
    ]


def test_a_capacity_increase_of_one_promotes_only_the_first(
    small_event, people, full_with_three_waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        small_event.capacity = 4
        small_event.save()

    assert statuses(small_event) == [
        ("p0", "going"),
        ("p1", "going"),
        ("p2", "waitlisted"),
        ("p3", "waitlisted"),
    ]
