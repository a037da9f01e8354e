"""Capacity changes happen wherever an Event is saved (the admin, organiser forms): after the
save commits, fill any new seats from the waitlist."""

from django.db import transaction
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from meetups.models import Event

from .services import waitlist_promote

LOADED_CAPACITY = "_rsvp_loaded_capacity"


@receiver(post_init, sender=Event, dispatch_uid="rsvp_remember_capacity")
def remember_capacity(sender, instance: Event, **kwargs) -> None:
    # Saves that leave the capacity alone (a title edit, publishing) then cost nothing and
    # announce nothing.
    setattr(instance, LOADED_CAPACITY, instance.__dict__.get("capacity"))


@receiver(post_save, sender=Event, dispatch_uid="rsvp_promote_after_event_save")
def promote_after_event_save(sender, instance: Event, created: bool, **kwargs) -> None:
    if created or kwargs.get("raw"):
        return
    if instance.capacity == getattr(instance, LOADED_CAPACITY, None):
        return
    setattr(instance, LOADED_CAPACITY, instance.capacity)
    event_id = instance.pk
    # Robust: a failure here must not turn the organiser's successful save into an error.
    transaction.on_commit(lambda: waitlist_promote(event=Event(pk=event_id)), robust=True)
