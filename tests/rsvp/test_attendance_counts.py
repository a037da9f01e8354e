"""`rsvp.selectors.event_attendance_counts` runs a statement the ORM compiled once
(`portal.rawsql.PreparedValues`): after every kind of attendance change its numbers equal the
ORM's own build of the same query, on SQLite and on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetups.models import Event
from rsvp import selectors, services
from rsvp.services import door
from tests import factories
from tests.databases import ON_EACH_DATABASE


def built_by_the_orm(event: Event) -> dict[str, int]:
    """The query as the selector wrote it before it was prepared, built afresh."""
    row = (
        Event.objects.filter(pk=event.pk)
        .values("capacity")
        .annotate(**selectors._counts("rsvps__"))
        .get()
    )
    row["seats_left"] = max(row["capacity"] - row["going"], 0)
    return row


def both(event: Event) -> tuple[dict, dict]:
    return selectors.event_attendance_counts(event_id=event.pk), built_by_the_orm(event)


@ON_EACH_DATABASE
@pytest.mark.django_db(transaction=True)
def test_the_counts_equal_the_orms_after_every_kind_of_change(
    database, small_event, organiser, people
):
    assert connection.vendor == database
    seen = [both(small_event)]  # nobody yet
    host = services.rsvp_create(event=small_event, user=people[0], guests=1).rsvp
    seen.append(both(small_event))  # a party going
    waiting = services.rsvp_create(event=small_event, user=people[1], guests=2).rsvp
    seen.append(both(small_event))  # a party waiting
    services.rsvp_create(event=small_event, user=people[2])
    seen.append(both(small_event))  # full
    door.door_check_in(rsvp=host, user=organiser, host=True)
    seen.append(both(small_event))  # a host in
    door.door_check_in(rsvp=host, user=organiser, guests_in=1)
    seen.append(both(small_event))  # a guest in
    services.rsvp_cancel(rsvp_id=waiting.pk, user=people[1])
    seen.append(both(small_event))  # the waiting party gone
    door.door_walk_in(event=small_event, user=organiser, name="Walk In", override=True)
    seen.append(both(small_event))  # over capacity at the door
    Event.objects.filter(pk=small_event.pk).update(capacity=10)
    seen.append(both(small_event))  # more seats

    for prepared, fresh in seen:
        assert prepared == fresh
        assert all(type(value) is int for value in prepared.values())
    assert seen[-2][0] == {
        "capacity": 3,
        "going": 4,
        "going_rsvps": 3,
        "waitlisted": 0,
        "checked_in": 3,
        "seats_left": 0,
    }
    assert seen[-1][0]["seats_left"] == 6


@ON_EACH_DATABASE
@pytest.mark.django_db
def test_one_statement_and_another_event_gets_its_own_numbers(database, small_event, people):
    other = factories.make_event(group=small_event.group, capacity=50, slug="other")
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    with CaptureQueriesContext(connection) as queries:
        mine = selectors.event_attendance_counts(event_id=small_event.pk)
        theirs = selectors.event_attendance_counts(event_id=other.pk)
    assert len(queries) == 2
    assert (mine["going"], mine["seats_left"]) == (3, 0)
    assert (theirs["going"], theirs["seats_left"]) == (0, 50)


@pytest.mark.django_db
def test_an_unknown_event_is_does_not_exist():
    with pytest.raises(Event.DoesNotExist):
        selectors.event_attendance_counts(event_id=987_654)
