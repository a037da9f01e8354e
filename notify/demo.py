"""Demo notifications (called by meetups.demo through `demo_loaded`): the organiser's
announcement of the 2024 reboot (from the seed notes: 21 February 2024 at Cover Genius), every
demo event marked as already announced (so nobody is emailed about them), and one attendee who
turned recaps off."""

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from meetups.demo import demo_loaded
from members.models import Membership

from .models import Announcement, EventAnnounced, Preference

REBOOT_SUBJECT = "SyDjango is back: Re-connect on 21 February"
REBOOT_BODY = """After a long break SyDjango meets again, on **Wednesday 21 February 2024** at
Cover Genius.

- *What is Django and why is it relevant in 2024?* (Rui Da Costa)
- *Concurrency in Python and Django* (Hashim Muqtadir)
- *10(8) Simple Techniques to Make Your DRF API Faster* (Artem Kolesnikov)

RSVP on the event page so we know how much pizza to order."""


def load_demo_notifications(*, group, organiser, now) -> None:
    """Idempotent."""
    members = Membership.objects.active().filter(group=group).count()
    Announcement.objects.get_or_create(
        group=group,
        subject=REBOOT_SUBJECT,
        defaults={
            "sender": organiser,
            "body": REBOOT_BODY,
            "status": Announcement.Status.SENT,
            "recipient_count": members,
            "sent_at": now,
        },
    )
    for event in group.events.exclude(status="draft"):
        EventAnnounced.objects.get_or_create(event=event)
    quiet = get_user_model().objects.filter(username="attendee3").first()
    if quiet is not None:
        Preference.objects.get_or_create(
            user=quiet, group=group, category="recaps", defaults={"enabled": False}
        )


@receiver(demo_loaded, dispatch_uid="notify.demo")
def on_demo_loaded(*, group, organiser, now, **kwargs) -> None:
    load_demo_notifications(group=group, organiser=organiser, now=now)
