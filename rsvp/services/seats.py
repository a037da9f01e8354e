"""Seats: RSVPs, guests, cancellations and the waitlist, each under the event's lock."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from meetups.models import Event
from meetups.rules import can_view_event
from members.rules import taking_part_prefetch
from portal.errors import conflict, forbidden, invalid, not_found
from portal.pagecache import page_cache_bump
from portal.rawsql import Columns, one_row

from .. import tasks
from ..models import Rsvp, RsvpSettings, seats_going
from ..rules import can_rsvp, rsvp_refusal
from ..signals import attendance_changed


@dataclass(frozen=True)
class RsvpResult:
    rsvp: Rsvp
    changed: bool


def rsvp_settings_get(*, event: Event) -> RsvpSettings:
    """The event's settings, or unsaved defaults (reads never write)."""
    try:
        return event.rsvp_settings
    except RsvpSettings.DoesNotExist:
        return RsvpSettings(event=event)


def rsvp_window_problem(*, event: Event, settings: RsvpSettings, now: datetime) -> str | None:
    """Why nobody can RSVP right now, or None when RSVPs are open."""
    if event.status == Event.Status.DRAFT:
        return "This event is not published yet."
    if event.is_cancelled:
        return "This event has been cancelled."
    if settings.opens_at and now < settings.opens_at:
        return "RSVPs are not open yet."
    if now >= settings.closes(event) or now >= event.ends_at:
        return "RSVPs for this event are closed."
    return None


@cache
def _own_rsvp_query() -> tuple[Columns, str]:
    """A person's RSVP for an event, in any state (there is one at most). Written out, and read
    through `Columns` rather than `.raw()`: it is read on every RSVP, and the ORM took longer
    to build it, and `.raw()` to map its columns, than the database to answer."""
    quote = connection.ops.quote_name
    columns = Columns(Rsvp, "r")
    sql = (
        f"SELECT {columns.sql} FROM {quote(Rsvp._meta.db_table)} r "  # noqa: S608
        f"WHERE r.{quote('event_id')} = %s AND r.{quote('user_id')} = %s"
    )
    return columns, sql


def _own_rsvp(event_id: int, user_id: int) -> Rsvp | None:
    columns, sql = _own_rsvp_query()
    values = one_row(sql, [event_id, user_id], columns)
    return None if values is None else columns.instance(values[0])


@cache
def _locked_columns() -> tuple[Columns, Columns, str]:
    """The event's and its settings' columns, and the statement that locks the event's row and
    reads both. Written out: every seat change runs it with the lock queue waiting behind, and
    the ORM took longer to build it than the database to answer."""
    quote = connection.ops.quote_name
    event, settings = Columns(Event, "e"), Columns(RsvpSettings, "s")
    lock = " FOR UPDATE OF e" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT {event.sql}, {settings.sql} FROM {quote(Event._meta.db_table)} e "  # noqa: S608
        f"LEFT JOIN {quote(RsvpSettings._meta.db_table)} s "
        f"ON s.{quote('event_id')} = e.{quote('id')} WHERE e.{quote('id')} = %s{lock}"
    )
    return event, settings, sql


def _lock_event(event_id: int) -> Event:
    # Every seat-changing write takes this row lock first, so they queue per event and the
    # seat sum read next is current. Other events are unaffected.
    # The settings come along in the same query (the lock covers only the event row).
    event_columns, settings_columns, sql = _locked_columns()
    values = one_row(sql, [event_id], event_columns, settings_columns)
    if values is None:
        raise not_found("No such event.")
    event = event_columns.instance(values[0])
    if values[1][0] is None:  # no settings row: known missing, as select_related leaves it
        Event.rsvp_settings.related.set_cached_value(event, None)
    else:
        event.rsvp_settings = settings_columns.instance(values[1])
    return event


def _seats_taken(event_id: int) -> int:
    return Rsvp.objects.filter(event_id=event_id).aggregate(n=seats_going())["n"]


def _check_guests(guests: int, settings: RsvpSettings) -> None:
    if guests < 0:
        raise invalid("The number of guests cannot be negative.", field="guests")
    if guests > settings.guests_allowed:
        if settings.guests_allowed == 0:
            raise invalid("This event does not allow guests.", field="guests")
        raise invalid(f"You can bring at most {settings.guests_allowed} guests.", field="guests")


def _require_may_rsvp(user: AbstractBaseUser, event: Event) -> None:
    taking_part_prefetch(user, event)  # the rule's membership and policy reads, as one
    if not can_rsvp(user, event):
        if not can_view_event(user, event):
            raise not_found("No such event.")
        raise forbidden(rsvp_refusal(user, event) or "Log in to RSVP.")


def _after_commit_announce(event_id: int) -> None:
    page_cache_bump(event_id=event_id)  # seats left on the public pages
    transaction.on_commit(
        lambda: attendance_changed.send(sender=Rsvp, event_id=event_id), robust=True
    )


def _after_commit_email(task, rsvp_id: int) -> None:
    # Robust: if the queue is down the RSVP stays committed and the failure is logged.
    transaction.on_commit(lambda: task.enqueue(rsvp_id=rsvp_id), robust=True)


def _promote_locked(*, event: Event, settings: RsvpSettings, now: datetime) -> list[Rsvp]:
    """Fill free seats from the waitlist in arrival order; the caller holds the event lock.

    Skips an RSVP that needs more seats than are free, so it does not block smaller parties
    behind it. Nobody is promoted after the cut-off or once the event is cancelled.
    """
    if event.is_cancelled or now >= settings.cutoff(event):
        return []
    free = event.capacity - _seats_taken(event.pk)
    promoted = []
    while free > 0:
        candidate = (
            Rsvp.objects.waitlisted().filter(event_id=event.pk, guests__lte=free - 1).first()
        )
        if candidate is None:
            break
        candidate.status = Rsvp.Status.GOING
        candidate.promoted_at = now
        candidate.save(update_fields=["status", "promoted_at", "updated_at"])
        free -= candidate.seats
        promoted.append(candidate)
        _after_commit_email(tasks.send_waitlist_promotion, candidate.pk)
    return promoted


def rsvp_create(
    *,
    event: Event,
    user: AbstractBaseUser,
    guests: int = 0,
    listed: bool = True,
    now: datetime | None = None,
) -> RsvpResult:
    """RSVP `user` as going if `1 + guests` seats are free, else put them on the waitlist.

    `listed`: whether they appear by name on the event page's list of who's going. Undoing a
    cancellation is this call with the cancelled RSVP's guests: a seat if one is still free,
    else the back of the waitlist (the result's status says which).

    Idempotent: an existing going or waitlisted RSVP is returned unchanged (changed=False), so a
    double click or a replayed POST does nothing. A cancelled RSVP is reopened at the back of the
    queue. After commit: the confirmation (or waitlist) email is queued and
    `attendance_changed` is sent. Refuses an event `user` may not RSVP to (`rsvp.rules.can_rsvp`:
    NOT_FOUND if they may not see it, FORBIDDEN if they are not logged in), bad guests
    (INVALID) and RSVPs outside the window (CONFLICT).

    The row is written by one SQL statement that also applies the seat rule (`_SEAT_RULE`),
    so no Rsvp `pre_save`/`post_save` is sent: listen to `attendance_changed`.
    """
    now = now or timezone.now()
    # Repeating an RSVP is answered from reads: no write transaction (on SQLite, the write lock).
    _require_may_rsvp(user, event)
    own = _own_rsvp(event.pk, user.pk)
    if own is not None:
        own.event = event  # the caller's copy of the same row: callers render it
        if own.status != Rsvp.Status.CANCELLED:
            return RsvpResult(own, changed=False)
    with transaction.atomic():
        locked = _lock_event(event.pk)
        if (locked.status, locked.group_id) != (event.status, event.group_id):
            # Whether the event can be seen turns on these; what else the rule reads
            # (memberships, bans, policies) is in rows this lock does not hold, so asking again
            # would cost a query under the lock and only narrow a race it cannot close.
            _require_may_rsvp(user, locked)
        settings = rsvp_settings_get(event=locked)
        _check_guests(guests, settings)
        if problem := rsvp_window_problem(event=locked, settings=settings, now=now):
            raise conflict(problem)
        rsvp = own or Rsvp(event=locked, user=user)
        rsvp.event = locked
        rsvp.guests = guests
        rsvp.listed = listed
        # Taken under the lock, so queue order is the order in which requests got it.
        rsvp.queued_at = timezone.now()
        rsvp.promoted_at = None
        rsvp.cancelled_at = None
        if not _save_with_seat_rule(rsvp, capacity=locked.capacity):
            # Someone else's request for the same person got in first and has committed (we
            # hold the lock it held): that RSVP is the answer, as for a repeat.
            return RsvpResult(
                Rsvp.objects.select_related("event").get(event_id=event.pk, user_id=user.pk),
                changed=False,
            )
        _after_commit_email(tasks.send_rsvp_confirmation, rsvp.pk)
        _after_commit_announce(locked.pk)
    return RsvpResult(rsvp, changed=True)


# The seat rule, where the write happens: GOING when the party's seats fit in what the
# event's going RSVPs leave of its capacity, else WAITLISTED. The sum is `models.seats_going`
# in SQL. Deciding inside the statement that writes means the event lock is held for that one
# statement and the commit, not for a read, a decision in Python and a write (the RSVP rush,
# docs/benchmarks.md). Parameters: seats, capacity, event id.
_SEAT_RULE = (
    "CASE WHEN %s <= %s - (SELECT COALESCE(SUM(r.guests + 1), 0) FROM {table} r"
    " WHERE r.event_id = %s AND r.status = 'going') THEN 'going' ELSE 'waitlisted' END"
)
_REOPENED = ("guests", "listed", "queued_at", "promoted_at", "cancelled_at", "updated_at")


def _save_with_seat_rule(rsvp: Rsvp, *, capacity: int) -> bool:
    """Write `rsvp` with its status decided by `_SEAT_RULE`: a new row, or (with a pk) the
    cancelled row reopened. Sets its pk and status. The caller holds the event lock. False if
    nothing was written: the person already has an RSVP for the event."""
    ops = connection.ops
    table = ops.quote_name(Rsvp._meta.db_table)
    rule = _SEAT_RULE.format(table=table)
    rule_params = [rsvp.seats, capacity, rsvp.event_id]
    adding = rsvp.pk is None
    fields = (
        [f for f in Rsvp._meta.concrete_fields if not f.primary_key]
        if adding
        else [Rsvp._meta.get_field(name) for name in _REOPENED]
    )
    names = [f.name for f in fields]
    values = [f.get_db_prep_save(f.pre_save(rsvp, adding), connection) for f in fields]
    columns = [ops.quote_name(f.column) for f in fields]
    status = ops.quote_name("status")
    # Only the model's own table and column names are spliced in; every value is a parameter.
    if adding:
        slots = [rule if name == "status" else "%s" for name in names]
        params = []
        for name, value in zip(names, values, strict=True):
            params += rule_params if name == "status" else [value]
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(slots)} WHERE 1 = 1"
            f" ON CONFLICT DO NOTHING RETURNING {status}, {ops.quote_name('id')}"
        )
    else:
        assignments = [f"{status} = {rule}", *(f"{column} = %s" for column in columns)]
        params = [*rule_params, *values, rsvp.pk, Rsvp.Status.CANCELLED]
        sql = (
            f"UPDATE {table} SET {', '.join(assignments)} WHERE {ops.quote_name('id')} = %s"  # noqa: S608
            f" AND {status} = %s RETURNING {status}, {ops.quote_name('id')}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    rsvp.status, rsvp.pk = row
    rsvp._state.adding = False
    rsvp._state.db = connection.alias
    return True


def _lock_own_rsvp(*, rsvp_id: int, user: AbstractBaseUser) -> tuple[Event, Rsvp]:
    event_id = Rsvp.objects.filter(pk=rsvp_id, user_id=user.pk).values_list("event_id", flat=True)
    if not event_id:
        raise not_found("No such RSVP.")
    event = _lock_event(event_id[0])
    return event, Rsvp.objects.select_related("event").get(pk=rsvp_id)


def rsvp_guests_change(
    *, rsvp_id: int, user: AbstractBaseUser, guests: int, now: datetime | None = None
) -> RsvpResult:
    """Change the guests of one's own RSVP.

    More guests on a going RSVP need that many free seats (else a CONFLICT, nothing
    changes); fewer guests free seats and promote the waitlist. A waitlisted RSVP keeps its
    place. After commit: `attendance_changed`, and promotion emails if anyone moved up.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event, rsvp = _lock_own_rsvp(rsvp_id=rsvp_id, user=user)
        settings = rsvp_settings_get(event=event)
        if rsvp.status == Rsvp.Status.CANCELLED:
            raise conflict("This RSVP is cancelled; RSVP again instead.")
        _check_guests(guests, settings)
        if guests == rsvp.guests:
            return RsvpResult(rsvp, changed=False)
        if guests > rsvp.guests:
            if problem := rsvp_window_problem(event=event, settings=settings, now=now):
                raise conflict(problem)
            if rsvp.is_checked_in:
                raise conflict("You are already checked in.")
        if rsvp.is_going and guests > rsvp.guests:
            free = event.capacity - _seats_taken(event.pk)
            extra = guests - rsvp.guests
            if extra > free:
                message = (
                    f"Only {free} more seat{'s' if free != 1 else ''} free; you asked for {extra}."
                    if free
                    else "The event is full, so you can't add guests now."
                )
                raise conflict(message, field="guests")
        rsvp.guests = guests
        rsvp.save(update_fields=["guests", "updated_at"])
        _promote_locked(event=event, settings=settings, now=now)
        _after_commit_announce(event.pk)
    rsvp.refresh_from_db()
    return RsvpResult(rsvp, changed=True)


def rsvp_listed_set(*, rsvp_id: int, user: AbstractBaseUser, listed: bool) -> RsvpResult:
    """Show or hide one's own name on the event's list of who's going. No seat moves, so no
    event lock and no email; after commit `attendance_changed` (the list is on live pages)."""
    rsvp = Rsvp.objects.select_related("event").filter(pk=rsvp_id, user_id=user.pk).first()
    if rsvp is None:
        raise not_found("No such RSVP.")
    if rsvp.listed == listed:
        return RsvpResult(rsvp, changed=False)
    with transaction.atomic():
        rsvp.listed = listed
        rsvp.save(update_fields=["listed", "updated_at"])
        _after_commit_announce(rsvp.event_id)
    return RsvpResult(rsvp, changed=True)


def rsvp_cancel(*, rsvp_id: int, user: AbstractBaseUser, now: datetime | None = None) -> RsvpResult:
    """Cancel one's own RSVP (going or waitlisted); cancelling twice changes nothing.

    A freed seat promotes the waitlist. After commit: the cancellation email, promotion emails
    and `attendance_changed`.
    """
    now = now or timezone.now()
    # Cancelling twice is answered from a read: no write transaction.
    own = Rsvp.objects.select_related("event").filter(pk=rsvp_id, user_id=user.pk).first()
    if own is None:
        raise not_found("No such RSVP.")
    if own.status == Rsvp.Status.CANCELLED:
        return RsvpResult(own, changed=False)
    with transaction.atomic():
        event, rsvp = _lock_own_rsvp(rsvp_id=rsvp_id, user=user)
        if rsvp.status == Rsvp.Status.CANCELLED:
            return RsvpResult(rsvp, changed=False)
        if rsvp.is_checked_in:
            raise conflict("You are already checked in; ask an organiser.")
        if event.is_past:
            raise conflict("This event is over.")
        rsvp.status = Rsvp.Status.CANCELLED
        rsvp.cancelled_at = now
        rsvp.save(update_fields=["status", "cancelled_at", "updated_at"])
        _promote_locked(event=event, settings=rsvp_settings_get(event=event), now=now)
        _after_commit_email(tasks.send_rsvp_cancellation, rsvp.pk)
        _after_commit_announce(event.pk)
    return RsvpResult(rsvp, changed=True)


def waitlist_promote(*, event: Event, now: datetime | None = None) -> list[Rsvp]:
    """Promote waitlisted RSVPs in order while seats are free and the cut-off has not passed.

    Called after capacity changes (see `rsvp.receivers`); the RSVP services promote on their
    own. After commit: a promotion email per promoted RSVP and `attendance_changed`.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_event(event.pk)
        promoted = _promote_locked(event=locked, settings=rsvp_settings_get(event=locked), now=now)
        _after_commit_announce(locked.pk)
    return promoted
