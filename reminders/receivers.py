"""An event's time is set wherever an Event is saved (organiser forms, the admin, the API,
publishing): after a save of a published event commits, queue the sends it needs. A save that
changes nothing queues nothing (`reminders_schedule` keeps one task per event time)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from meetups.models import Event

from .services import reminders_schedule


@receiver(post_save, sender=Event, dispatch_uid="reminders_schedule_after_event_save")
def schedule_after_event_save(sender, instance: Event, **kwargs) -> None:
    if kwargs.get("raw") or instance.status != Event.Status.PUBLISHED:
        return
    event_id = instance.pk
    # Robust: a queue that is down must not turn the organiser's successful save into an error.
    transaction.on_commit(lambda: reminders_schedule(event_id=event_id), robust=True)
