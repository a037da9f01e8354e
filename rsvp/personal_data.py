"""Your data, the RSVP app's part (portal.personal_data): RSVPs, tickets and check-ins.

Erasing cancels every RSVP that can still be cancelled through the seat service, so the
waitlist moves and whoever is promoted is emailed after commit. RSVPs of events that are over,
or already checked in, are attendance history and stay, pointing at the anonymised account.
"""

from django.dispatch import receiver
from django.utils import timezone

from portal.personal_data import account_erasing, iso, personal_data_requested

from .models import Rsvp
from .services import rsvp_cancel


@receiver(personal_data_requested, dispatch_uid="rsvp.personal_data.rsvps")
def export_rsvps(sender, user, **kwargs):
    rsvps = Rsvp.objects.filter(user=user).select_related("event").order_by("created_at", "pk")
    return "rsvps", [
        {
            "event": r.event.title,
            "event_url": r.event.get_absolute_url(),
            "event_starts_at": iso(r.event.starts_at),
            "status": r.status,
            "guests": r.guests,
            "listed": r.listed,
            "ticket_url": r.get_ticket_url() if r.is_going else None,
            "queued_at": iso(r.queued_at),
            "promoted_at": iso(r.promoted_at),
            "cancelled_at": iso(r.cancelled_at),
            "checked_in_at": iso(r.checked_in_at),
            "guests_checked_in": r.guests_checked_in,
            "created_at": iso(r.created_at),
        }
        for r in rsvps
    ]


@receiver(account_erasing, dispatch_uid="rsvp.personal_data.cancel")
def cancel_rsvps(sender, user, **kwargs) -> None:
    now = timezone.now()
    cancellable = (
        Rsvp.objects.active()
        .filter(user=user, checked_in_at__isnull=True, event__ends_at__gte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for rsvp_id in list(cancellable):
        rsvp_cancel(rsvp_id=rsvp_id, user=user, now=now)
