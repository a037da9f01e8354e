"""Reminders before an event and the recap after it, each sent to a person exactly once.

Three tables (docs/reminders.md has the whole argument):

- `ReminderPlan`: an event's reminder offsets, where the organiser changed the default.
- `ScheduledSend`: one row per task ever queued for (event, kind, offset, the event time it was
  computed for), so saving an event again queues nothing twice.
- `Delivery`: one row per email sent, unique per (event, person, kind, offset, event time).
  A worker inserts it in the same transaction as it sends, so the unique key is the claim.
"""

from django.conf import settings
from django.db import models

from meetups.models import Event

# Bounds of an event's reminder offsets, in minutes.
OFFSETS_MAX_COUNT = 3
OFFSET_MIN_MINUTES = 15
OFFSET_MAX_MINUTES = 14 * 24 * 60


class Kind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    RECAP = "recap", "Recap"


class ReminderPlan(models.Model):
    """When an event's reminders go: minutes before the start, largest first. No row: the
    defaults (`settings.REMINDER_DEFAULT_OFFSETS_MINUTES`). An empty list: no reminders."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="reminder_plan")
    offsets_minutes = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.event}: {self.offsets_minutes}"


class ScheduledSend(models.Model):
    """A task queued for one send of an event: a reminder `offset_minutes` before `for_time`
    (the start), or the recap `offset_minutes` after `for_time` (the end)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="scheduled_sends")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    offset_minutes = models.PositiveIntegerField()
    for_time = models.DateTimeField()
    run_after = models.DateTimeField()
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_after", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "offset_minutes", "for_time"],
                name="reminders_scheduled_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.offset_minutes} min, {self.event} at {self.for_time}"


class Delivery(models.Model):
    """One email sent to one person: inserted in the sending transaction, so a second insert
    for the same key (another worker, a re-run after a crash) fails instead of sending."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    offset_minutes = models.PositiveIntegerField()
    for_time = models.DateTimeField()
    # The waitlist place the reminder told the person (None: they were going).
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "kind", "offset_minutes", "for_time"],
                name="reminders_delivered_once",
            )
        ]
        indexes = [models.Index(fields=["user", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user} for {self.event}"
