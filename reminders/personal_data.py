"""What the reminders app holds about a person: the reminders and recaps sent to them."""

from django.dispatch import receiver

from portal.personal_data import account_erasing, iso, personal_data_requested

from .models import Delivery
from .selectors import deliveries_for_user


@receiver(personal_data_requested, dispatch_uid="reminders.personal_data.export")
def export_deliveries(sender, user, **kwargs):
    return "reminders_sent", [
        {
            "event": d.event.title,
            "event_slug": d.event.slug,
            "kind": d.kind,
            "minutes_before_start": d.offset_minutes if d.kind == "reminder" else None,
            "waitlist_position": d.waitlist_position,
            "sent_at": iso(d.sent_at),
        }
        for d in deliveries_for_user(user=user)
    ]


@receiver(account_erasing, dispatch_uid="reminders.personal_data.erase")
def erase_deliveries(sender, user, **kwargs) -> None:
    Delivery.objects.filter(user=user).delete()
