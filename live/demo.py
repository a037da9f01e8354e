"""Demo Q&A for `manage.py load_demo`: idempotent, on the next event's first talk."""

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.utils import timezone

from meetups.demo import demo_loaded
from meetups.models import Event

from .models import LiveState, Question, QuestionVote

DEMO_QUESTIONS = [
    {"text": "How do you keep websocket fan-out fast with thousands of phones in the room?",
     "votes": 2},
    {"text": "Is the async ORM ready for production, or do you still wrap calls in "
             "sync_to_async?", "votes": 1, "anonymous": True},
    {"text": "Which parts of this talk would change on PostgreSQL instead of SQLite?",
     "votes": 0, "answered": True},
    {"text": "Buy cheap followers here!!!", "votes": 0, "hidden": True},
]  # fmt: skip


def load_live_demo(*, member_email: str, organiser_email: str) -> None:
    User = get_user_model()
    member = User.objects.filter(email=member_email).first()
    organiser = User.objects.filter(email=organiser_email).first()
    event = Event.objects.published().filter(status=Event.Status.PUBLISHED).upcoming().first()
    if member is None or organiser is None or event is None:
        return
    talk = event.talks.order_by("order", "pk").first()
    voters = [member, organiser]
    for spec in DEMO_QUESTIONS:
        question, created = Question.objects.get_or_create(
            event=event,
            talk=talk,
            text=spec["text"],
            defaults={
                "author": member,
                "is_anonymous": spec.get("anonymous", False),
                "status": Question.Status.HIDDEN if spec.get("hidden") else "visible",
                "answered_at": timezone.now() if spec.get("answered") else None,
            },
        )
        if created:
            for voter in voters[: spec["votes"]]:
                QuestionVote.objects.create(question=question, user=voter)
            question.vote_count = spec["votes"]
            question.save(update_fields=["vote_count"])
    LiveState.objects.get_or_create(event=event, defaults={"current_talk": talk})


@receiver(demo_loaded, dispatch_uid="live.demo")
def on_demo_loaded(*, member_email: str, organiser_email: str, **kwargs) -> None:
    load_live_demo(member_email=member_email, organiser_email=organiser_email)
