"""The door: check-in person by person (and its undo), admitting from the waitlist, walk-ins
and ticket scans, all under the same event lock as the seats (`seats._lock_event`).

Only the event's organisers run its door (`rsvp.rules.can_check_in`); anyone else is told the
RSVP or event does not exist. Admitting or registering someone when every seat is taken is
refused as CONFLICT with `field="override"`: the door asks to confirm, then calls again with
`override=True` (the organiser decides; the room is theirs).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone

from meetups.models import Event
from portal.errors import conflict, invalid, not_found
from portal.people import display_name
from portal.text import require_email_address, require_single_line

from ..models import Rsvp
from ..rules import can_check_in
from .seats import RsvpResult, _after_commit_announce, _lock_event, _seats_taken

WALK_IN_NAME_MAX_LENGTH = 100


def people_checked_in(prefix: str = "") -> Coalesce:
    """People in, as an aggregate: the RSVP's own person if checked in, plus their guests in.
    `prefix` is the path from the queried model to the RSVP (`"rsvps__"` from an event)."""
    host = Case(
        When(**{f"{prefix}checked_in_at__isnull": False}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return Coalesce(
        Sum(host + F(f"{prefix}guests_checked_in"), filter=Q(**{f"{prefix}status": "going"})), 0
    )


# How the door, the attendee list and the CSV name a person: the portal's one way.
attendee_name = display_name


def _record_attendance(event_id: int) -> None:
    # After the event its attendance is what the door counted; kept current at every
    # check-in so nothing has to run when the event ends. A queryset update: not a save, so
    # the capacity receiver does not fire.
    people = Rsvp.objects.filter(event_id=event_id).aggregate(n=people_checked_in())["n"]
    Event.objects.filter(pk=event_id).update(recorded_attendance=people)


def _lock_door(event_id: int, user: AbstractBaseUser, message: str) -> Event:
    event = _lock_event(event_id)
    if not can_check_in(user, event):
        raise not_found(message)
    return event


def door_check_in(
    *,
    rsvp: Rsvp,
    user: AbstractBaseUser,
    host: bool | None = None,
    guests_in: int | None = None,
    now: datetime | None = None,
) -> RsvpResult:
    """Set who of a going party is in: the RSVP's own person (`host`) and how many of their
    guests (`guests_in`, 0..guests); None leaves that part as it is. Idempotent.

    Also writes `Event.recorded_attendance` (people in) and, after commit, sends
    `attendance_changed`. A guest count outside 0..guests is INVALID, a party that is not
    going CONFLICT.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_door(rsvp.event_id, user, "No such RSVP.")
        rsvp = Rsvp.objects.select_related("event", "user").get(pk=rsvp.pk)
        if not rsvp.is_going:
            raise conflict("Only people who are going can be checked in.")
        if guests_in is not None and not 0 <= guests_in <= rsvp.guests:
            raise invalid(f"Between 0 and {rsvp.guests} guests can be in.", field="guests_in")
        host_in = rsvp.is_checked_in if host is None else host
        guests = rsvp.guests_checked_in if guests_in is None else guests_in
        if (host_in, guests) == (rsvp.is_checked_in, rsvp.guests_checked_in):
            return RsvpResult(rsvp, changed=False)
        if host_in != rsvp.is_checked_in:
            rsvp.checked_in_at = now if host_in else None
        rsvp.guests_checked_in = guests
        rsvp.checked_in_by = user if (host_in or guests) else None
        rsvp.save(
            update_fields=["checked_in_at", "guests_checked_in", "checked_in_by", "updated_at"]
        )
        _record_attendance(event.pk)
        _after_commit_announce(event.pk)
    return RsvpResult(rsvp, changed=True)


def rsvp_check_in(
    *, rsvp: Rsvp, user: AbstractBaseUser, undo: bool = False, now: datetime | None = None
) -> RsvpResult:
    """Check a going RSVP in with all its guests (or, `undo`, take the whole party out); see
    `door_check_in` for one person at a time."""
    return door_check_in(
        rsvp=rsvp, user=user, host=not undo, guests_in=0 if undo else rsvp.guests, now=now
    )


def _require_room(event: Event, seats: int, who: str, override: bool) -> None:
    if event.is_cancelled:
        raise conflict("This event is cancelled.")
    taken = _seats_taken(event.pk)
    if taken + seats > event.capacity and not override:
        people = f"{seats} people" if seats > 1 else "1 person"
        raise conflict(
            f"The event is full ({taken} of {event.capacity} seats taken). Admitting {who} "
            f"({people}) takes it to {taken + seats}: confirm to admit anyway.",
            field="override",
        )


def door_admit(
    *, rsvp: Rsvp, user: AbstractBaseUser, override: bool = False, now: datetime | None = None
) -> RsvpResult:
    """Admit a waitlisted party at the door: going and checked in, guests included.

    Needs their seats free, else CONFLICT (`field="override"`) unless `override`. Admitting a
    party already going only checks it in. After commit: `attendance_changed` (no email: they
    are at the door).
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_door(rsvp.event_id, user, "No such RSVP.")
        rsvp = Rsvp.objects.select_related("event", "user").get(pk=rsvp.pk)
        if rsvp.status == Rsvp.Status.CANCELLED:
            raise conflict("This RSVP is cancelled.")
        if rsvp.is_waitlisted:
            _require_room(event, rsvp.seats, attendee_name(rsvp.user), override)
            rsvp.status = Rsvp.Status.GOING
            rsvp.promoted_at = now
            rsvp.save(update_fields=["status", "promoted_at", "updated_at"])
        # Same transaction (the lock is held): nobody takes the seats in between.
        return door_check_in(rsvp=rsvp, user=user, host=True, guests_in=rsvp.guests, now=now)


def door_walk_in(
    *,
    event: Event,
    user: AbstractBaseUser,
    name: str,
    email: str = "",
    override: bool = False,
    now: datetime | None = None,
) -> RsvpResult:
    """Register someone who turns up without an RSVP: a going RSVP, checked in, counted in
    the capacity like any other (a full event needs `override`, else CONFLICT with
    `field="override"`).

    The person gets no account: an inactive user with an unusable password and a generated
    username holds the name, so every RSVP path (constraints, lists, counts) works unchanged
    without a nullable user. Their email stays on the RSVP (`walk_in_email`), not on that
    user, so signing up with it later is not blocked. The name is required, one line, at most
    WALK_IN_NAME_MAX_LENGTH characters (INVALID otherwise). After commit:
    `attendance_changed`.
    """
    now = now or timezone.now()
    name = require_single_line(name or "", field="name")
    if not name:
        raise invalid("Enter their name.", field="name")
    if len(name) > WALK_IN_NAME_MAX_LENGTH:
        raise invalid(f"At most {WALK_IN_NAME_MAX_LENGTH} characters, please.", field="name")
    email = require_email_address(email, field="email") if (email or "").strip() else ""
    with transaction.atomic():
        locked = _lock_door(event.pk, user, "No event found.")
        _require_room(locked, 1, name, override)
        person = get_user_model()(
            username=f"walk-in-{secrets.token_hex(6)}", first_name=name, is_active=False
        )
        person.set_unusable_password()
        person.save()
        rsvp = Rsvp.objects.create(
            event=locked,
            user=person,
            status=Rsvp.Status.GOING,
            queued_at=now,
            checked_in_at=now,
            checked_in_by=user,
            is_walk_in=True,
            walk_in_email=email,
        )
        _record_attendance(locked.pk)
        _after_commit_announce(locked.pk)
    return RsvpResult(rsvp, changed=True)


@dataclass(frozen=True)
class ScanResult:
    rsvp: Rsvp
    message: str


def _at(moment: datetime, event: Event) -> str:
    return dateformat.format(timezone.localtime(moment, event.tzinfo), "g:i A")


def ticket_scan(
    *, event: Event, token: str, user: AbstractBaseUser, now: datetime | None = None
) -> ScanResult:
    """A ticket scanned at `event`'s door: checks its whole party in.

    Refuses, with a message for the door: an unknown ticket or one of an event `user` does not
    run (INVALID on the `ticket` field, "not a ticket for this event": what was scanned is
    not a ticket here, and the same answer for both tells nothing about other groups); a
    ticket of another event of theirs, an already used, cancelled or waitlisted ticket
    (CONFLICT, saying which and when).
    """
    rsvp = (
        Rsvp.objects.select_related("user", "event", "event__group")
        .filter(ticket_token=token)
        .first()
        if token
        else None
    )
    if rsvp is None or not can_check_in(user, rsvp.event):
        raise invalid("Not a ticket for this event.", field="ticket")
    name = attendee_name(rsvp.user)
    if rsvp.event_id != event.pk:
        when = dateformat.format(timezone.localtime(rsvp.event.starts_at, rsvp.event.tzinfo), "j M")
        raise conflict(f"Another event: {name}'s ticket is for {rsvp.event.title} ({when}).")
    if rsvp.status == Rsvp.Status.CANCELLED:
        when = f" at {_at(rsvp.cancelled_at, event)}" if rsvp.cancelled_at else ""
        raise conflict(f"Cancelled: {name} cancelled this RSVP{when}.")
    if rsvp.is_waitlisted:
        raise conflict(f"Waitlisted: {name} has no seat yet. Admit them from the waitlist.")
    if rsvp.is_checked_in:
        raise conflict(f"Already used: {name} checked in at {_at(rsvp.checked_in_at, event)}.")
    result = rsvp_check_in(rsvp=rsvp, user=user, now=now)
    guests = f" with {rsvp.guests} guest{'s' if rsvp.guests != 1 else ''}" if rsvp.guests else ""
    return ScanResult(result.rsvp, f"Checked in {name}{guests}.")
