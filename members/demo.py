"""Demo memberships (called by meetups.demo through `demo_loaded`): the demo member and the
demo attendees belong to the seed group, joined over the past year; a few chose not to be
listed on the members page."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from meetups.demo import demo_loaded

from .models import Membership

# The same people rsvp.demo RSVPs with (whichever receiver runs first creates them).
DEMO_ATTENDEES = 24


def load_demo_members(*, group, member_email: str, now) -> None:
    """Idempotent: one membership per demo person."""
    User = get_user_model()
    people = list(User.objects.filter(email=member_email))
    for n in range(1, DEMO_ATTENDEES + 1):
        user, created = User.objects.get_or_create(
            username=f"attendee{n}",
            defaults={"email": f"attendee{n}@example.com", "first_name": f"Attendee {n}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append(user)
    for n, person in enumerate(people):
        Membership.objects.get_or_create(
            group=group,
            user=person,
            defaults={"joined_at": now - timedelta(days=360 - 14 * n), "listed": n % 5 != 3},
        )


@receiver(demo_loaded, dispatch_uid="members.demo")
def on_demo_loaded(*, group, member_email: str, now, **kwargs) -> None:
    load_demo_members(group=group, member_email=member_email, now=now)
