"""Notify listens to meetups: a published event is announced to the members who want it."""

from django.dispatch import receiver

from meetups.models import Event
from meetups.signals import event_published

from .services import event_announce


@receiver(event_published, sender=Event, dispatch_uid="notify.receivers.event_published")
def announce_published_event(sender, event: Event, **kwargs) -> None:
    event_announce(event=event)
