"""Demo RSVPs so the upcoming demo events show real numbers (called by meetups.demo)."""

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.utils import timezone

from meetups.demo import demo_loaded
from meetups.models import Event

from .models import Rsvp, RsvpSettings

DEMO_ATTENDEES = 24


def load_demo_rsvps(*, member_email: str = "member@example.com") -> None:
    """Idempotent: settings (2 guests) and a few RSVPs on each upcoming event; the demo member
    is going to the next one. Rows are written directly (no emails for demo people)."""
    User = get_user_model()
    people = []
    for n in range(1, DEMO_ATTENDEES + 1):
        user, created = User.objects.get_or_create(
            username=f"attendee{n}",
            defaults={"email": f"attendee{n}@example.com", "first_name": f"Attendee {n}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append(user)
    member = User.objects.filter(email=member_email).first()
    upcoming = list(Event.objects.published().upcoming().filter(status=Event.Status.PUBLISHED))
    for index, event in enumerate(upcoming):
        RsvpSettings.objects.get_or_create(event=event, defaults={"guests_allowed": 2})
        crowd = people[: max(DEMO_ATTENDEES - 8 * index, 4)]
        if index == 0 and member:
            crowd = [member, *crowd]
        for n, person in enumerate(crowd):
            Rsvp.objects.get_or_create(
                event=event,
                user=person,
                defaults={
                    "status": Rsvp.Status.GOING,
                    "guests": 1 if n % 4 == 1 else 0,
                    "queued_at": timezone.now(),
                },
            )


@receiver(demo_loaded, dispatch_uid="rsvp.demo")
def on_demo_loaded(*, member_email: str, **kwargs) -> None:
    load_demo_rsvps(member_email=member_email)
