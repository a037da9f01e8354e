"""Writes: an event's reminder offsets, and queueing the sends an event needs."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.tasks import task_backends
from django.utils import timezone

from meetups.models import Event
from meetups.rules import is_group_organiser
from portal.errors import forbidden, invalid

from . import selectors, tasks
from .models import (
    OFFSET_MAX_MINUTES,
    OFFSET_MIN_MINUTES,
    OFFSETS_MAX_COUNT,
    Kind,
    ReminderPlan,
    ScheduledSend,
)

logger = logging.getLogger(__name__)


def offsets_check(offsets_minutes: list[int]) -> list[int]:
    """The offsets, distinct and largest first; INVALID (field "offsets") past the bounds."""
    offsets = sorted(set(offsets_minutes), reverse=True)
    if len(offsets) > OFFSETS_MAX_COUNT:
        raise invalid(f"Choose at most {OFFSETS_MAX_COUNT} reminders.", field="offsets")
    for minutes in offsets:
        if not OFFSET_MIN_MINUTES <= minutes <= OFFSET_MAX_MINUTES:
            raise invalid(
                "Each reminder goes between 15 minutes and 14 days before the event.",
                field="offsets",
            )
    return offsets


def reminder_plan_save(
    *, event: Event, user: AbstractBaseUser, offsets_minutes: list[int]
) -> list[int]:
    """Set when the event's reminders go (an organiser of its group); returns the offsets.

    After commit, queues the sends the new offsets need; a removed offset's queued task finds
    it gone and sends nothing."""
    if not is_group_organiser(user, event):
        raise forbidden("Only the group's organisers can change its reminders.")
    offsets = offsets_check(offsets_minutes)
    with transaction.atomic():
        ReminderPlan.objects.update_or_create(event=event, defaults={"offsets_minutes": offsets})
        # Robust: a queue that is down must not turn the saved choice into an error page.
        transaction.on_commit(lambda: reminders_schedule(event_id=event.pk), robust=True)
    return offsets


def _wanted(event: Event, now: datetime) -> list[tuple[str, int, datetime, datetime]]:
    sends = [
        (Kind.REMINDER, minutes, event.starts_at, event.starts_at - timedelta(minutes=minutes))
        for minutes in selectors.reminder_offsets(event=event)
    ]
    delay = settings.RECAP_DELAY_MINUTES
    sends.append((Kind.RECAP, delay, event.ends_at, event.ends_at + timedelta(minutes=delay)))
    # A send whose time has passed is not queued: the confirmation carried the ticket, and a
    # 24-hour reminder an hour before the start would only repeat the 2-hour one.
    return [send for send in sends if send[3] > now]


def reminders_schedule(*, event_id: int) -> int:
    """Queue the reminder and recap tasks a published event needs and has not got yet (one
    per kind, offset and event time: a save that changes nothing queues nothing; a new time
    queues new ones, and the old ones find the time changed). Returns how many were queued.

    Needs a task backend that can run a task later (`TASKS_BACKEND=database`); with any
    other it queues nothing."""
    if not task_backends["default"].supports_defer:
        return 0
    event = Event.objects.filter(pk=event_id, status=Event.Status.PUBLISHED).first()
    if event is None:
        return 0
    existing = set(
        ScheduledSend.objects.filter(
            event=event, for_time__in=[event.starts_at, event.ends_at]
        ).values_list("kind", "offset_minutes", "for_time")
    )
    queued = 0
    for kind, minutes, for_time, run_after in _wanted(event, timezone.now()):
        if (kind, minutes, for_time) in existing:
            continue
        task = tasks.send_event_reminders if kind == Kind.REMINDER else tasks.send_event_recap
        try:
            with transaction.atomic():
                row = ScheduledSend.objects.create(
                    event=event,
                    kind=kind,
                    offset_minutes=minutes,
                    for_time=for_time,
                    run_after=run_after,
                )
                # On the database backend the task row commits with this one, or neither.
                result = task.using(run_after=run_after).enqueue(
                    event_id=event.pk, offset_minutes=minutes, for_time=for_time.isoformat()
                )
                row.task_id = str(result.id)
                row.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # queued meanwhile by another process saving the same event
        queued += 1
    return queued
