"""Live counts follow the RSVP app: every RSVP, cancellation or check-in broadcasts them."""

import logging

from django.dispatch import receiver

from rsvp.signals import attendance_changed

from . import broadcast

logger = logging.getLogger(__name__)


@receiver(attendance_changed, dispatch_uid="live.broadcast_counts")
def broadcast_counts(sender, *, event_id: int, **kwargs) -> None:
    # Already sent after commit by the RSVP services.
    broadcast.counts_changed(event_id=event_id)
