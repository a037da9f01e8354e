"""Demo Q&A for `manage.py load_demo`: idempotent, on the next event's first talk."""

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.utils import timezone

from meetups.demo import demo_loaded
from meetups.models import Event, Talk

from .models import LiveState, Poll, PollBallot, PollOption, Question, QuestionVote

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


# A closed poll on a past talk (the seed's SyDjango #1 2024: "Concurrency in Python and
# Django", whose abstract asks "GIL too limiting? Greenlets too magical? Threads too
# dangerous? Processes too slow?"), with the demo accounts' answers.
DEMO_POLL_EVENT = "sydjango-1-2024-re-connect"
DEMO_POLL_TALK_TITLE = "Concurrency in Python and Django"
DEMO_POLL = {
    "question": "Which concurrency tool do you reach for first in a Django project?",
    "options": ["Threads", "Processes", "Async views and asyncio", "Greenlets (gevent)"],
    "answers": {"member": "Async views and asyncio", "organiser": "Threads"},
}


def load_poll_demo(*, member_email: str, organiser_email: str) -> None:
    User = get_user_model()
    talk = (
        Talk.objects.select_related("event")
        .filter(event__slug=DEMO_POLL_EVENT, title=DEMO_POLL_TALK_TITLE)
        .first()
    )
    voters = {
        "member": User.objects.filter(email=member_email).first(),
        "organiser": User.objects.filter(email=organiser_email).first(),
    }
    if not talk or None in voters.values():
        return
    poll, created = Poll.objects.get_or_create(
        event=talk.event,
        talk=talk,
        question=DEMO_POLL["question"],
        defaults={"status": Poll.Status.CLOSED, "created_by": voters["organiser"]},
    )
    if not created:
        return
    options = {
        text: PollOption.objects.create(poll=poll, text=text, position=n)
        for n, text in enumerate(DEMO_POLL["options"], 1)
    }
    for who, answer in DEMO_POLL["answers"].items():
        ballot = PollBallot.objects.create(poll=poll, user=voters[who])
        ballot.options.add(options[answer])
    answers = list(DEMO_POLL["answers"].values())
    for text, option in options.items():
        option.final_votes = answers.count(text)
        option.save(update_fields=["final_votes"])
    poll.final_ballots = len(answers)
    poll.opened_at = talk.event.starts_at
    poll.closed_at = talk.event.ends_at
    poll.save(update_fields=["final_ballots", "opened_at", "closed_at"])


@receiver(demo_loaded, dispatch_uid="live.demo")
def on_demo_loaded(*, member_email: str, organiser_email: str, **kwargs) -> None:
    load_live_demo(member_email=member_email, organiser_email=organiser_email)
    load_poll_demo(member_email=member_email, organiser_email=organiser_email)
