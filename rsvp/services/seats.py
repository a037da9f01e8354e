"""Seats: RSVPs, guests, cancellations and the waitlist, each under the event's lock."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from meetups.models import Event
from meetups.rules import can_view_event
from portal.errors import conflict, forbidden, invalid, not_found

from .. import tasks
from ..models import Rsvp, RsvpSettings, seats_going
from ..rules import can_rsvp
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


def _lock_event(event_id: int) -> Event:
    # Every seat-changing write takes this row lock first, so they queue per event and the
    # seat sum read next is current. Other events are unaffected.
    # The settings come along in the same query (the lock covers only the event row).
    try:
        return (
            Event.objects.select_for_update(of=("self",))
            .select_related("rsvp_settings")
            .get(pk=event_id)
        )
    except Event.DoesNotExist:
        raise not_found("No such event.") from None


def _seats_taken(event_id: int) -> int:
    return Rsvp.objects.filter(event_id=event_id).aggregate(n=seats_going())["n"]


def _seats_taken_and_own_rsvp(event_id: int, user_id: int) -> tuple[int, Rsvp | None]:
    """The seats taken and `user_id`'s RSVP for the event. One query when the person has none
    (the rush's case): every statement under the event lock makes everyone behind it wait."""
    found = Rsvp.objects.filter(event_id=event_id).aggregate(
        taken=seats_going(), own_id=Max("pk", filter=Q(user_id=user_id))
    )
    own = Rsvp.objects.get(pk=found["own_id"]) if found["own_id"] is not None else None
    return found["taken"], own


def _check_guests(guests: int, settings: RsvpSettings) -> None:
    if guests < 0:
        raise invalid("The number of guests cannot be negative.", field="guests")
    if guests > settings.guests_allowed:
        if settings.guests_allowed == 0:
            raise invalid("This event does not allow guests.", field="guests")
        raise invalid(f"You can bring at most {settings.guests_allowed} guests.", field="guests")


def _require_may_rsvp(user: AbstractBaseUser, event: Event) -> None:
    if not can_rsvp(user, event):
        if not can_view_event(user, event):
            raise not_found("No such event.")
        raise forbidden("Log in to RSVP.")


def _after_commit_announce(event_id: int) -> None:
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
    """
    now = now or timezone.now()
    # Repeating an RSVP is answered from reads: no write transaction (on SQLite, the write lock).
    _require_may_rsvp(user, event)
    standing = (
        Rsvp.objects.select_related("event")
        .filter(event_id=event.pk, user_id=user.pk)
        .exclude(status=Rsvp.Status.CANCELLED)
        .first()
    )
    if standing is not None:
        return RsvpResult(standing, changed=False)
    with transaction.atomic():
        locked = _lock_event(event.pk)
        _require_may_rsvp(user, locked)
        settings = rsvp_settings_get(event=locked)
        _check_guests(guests, settings)
        taken, existing = _seats_taken_and_own_rsvp(locked.pk, user.pk)
        if existing is not None and existing.status != Rsvp.Status.CANCELLED:
            return RsvpResult(existing, changed=False)
        if problem := rsvp_window_problem(event=locked, settings=settings, now=now):
            raise conflict(problem)
        free = locked.capacity - taken
        status = Rsvp.Status.GOING if 1 + guests <= free else Rsvp.Status.WAITLISTED
        rsvp = existing or Rsvp(event=locked, user=user)
        rsvp.status = status
        rsvp.guests = guests
        rsvp.listed = listed
        # Taken under the lock, so queue order is the order in which requests got it.
        rsvp.queued_at = timezone.now()
        rsvp.promoted_at = None
        rsvp.cancelled_at = None
        rsvp.save()
        _after_commit_email(tasks.send_rsvp_confirmation, rsvp.pk)
        _after_commit_announce(locked.pk)
    return RsvpResult(rsvp, changed=True)


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
