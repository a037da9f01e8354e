"""The seat rule applied by the statement that writes the RSVP (rsvp/services/seats.py,
`_SEAT_RULE`): what it decides, that the event lock covers that one statement, and the
answers when the person's row appears or the event changes between the read and the lock."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetups.models import Event
from portal.errors import Kind, ServiceError
from rsvp import services
from rsvp.models import Rsvp
from rsvp.services import seats

pytestmark = pytest.mark.django_db


def statuses(event) -> list[tuple[str, str, int]]:
    return [
        (r.user.username, r.status, r.guests)
        for r in Rsvp.objects.filter(event=event).select_related("user").order_by("pk")
    ]


def test_parties_that_do_not_fit_wait_and_smaller_ones_still_get_seats(small_event, people):
    """Capacity 3: a party of 2, then a party of 2 (1 seat left: waits), then a single (fits)."""
    results = [
        services.rsvp_create(event=small_event, user=people[0], guests=1),
        services.rsvp_create(event=small_event, user=people[1], guests=1),
        services.rsvp_create(event=small_event, user=people[2]),
        services.rsvp_create(event=small_event, user=people[3]),
    ]

    assert [(r.rsvp.status, r.changed) for r in results] == [
        ("going", True),
        ("waitlisted", True),
        ("going", True),
        ("waitlisted", True),
    ]
    assert statuses(small_event) == [
        ("p0", "going", 1),
        ("p1", "waitlisted", 1),
        ("p2", "going", 0),
        ("p3", "waitlisted", 0),
    ]
    # The returned objects are the rows as written.
    assert [Rsvp.objects.get(pk=r.rsvp.pk).queued_at for r in results] == [
        r.rsvp.queued_at for r in results
    ]


def test_a_first_rsvp_reads_its_table_once_and_writes_once(small_event, member):
    """Old behaviour to guard against: a seat sum read under the lock, then the write."""
    with CaptureQueriesContext(connection) as queries:
        result = services.rsvp_create(event=small_event, user=member, guests=2)

    table = connection.ops.quote_name(Rsvp._meta.db_table)
    touching = [q["sql"].split()[0] for q in queries.captured_queries if table in q["sql"]]
    assert touching == ["SELECT", "INSERT"]
    assert (result.rsvp.status, result.rsvp.seats, result.changed) == ("going", 3, True)


def test_a_reopened_rsvp_keeps_its_row_and_takes_a_seat_only_if_one_is_free(small_event, people):
    first = services.rsvp_create(event=small_event, user=people[0]).rsvp
    services.rsvp_cancel(rsvp_id=first.pk, user=people[0])
    services.rsvp_create(event=small_event, user=people[1], guests=2)  # takes all 3 seats

    full = services.rsvp_create(event=small_event, user=people[0], guests=1)
    services.rsvp_cancel(rsvp_id=first.pk, user=people[0])
    services.rsvp_cancel(rsvp_id=Rsvp.objects.get(user=people[1]).pk, user=people[1])
    free = services.rsvp_create(event=small_event, user=people[0], guests=1)

    assert (full.rsvp.pk, full.rsvp.status, full.changed) == (first.pk, "waitlisted", True)
    assert (free.rsvp.pk, free.rsvp.status, free.rsvp.guests) == (first.pk, "going", 1)
    row = Rsvp.objects.get(pk=first.pk)
    assert (row.status, row.guests, row.cancelled_at, row.promoted_at) == ("going", 1, None, None)


def test_the_statement_writes_nothing_for_a_person_who_already_has_a_row(small_event, member):
    """The branch a concurrent duplicate takes (the rush test below races it for real)."""
    services.rsvp_create(event=small_event, user=member)
    duplicate = Rsvp(event=small_event, user=member, guests=2, queued_at=timezone.now())

    assert seats._save_with_seat_rule(duplicate, capacity=small_event.capacity) is False
    assert duplicate.pk is None
    assert statuses(small_event) == [("member", "going", 0)]


def test_an_event_taken_back_to_draft_after_the_read_is_refused_under_the_lock(small_event, member):
    """The caller's copy says published; the locked row says draft: the rule is asked again."""
    Event.objects.filter(pk=small_event.pk).update(status=Event.Status.DRAFT)

    with pytest.raises(ServiceError) as refused:
        services.rsvp_create(event=small_event, user=member)

    assert (refused.value.kind, refused.value.message) == (Kind.NOT_FOUND, "No such event.")
    assert Rsvp.objects.count() == 0


def test_an_event_cancelled_after_the_read_is_refused_under_the_lock(small_event, member):
    Event.objects.filter(pk=small_event.pk).update(status=Event.Status.CANCELLED)

    with pytest.raises(ServiceError) as refused:
        services.rsvp_create(event=small_event, user=member)

    assert (refused.value.kind, refused.value.message) == (
        Kind.CONFLICT,
        "This event has been cancelled.",
    )
    assert Rsvp.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_person_racing_themself_gets_one_rsvp_and_one_change(small_event, member):
    n = 16
    barrier = threading.Barrier(n)

    def attempt(_):
        try:
            barrier.wait(timeout=60)
            return services.rsvp_create(event=small_event, user=member, guests=1)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(attempt, range(n)))

    assert sorted(r.changed for r in results) == [False] * (n - 1) + [True]
    assert {(r.rsvp.pk, r.rsvp.status) for r in results} == {
        (Rsvp.objects.get().pk, Rsvp.Status.GOING)
    }
    assert statuses(small_event) == [("member", "going", 1)]
