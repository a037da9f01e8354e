"""The rush for the last seats, on real PostgreSQL with real threads and connections.

Each thread has its own database connection (Django gives one per thread) and its own test
client; a barrier releases them together. The negative control runs the same race against a
seat check without the event-row lock and shows the harness catches the overbooking.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connections, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetups.models import Event
from rsvp.models import Rsvp, RsvpSettings
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CAPACITY = 50
CLIENTS = 200


def guests_of(i: int) -> int:
    # Mostly singles, some +1 and +2, spread through the arrival order.
    return 2 if i % 7 == 0 else 1 if i % 3 == 0 else 0


def race(n: int, prepare, act) -> list:
    """Run act(i, prepared) in n threads released together; each thread closes its connections."""
    barrier = threading.Barrier(n)

    def worker(i: int):
        try:
            prepared = prepare(i)
            barrier.wait(timeout=60)
            return act(i, prepared)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(worker, range(n)))


def seats_taken(event: Event) -> int:
    return Rsvp.objects.filter(event=event, status=Rsvp.Status.GOING).aggregate(
        n=Coalesce(Sum(F("guests") + 1), 0)
    )["n"]


def serial_outcome(rsvps: list[Rsvp], capacity: int) -> list[str]:
    """What one-at-a-time processing in queue order gives: the rule without any concurrency."""
    free, outcome = capacity, []
    for rsvp in rsvps:
        if rsvp.seats <= free:
            free -= rsvp.seats
            outcome.append(Rsvp.Status.GOING)
        else:
            outcome.append(Rsvp.Status.WAITLISTED)
    return outcome


@pytest.fixture
def rush_event(group):
    event = factories.make_event(group=group, capacity=CAPACITY)
    RsvpSettings.objects.create(event=event, guests_allowed=2)
    return event


@pytest.fixture
def crowd(db):
    return [factories.make_user(username=f"fan{i}") for i in range(CLIENTS)]


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_rush_of_200_for_50_seats_books_exactly_50_in_arrival_order(rush_event, crowd):
    path = reverse("rsvp:create", kwargs={"slug": rush_event.slug})

    statuses = race(
        CLIENTS,
        lambda i: logged_in_client(crowd[i]),
        lambda i, client: (
            client.post(
                path, {"guests": str(guests_of(i))}, headers={"HX-Request": "true"}
            ).status_code
        ),
    )

    assert statuses == [200] * CLIENTS
    queue = list(Rsvp.objects.filter(event=rush_event).order_by("queued_at", "pk"))
    assert len(queue) == CLIENTS
    assert [r.pk for r in queue] == sorted(r.pk for r in queue)  # queue order = arrival order
    assert [r.status for r in queue] == serial_outcome(queue, CAPACITY)
    assert seats_taken(rush_event) == CAPACITY
    assert sorted(r.user.username for r in queue) == sorted(u.username for u in crowd)
    assert len(mail.outbox) == CLIENTS  # one confirmation or waitlist email each


def test_concurrent_cancels_promote_each_freed_seat_exactly_once(rush_event, crowd):
    for i, user in enumerate(crowd[:120]):
        Rsvp.objects.create(
            event=rush_event,
            user=user,
            guests=guests_of(i),
            status=Rsvp.Status.WAITLISTED,
            queued_at=timezone.now(),
        )
    # Seat the head of the queue as a serial run would.
    queue = list(Rsvp.objects.filter(event=rush_event).order_by("queued_at", "pk"))
    for rsvp, status in zip(queue, serial_outcome(queue, CAPACITY), strict=True):
        Rsvp.objects.filter(pk=rsvp.pk).update(status=status)
    going = [r for r in Rsvp.objects.going().filter(event=rush_event).order_by("pk")]
    cancelling = going[:20]
    freed = sum(r.seats for r in cancelling)
    path = reverse("rsvp:cancel", kwargs={"slug": rush_event.slug})
    mail.outbox.clear()

    statuses = race(
        len(cancelling),
        lambda i: logged_in_client(cancelling[i].user),
        lambda i, client: client.post(path, headers={"HX-Request": "true"}).status_code,
    )

    assert statuses == [200] * len(cancelling)
    assert seats_taken(rush_event) == CAPACITY
    promoted = list(Rsvp.objects.filter(event=rush_event, promoted_at__isnull=False))
    assert sum(r.seats for r in promoted) == freed
    promotion_mails = [m.to[0] for m in mail.outbox if m.subject.startswith("A seat opened up")]
    assert sorted(promotion_mails) == sorted(r.user.email for r in promoted)  # once each
    assert len(set(promotion_mails)) == len(promotion_mails)
    # In order: for each party size, everyone promoted was ahead of everyone still waiting.
    waiting = list(Rsvp.objects.waitlisted().filter(event=rush_event))
    for size in (1, 2, 3):
        last_promoted = (
            max((r.queued_at, r.pk) for r in promoted if r.seats == size)
            if any(r.seats == size for r in promoted)
            else None
        )
        first_waiting = min(((r.queued_at, r.pk) for r in waiting if r.seats == size), default=None)
        if last_promoted and first_waiting:
            assert last_promoted < first_waiting


def rsvp_create_without_lock(*, event_id: int, user_id: int, guests: int) -> None:
    """The seat check done wrong: read, decide, write, with no lock on the event row."""
    with transaction.atomic():
        capacity = Event.objects.get(pk=event_id).capacity
        taken = Rsvp.objects.filter(event_id=event_id, status=Rsvp.Status.GOING).aggregate(
            n=Coalesce(Sum(F("guests") + 1), 0)
        )["n"]
        time.sleep(0.01)  # the time a real request spends between its read and its write
        fits = 1 + guests <= capacity - taken
        Rsvp.objects.create(
            event_id=event_id,
            user_id=user_id,
            guests=guests,
            status=Rsvp.Status.GOING if fits else Rsvp.Status.WAITLISTED,
            queued_at=timezone.now(),
        )


def test_negative_control_the_race_catches_an_unlocked_seat_check(rush_event, crowd):
    race(
        CLIENTS,
        lambda i: None,
        lambda i, _: rsvp_create_without_lock(
            event_id=rush_event.pk, user_id=crowd[i].pk, guests=guests_of(i)
        ),
    )

    assert Rsvp.objects.filter(event=rush_event).count() == CLIENTS
    assert seats_taken(rush_event) > CAPACITY  # overbooked: the harness can see it
