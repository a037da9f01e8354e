"""Live counts follow the RSVP app: every RSVP, cancellation or check-in broadcasts them; and
an event saved (published, moved, cancelled) re-sends the stage and counts, whose frames say
whether the room is open and whether RSVPs are (each process's hub keeps the last frames for
the sockets that connect next: without this, a dashboard opened right after publishing was
sent the frames from before, "This event is not published yet.")."""

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from meetups.models import Event
from rsvp.signals import attendance_changed

from . import broadcast

logger = logging.getLogger(__name__)


@receiver(attendance_changed, dispatch_uid="live.broadcast_counts")
def broadcast_counts(sender, *, event_id: int, **kwargs) -> None:
    # Already sent after commit by the RSVP services.
    broadcast.counts_changed(event_id=event_id)


def _event_saved(event_id: int) -> None:
    broadcast.stage_changed(event_id=event_id)
    broadcast.counts_changed(event_id=event_id, detail=False)


@receiver(post_save, sender=Event, dispatch_uid="live.event_saved")
def event_saved(sender, instance: Event, created: bool, **kwargs) -> None:
    if created or kwargs.get("raw"):
        return  # nobody can be watching an event that did not exist
    transaction.on_commit(partial(_event_saved, instance.pk), robust=True)
