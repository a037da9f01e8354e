"""The door: check-in (and its undo) of a going RSVP, under the same event lock as the seats."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetups.models import Event
from portal.errors import conflict, not_found

from ..models import Rsvp
from ..rules import can_check_in
from .seats import RsvpResult, _after_commit_announce, _lock_event


def _record_attendance(event_id: int) -> None:
    # After the event its attendance is what the door counted; kept current at every
    # check-in so nothing has to run when the event ends. A queryset update: not a save, so
    # the capacity receiver does not fire.
    people = Rsvp.objects.filter(event_id=event_id, checked_in_at__isnull=False).aggregate(
        n=Coalesce(Sum(F("guests") + 1), 0)
    )["n"]
    Event.objects.filter(pk=event_id).update(recorded_attendance=people)


def rsvp_check_in(
    *, rsvp: Rsvp, user: AbstractBaseUser, undo: bool = False, now: datetime | None = None
) -> RsvpResult:
    """Check a going RSVP in with its guests (or undo it); the event's door is its organisers'
    (`rsvp.rules.can_check_in`; anyone else is told the RSVP does not exist).

    Idempotent both ways. Also writes `Event.recorded_attendance` (checked-in people) and,
    after commit, sends `attendance_changed`.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(rsvp.event_id)
        if not can_check_in(user, event):
            raise not_found("No such RSVP.")
        rsvp = Rsvp.objects.select_related("event", "user").get(pk=rsvp.pk)
        if not rsvp.is_going:
            raise conflict("Only people who are going can be checked in.")
        if undo == (not rsvp.is_checked_in):
            return RsvpResult(rsvp, changed=False)
        rsvp.checked_in_at = None if undo else now
        rsvp.checked_in_by = None if undo else user
        rsvp.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
        _record_attendance(event.pk)
        _after_commit_announce(event.pk)
    return RsvpResult(rsvp, changed=True)
