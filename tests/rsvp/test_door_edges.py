"""The door's services (rsvp/services/door.py) called directly, at the edges the views and the
API hide: exact refusals (message, kind, field), the results of each call, the times a caller
passes, the event's own time zone in the door's messages, and the queries a result saves its
caller (#16, the surviving mutants of door.py)."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from meetups.models import Event
from portal.errors import Kind, ServiceError
from rsvp import selectors, services
from rsvp.models import Rsvp
from rsvp.services import door
from rsvp.signals import attendance_changed
from tests import factories

pytestmark = pytest.mark.django_db

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
# The server's zone (settings.TIME_ZONE), made explicit: 17 to 19 hours ahead of Los Angeles,
# so a time or a day shown in the wrong zone never reads the same.
SYDNEY = zoneinfo.ZoneInfo("Australia/Sydney")


def refused(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    return caught.value


def clock(moment, tz) -> str:
    """`moment` as the door writes a time ("6:07 PM"), in `tz`."""
    return timezone.localtime(moment, tz).strftime("%-I:%M %p")


def in_los_angeles(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(time_zone="America/Los_Angeles")
    return Event.objects.get(pk=event.pk)


# --- people checked in ---------------------------------------------------------------------


def test_nobody_going_counts_nobody_in(small_event, people):
    """Guards: an event with no going party (its only RSVP cancelled) shows 0 people in at
    the door and on the dashboard, not a phantom 1."""
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp
    services.rsvp_cancel(rsvp_id=rsvp.pk, user=people[0])

    assert selectors.event_attendance_counts(event_id=small_event.pk) == {
        "capacity": 3,
        "going": 0,
        "going_rsvps": 0,
        "waitlisted": 0,
        "checked_in": 0,
        "seats_left": 3,
    }


# --- per-person check-in -------------------------------------------------------------------


def test_door_check_in_result_carries_its_person_and_event(
    small_event, organiser, people, django_assert_num_queries
):
    """Guards: the door's row, re-rendered from the result (name, event), costs no further
    query per check-in."""
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=1).rsvp

    result = door.door_check_in(rsvp=rsvp, user=organiser, host=True)

    with django_assert_num_queries(0):
        assert (result.rsvp.user.username, result.rsvp.event.pk) == ("p0", small_event.pk)
    assert (result.changed, result.rsvp.is_checked_in, result.rsvp.guests_checked_in) == (
        True,
        True,
        0,
    )


# --- admitting from the waitlist -----------------------------------------------------------


@pytest.fixture
def waiting(small_event, people):
    """p0 +2 guests going (3 of 3 seats); p1 waitlisted; then a 4th seat added."""
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    rsvp = services.rsvp_create(event=small_event, user=people[1]).rsvp
    Event.objects.filter(pk=small_event.pk).update(capacity=4)
    return rsvp


def test_door_admit_by_a_member_says_no_such_rsvp(waiting, member):
    """Guards: someone who does not run the door learns nothing, in the door's own words."""
    error = refused(door.door_admit, rsvp=waiting, user=member, override=True)

    assert (error.kind, error.field, error.message) == (Kind.NOT_FOUND, None, "No such RSVP.")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.promoted_at) == ("waitlisted", None)


def test_door_admit_records_the_time_it_is_given(waiting, organiser):
    """Guards: an admission replayed with its time (`now`) records that time for both the
    promotion and the check-in, not the moment the call ran."""
    at = (timezone.now() - timedelta(minutes=42)).replace(microsecond=0)

    result = door.door_admit(rsvp=waiting, user=organiser, now=at)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.promoted_at, waiting.checked_in_at) == ("going", at, at)
    assert (result.changed, result.rsvp.pk, result.rsvp.checked_in_at) == (True, waiting.pk, at)


def test_door_admit_queries(waiting, organiser, django_assert_num_queries):
    """Guards: admitting a waitlisted party reads its person with the RSVP (for the name in a
    refusal) instead of a query of its own, under the event lock everyone else waits on."""
    # admit: savepoint, event lock, its group, organiser check, the RSVP with its person and
    # event, seats taken, the update; then the check-in: savepoint, event lock, group, organiser
    # check, the RSVP, the update, people in, recorded attendance; the two releases.
    with django_assert_num_queries(17):
        door.door_admit(rsvp=waiting, user=organiser)


# --- walk-ins ------------------------------------------------------------------------------


def test_door_walk_in_result_and_rows(small_event, organiser):
    """Guards: a walk-in is reported as a change, recorded as checked in by the organiser at
    the door, with no email when none was given, under a generated walk-in username."""
    at = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0)

    result = door.door_walk_in(event=small_event, user=organiser, name="Wanda", now=at)

    rsvp = Rsvp.objects.select_related("user").get()
    assert (result.changed, result.rsvp.pk) == (True, rsvp.pk)
    assert (rsvp.checked_in_by, rsvp.checked_in_at, rsvp.queued_at) == (organiser, at, at)
    assert (rsvp.walk_in_email, rsvp.is_walk_in, rsvp.user.first_name) == ("", True, "Wanda")
    assert re.fullmatch(r"walk-in-[0-9a-f]{12}", rsvp.user.username)


def test_door_walk_in_with_a_blank_email_records_none(small_event, organiser):
    """Guards: an email field left with spaces records no address to write to."""
    door.door_walk_in(event=small_event, user=organiser, name="Wanda", email="   ")

    assert Rsvp.objects.get().walk_in_email == ""


def test_door_walk_in_name_of_exactly_the_limit_is_accepted(small_event, organiser):
    """Guards: the limit is inclusive: a 100-character name is registered as typed."""
    name = "W" * door.WALK_IN_NAME_MAX_LENGTH

    result = door.door_walk_in(event=small_event, user=organiser, name=name)

    assert Rsvp.objects.get(pk=result.rsvp.pk).user.first_name == name


def test_door_walk_in_by_another_groups_organiser_says_no_event(small_event):
    """Guards: another group's organiser is told the event does not exist, in these words."""
    other = factories.make_user(username="other-org")
    factories.make_group().organisers.add(other)

    error = refused(door.door_walk_in, event=small_event, user=other, name="Ann", override=True)

    assert (error.kind, error.field, error.message) == (Kind.NOT_FOUND, None, "No event found.")
    assert Rsvp.objects.count() == 0


def test_door_walk_in_announces_its_event(
    small_event, organiser, django_capture_on_commit_callbacks
):
    """Guards: the live counts of the walk-in's event are refreshed after commit."""
    seen = []

    def receiver(sender, event_id, **kwargs):
        seen.append(event_id)

    attendance_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            door.door_walk_in(event=small_event, user=organiser, name="Wanda")
    finally:
        attendance_changed.disconnect(receiver)

    assert seen == [small_event.pk]


# --- ticket scans --------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "no-such-ticket-token-at-all"])
def test_ticket_scan_of_an_unknown_ticket_names_the_ticket_field(small_event, organiser, token):
    """Guards: the scan form shows the refusal on its ticket field."""
    error = refused(door.ticket_scan, event=small_event, token=token, user=organiser)

    assert (error.kind, error.field, error.message) == (
        Kind.INVALID,
        "ticket",
        "Not a ticket for this event.",
    )


def test_ticket_scan_of_nothing_asks_no_database(small_event, organiser, django_assert_num_queries):
    """Guards: an empty scan (the camera read nothing) is refused without a lookup."""
    with django_assert_num_queries(0):
        error = refused(door.ticket_scan, event=small_event, token="", user=organiser)

    assert error.kind == Kind.INVALID


@pytest.mark.parametrize(
    ("guests", "message"),
    [
        (0, "Checked in p0."),
        (1, "Checked in p0 with 1 guest."),
        (2, "Checked in p0 with 2 guests."),
    ],
)
def test_ticket_scan_result(small_event, organiser, people, guests, message):
    """Guards: the door's confirmation counts the guests in plain English, and the result is
    the RSVP just checked in."""
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=guests).rsvp
    at = (timezone.now() - timedelta(minutes=3)).replace(microsecond=0)

    result = door.ticket_scan(event=small_event, token=rsvp.ticket_token, user=organiser, now=at)

    assert result.message == message
    assert (result.rsvp.pk, result.rsvp.checked_in_at, result.rsvp.guests_checked_in) == (
        rsvp.pk,
        at,
        guests,
    )
    rsvp.refresh_from_db()
    assert (rsvp.checked_in_at, rsvp.guests_checked_in, rsvp.checked_in_by) == (
        at,
        guests,
        organiser,
    )


def test_ticket_scan_of_a_used_ticket_says_when_in_the_events_zone(organiser, people, group):
    """Guards: the time a ticket was used is the event's local time, not the server's."""
    event = in_los_angeles(factories.make_event(group=group))
    rsvp = services.rsvp_create(event=event, user=people[0]).rsvp
    at = timezone.now() - timedelta(hours=3, minutes=17)
    services.rsvp_check_in(rsvp=rsvp, user=organiser, now=at)

    with timezone.override(SYDNEY):
        error = refused(door.ticket_scan, event=event, token=rsvp.ticket_token, user=organiser)

    assert (error.kind, error.field, error.message) == (
        Kind.CONFLICT,
        None,
        f"Already used: p0 checked in at {clock(at, LOS_ANGELES)}.",
    )


def test_ticket_scan_of_a_cancelled_ticket_says_when_in_the_events_zone(organiser, people, group):
    """Guards: the time of the cancellation is when it happened, in the event's local time."""
    event = in_los_angeles(factories.make_event(group=group))
    rsvp = services.rsvp_create(event=event, user=people[0]).rsvp
    at = timezone.now() - timedelta(hours=3, minutes=17)
    services.rsvp_cancel(rsvp_id=rsvp.pk, user=people[0], now=at)

    with timezone.override(SYDNEY):
        error = refused(door.ticket_scan, event=event, token=rsvp.ticket_token, user=organiser)

    assert (error.kind, error.field, error.message) == (
        Kind.CONFLICT,
        None,
        f"Cancelled: p0 cancelled this RSVP at {clock(at, LOS_ANGELES)}.",
    )


def test_ticket_scan_of_a_cancelled_ticket_without_a_time(small_event, organiser, people):
    """Guards: a cancelled RSVP with no cancellation time recorded (edited in the admin) is
    refused without inventing one."""
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp
    Rsvp.objects.filter(pk=rsvp.pk).update(status=Rsvp.Status.CANCELLED, cancelled_at=None)

    error = refused(door.ticket_scan, event=small_event, token=rsvp.ticket_token, user=organiser)

    assert (error.kind, error.field, error.message) == (
        Kind.CONFLICT,
        None,
        "Cancelled: p0 cancelled this RSVP.",
    )


def test_ticket_scan_of_another_event_names_its_day_in_its_zone(
    small_event, group, organiser, people, django_assert_num_queries
):
    """Guards: the other event's day is its local day (an evening in Los Angeles is already
    the next day in Sydney), and the refusal costs one lookup of the ticket (with its person,
    event and group) and the organiser check."""
    evening = timezone.localtime(timezone.now() + timedelta(days=30), LOS_ANGELES).replace(
        hour=20, minute=0, second=0, microsecond=0
    )
    other = factories.make_event(
        group=group, title="Django Girls", starts_at=evening, time_zone="America/Los_Angeles"
    )
    rsvp = services.rsvp_create(event=other, user=people[0]).rsvp

    with timezone.override(SYDNEY), django_assert_num_queries(2):
        error = refused(
            door.ticket_scan, event=small_event, token=rsvp.ticket_token, user=organiser
        )

    assert (error.kind, error.field, error.message) == (
        Kind.CONFLICT,
        None,
        f"Another event: p0's ticket is for Django Girls ({evening.day} {evening:%b}).",
    )
