"""Demo reminder times (called by meetups.demo): the second upcoming demo event has its own,
so the organiser's reminders page shows both the defaults and a choice of the organiser's."""

from django.dispatch import receiver

from meetups.demo import demo_loaded
from meetups.models import Event

from .models import ReminderPlan
from .services import reminders_schedule

DEMO_OFFSETS_MINUTES = [2880, 120]


def load_demo_reminders() -> None:
    """Idempotent. Queues the demo events' sends when the task backend can run them later."""
    upcoming = list(Event.objects.upcoming().filter(status=Event.Status.PUBLISHED)[:2])
    if len(upcoming) == 2:
        ReminderPlan.objects.update_or_create(
            event=upcoming[1], defaults={"offsets_minutes": DEMO_OFFSETS_MINUTES}
        )
    for event in upcoming:
        reminders_schedule(event_id=event.pk)


@receiver(demo_loaded, dispatch_uid="reminders.demo")
def on_demo_loaded(**kwargs) -> None:
    load_demo_reminders()
