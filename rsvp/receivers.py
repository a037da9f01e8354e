"""Capacity changes happen wherever an Event is saved (the admin, organiser forms): after the
save commits, fill any new seats from the waitlist."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from meetups.models import Event

from .services import waitlist_promote


@receiver(post_save, sender=Event, dispatch_uid="rsvp_promote_after_event_save")
def promote_after_event_save(sender, instance: Event, created: bool, **kwargs) -> None:
    if created or kwargs.get("raw"):
        return
    event_id = instance.pk
    # Robust: a failure here must not turn the organiser's successful save into an error.
    transaction.on_commit(lambda: waitlist_promote(event=Event(pk=event_id)), robust=True)
