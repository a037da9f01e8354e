"""The door's services (rsvp/services/door.py): per-person check-in, admitting from the
waitlist, walk-ins and ticket scans, each with its refusals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetups.models import Event
from portal.errors import Kind, ServiceError
from rsvp import selectors, services
from rsvp.models import Rsvp
from rsvp.services import door
from tests import factories

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    return caught.value


def counts(event) -> dict:
    return selectors.event_attendance_counts(event_id=event.pk)


# --- per-person check-in -------------------------------------------------------------------


def test_door_check_in_host_and_each_guest_separately(small_event, organiser, people):
    """Guards: guests checked in apart from their host, and totals counting people in."""
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=2).rsvp

    door.door_check_in(rsvp=rsvp, user=organiser, host=True)
    assert (counts(small_event)["checked_in"], Event.objects.get().recorded_attendance) == (1, 1)

    door.door_check_in(rsvp=rsvp, user=organiser, guests_in=1)
    rsvp.refresh_from_db()
    assert (rsvp.is_checked_in, rsvp.guests_checked_in) == (True, 1)
    assert (counts(small_event)["checked_in"], Event.objects.get().recorded_attendance) == (2, 2)

    door.door_check_in(rsvp=rsvp, user=organiser, host=False)
    rsvp.refresh_from_db()
    assert (rsvp.checked_in_at, rsvp.guests_checked_in, rsvp.checked_in_by) == (None, 1, organiser)
    assert (counts(small_event)["checked_in"], Event.objects.get().recorded_attendance) == (1, 1)


def test_door_check_in_guests_before_their_host_count(small_event, organiser, people):
    """Guards: a guest who arrives first is counted although their host is not in."""
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=2).rsvp

    door.door_check_in(rsvp=rsvp, user=organiser, guests_in=2)

    assert counts(small_event)["checked_in"] == 2
    assert Event.objects.get().recorded_attendance == 2
    # The list's "checked in" is the RSVP's own person (the one messages go to).
    assert selectors.attendee_list(event=small_event, status="checked_in").count() == 0


def test_door_check_in_refuses_more_guests_than_the_rsvp_has(small_event, organiser, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=1).rsvp

    error = refused(door.door_check_in, rsvp=rsvp, user=organiser, guests_in=2)

    assert (error.kind, error.field, error.message) == (
        Kind.INVALID,
        "guests_in",
        "Between 0 and 1 guests can be in.",
    )
    rsvp.refresh_from_db()
    assert rsvp.guests_checked_in == 0


def test_door_check_in_twice_changes_nothing(small_event, organiser, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp
    first = door.door_check_in(rsvp=rsvp, user=organiser, host=True)

    again = door.door_check_in(rsvp=rsvp, user=organiser, host=True)

    assert (first.changed, again.changed) == (True, False)


def test_rsvp_check_in_takes_the_whole_party_in_and_out(small_event, organiser, people):
    """Guards: the one-tap check-in (ticket link, API) still covers every guest."""
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=2).rsvp

    services.rsvp_check_in(rsvp=rsvp, user=organiser)
    rsvp.refresh_from_db()
    assert (rsvp.is_checked_in, rsvp.guests_checked_in, counts(small_event)["checked_in"]) == (
        True,
        2,
        3,
    )

    services.rsvp_check_in(rsvp=rsvp, user=organiser, undo=True)
    rsvp.refresh_from_db()
    assert (rsvp.checked_in_at, rsvp.guests_checked_in, rsvp.checked_in_by) == (None, 0, None)
    assert Event.objects.get().recorded_attendance == 0


def test_door_check_in_by_another_groups_organiser_is_not_found(small_event, people):
    other = factories.make_user(username="other-org")
    factories.make_group().organisers.add(other)
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp

    error = refused(door.door_check_in, rsvp=rsvp, user=other, host=True)

    assert (error.kind, error.message) == (Kind.NOT_FOUND, "No such RSVP.")


# --- admitting from the waitlist -----------------------------------------------------------


@pytest.fixture
def full_event(small_event, people):
    """3 seats: p0 +2 guests going (full); p1 and p2 (+1) waitlisted."""
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    services.rsvp_create(event=small_event, user=people[1])
    services.rsvp_create(event=small_event, user=people[2], guests=1)
    return small_event


def test_door_admit_when_full_asks_to_confirm_and_changes_nothing(full_event, organiser, people):
    """Guards: capacity is respected unless the door confirms the override."""
    waiting = Rsvp.objects.get(user=people[2])

    error = refused(door.door_admit, rsvp=waiting, user=organiser)

    assert (error.kind, error.field) == (Kind.CONFLICT, "override")
    assert error.message == (
        "The event is full (3 of 3 seats taken). Admitting p2 (2 people) takes it to 5: "
        "confirm to admit anyway."
    )
    waiting.refresh_from_db()
    assert (waiting.status, waiting.checked_in_at) == ("waitlisted", None)


def test_door_admit_with_override_goes_over_capacity_and_checks_in(full_event, organiser, people):
    waiting = Rsvp.objects.get(user=people[2])

    result = door.door_admit(rsvp=waiting, user=organiser, override=True)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.is_checked_in, waiting.guests_checked_in) == ("going", True, 1)
    assert waiting.promoted_at is not None
    assert result.changed is True
    assert (counts(full_event)["going"], counts(full_event)["checked_in"]) == (5, 2)


def test_door_admit_with_free_seats_needs_no_override(small_event, organiser, people):
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    waiting = services.rsvp_create(event=small_event, user=people[1]).rsvp
    Event.objects.filter(pk=small_event.pk).update(capacity=4)

    door.door_admit(rsvp=waiting, user=organiser)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.is_checked_in) == ("going", True)


def test_door_admit_refuses_a_cancelled_rsvp(small_event, organiser, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp
    services.rsvp_cancel(rsvp_id=rsvp.pk, user=people[0])

    error = refused(door.door_admit, rsvp=rsvp, user=organiser, override=True)

    assert (error.kind, error.message) == (Kind.CONFLICT, "This RSVP is cancelled.")


def test_door_admit_by_a_member_is_not_found(full_event, member, people):
    waiting = Rsvp.objects.get(user=people[1])

    error = refused(door.door_admit, rsvp=waiting, user=member, override=True)

    assert error.kind == Kind.NOT_FOUND
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"


# --- walk-ins ------------------------------------------------------------------------------


def test_door_walk_in_registers_a_going_checked_in_person_without_an_account(
    small_event, organiser
):
    """Guards: walk-in registration, counted in capacity and attendance, with no login."""
    rsvp = door.door_walk_in(
        event=small_event, user=organiser, name="  Wanda Walker ", email="Wanda@Example.org"
    ).rsvp

    rsvp.refresh_from_db()
    person = rsvp.user
    assert (rsvp.status, rsvp.is_checked_in, rsvp.is_walk_in, rsvp.walk_in_email) == (
        "going",
        True,
        True,
        "wanda@example.org",
    )
    assert (person.first_name, person.email, person.is_active) == ("Wanda Walker", "", False)
    assert person.has_usable_password() is False
    assert person.username.startswith("walk-in-")
    assert (counts(small_event)["going"], counts(small_event)["checked_in"]) == (1, 1)
    assert Event.objects.get().recorded_attendance == 1


def test_door_walk_in_twice_makes_two_people(small_event, organiser):
    door.door_walk_in(event=small_event, user=organiser, name="Sam")
    door.door_walk_in(event=small_event, user=organiser, name="Sam")

    assert counts(small_event)["going"] == 2


@pytest.mark.parametrize(
    ("name", "email", "field", "message"),
    [
        ("", "", "name", "Enter their name."),
        ("   ", "", "name", "Enter their name."),
        ("x" * 101, "", "name", "At most 100 characters, please."),
        ("Two\nlines", "", "name", "Keep this on one line, without control characters."),
        ("Ann", "not-an-email", "email", "Enter a valid email address."),
    ],
)
def test_door_walk_in_refuses_bad_input(small_event, organiser, name, email, field, message):
    error = refused(door.door_walk_in, event=small_event, user=organiser, name=name, email=email)

    assert (error.kind, error.field, error.message) == (Kind.INVALID, field, message)
    assert Rsvp.objects.count() == 0


def test_door_walk_in_when_full_needs_override(full_event, organiser):
    error = refused(door.door_walk_in, event=full_event, user=organiser, name="Late Larry")

    assert (error.kind, error.field) == (Kind.CONFLICT, "override")
    assert Rsvp.objects.filter(is_walk_in=True).count() == 0

    door.door_walk_in(event=full_event, user=organiser, name="Late Larry", override=True)
    assert counts(full_event)["going"] == 4


def test_door_walk_in_at_a_cancelled_event_is_refused(small_event, organiser):
    Event.objects.filter(pk=small_event.pk).update(status=Event.Status.CANCELLED)

    error = refused(door.door_walk_in, event=small_event, user=organiser, name="Ann", override=True)

    assert (error.kind, error.message) == (Kind.CONFLICT, "This event is cancelled.")


def test_door_walk_in_by_another_groups_organiser_is_not_found(small_event):
    other = factories.make_user(username="other-org")
    factories.make_group().organisers.add(other)

    error = refused(door.door_walk_in, event=small_event, user=other, name="Ann")

    assert error.kind == Kind.NOT_FOUND
    assert Rsvp.objects.count() == 0


# --- ticket scans --------------------------------------------------------------------------


def test_ticket_scan_checks_the_party_in(small_event, organiser, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=1).rsvp

    result = door.ticket_scan(event=small_event, token=rsvp.ticket_token, user=organiser)

    assert result.message == "Checked in p0 with 1 guest."
    rsvp.refresh_from_db()
    assert (rsvp.is_checked_in, rsvp.guests_checked_in) == (True, 1)


def test_ticket_scan_of_a_used_ticket_says_when(small_event, organiser, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp
    at = timezone.make_aware(timezone.datetime(2026, 3, 5, 18, 7), small_event.tzinfo).astimezone(
        timezone.UTC
    )
    services.rsvp_check_in(rsvp=rsvp, user=organiser, now=at)

    error = refused(door.ticket_scan, event=small_event, token=rsvp.ticket_token, user=organiser)

    assert (error.kind, error.message) == (Kind.CONFLICT, "Already used: p0 checked in at 6:07 PM.")


def test_ticket_scan_of_a_cancelled_ticket(small_event, organiser, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp
    services.rsvp_cancel(rsvp_id=rsvp.pk, user=people[0])

    error = refused(door.ticket_scan, event=small_event, token=rsvp.ticket_token, user=organiser)

    assert error.kind == Kind.CONFLICT
    assert error.message.startswith("Cancelled: p0 cancelled this RSVP at ")


def test_ticket_scan_of_a_waitlisted_ticket(full_event, organiser, people):
    waiting = Rsvp.objects.get(user=people[1])

    error = refused(door.ticket_scan, event=full_event, token=waiting.ticket_token, user=organiser)

    assert (error.kind, error.message) == (
        Kind.CONFLICT,
        "Waitlisted: p1 has no seat yet. Admit them from the waitlist.",
    )


def test_ticket_scan_of_another_event_of_the_group_names_it(small_event, group, organiser, people):
    other = factories.make_event(group=group, title="Django Girls", starts_in=timedelta(days=30))
    rsvp = services.rsvp_create(event=other, user=people[0]).rsvp

    error = refused(door.ticket_scan, event=small_event, token=rsvp.ticket_token, user=organiser)

    day = timezone.localtime(other.starts_at, other.tzinfo).strftime("%-d %b")
    assert (error.kind, error.message) == (
        Kind.CONFLICT,
        f"Another event: p0's ticket is for Django Girls ({day}).",
    )
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


@pytest.mark.parametrize("token", ["", "no-such-ticket-token-at-all"])
def test_ticket_scan_of_an_unknown_ticket_is_invalid(small_event, organiser, token):
    error = refused(door.ticket_scan, event=small_event, token=token, user=organiser)

    assert (error.kind, error.message) == (Kind.INVALID, "Not a ticket for this event.")


def test_ticket_scan_of_another_groups_ticket_reads_as_unknown(small_event, organiser, people):
    """Guards: a ticket of a group the organiser does not run tells them nothing about it."""
    elsewhere = factories.make_event(title="Secret meetup")
    rsvp = services.rsvp_create(event=elsewhere, user=people[0]).rsvp

    error = refused(door.ticket_scan, event=small_event, token=rsvp.ticket_token, user=organiser)

    assert (error.kind, error.message) == (Kind.INVALID, "Not a ticket for this event.")
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_attendee_name_falls_back_to_the_username_then_the_email():
    named = factories.make_user(username="u1", first_name="Ada", last_name="L")
    plain = factories.make_user(username="u2")
    nameless = factories.make_user(email="grace@example.org")
    nameless.username = ""  # accounts made with an email only

    assert [door.attendee_name(u) for u in (named, plain, nameless)] == ["Ada L", "u2", "grace"]
