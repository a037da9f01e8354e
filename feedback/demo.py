"""Demo feedback for `manage.py load_demo`: idempotent, a few ratings on a past seed talk.

The raters are the demo attendees (made by rsvp's demo) and the demo member, checked in at
the Re-connect evening (February 2024) so the rows are ones the rules would have accepted."""

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from meetups.demo import demo_loaded
from meetups.models import Talk
from rsvp.models import Rsvp

from .models import TalkFeedback

DEMO_TALK = "what-is-django-and-why-is-it-relevant-in-2024"
DEMO_FEEDBACK = [
    ("member", 5, "The survey numbers were a great way to start the year. Loved it."),
    ("attendee1", 4, "Good overview of the Sydney job market; a few more examples, please."),
    ("attendee2", 5, ""),
    ("attendee3", 3, "Clear, but I knew most of it already."),
]


def load_feedback_demo() -> None:
    talk = Talk.objects.select_related("event").filter(slug=DEMO_TALK).first()
    if talk is None:
        return
    event = talk.event
    users = get_user_model().objects.filter(username__in=[u for u, _, _ in DEMO_FEEDBACK])
    by_name = {user.username: user for user in users}
    for username, rating, comment in DEMO_FEEDBACK:
        user = by_name.get(username)
        if user is None:
            continue
        Rsvp.objects.get_or_create(
            event=event,
            user=user,
            defaults={
                "status": Rsvp.Status.GOING,
                "queued_at": event.starts_at,
                "checked_in_at": event.starts_at,
            },
        )
        TalkFeedback.objects.get_or_create(
            talk=talk, user=user, defaults={"rating": rating, "comment": comment}
        )


@receiver(demo_loaded, dispatch_uid="feedback.demo")
def on_demo_loaded(**kwargs) -> None:
    load_feedback_demo()
