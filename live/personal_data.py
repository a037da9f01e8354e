"""Your data, the live app's part (portal.personal_data): one function per kind of record.

Questions are kept when an account is erased: the thread and its answers stay readable, and
the author, now the anonymised account, is shown as "Deleted member". Question votes are kept
too, so every question's count (`Question.vote_count`) stays equal to its votes; they name
nobody once the account is anonymised.
"""

from django.dispatch import receiver

from portal.personal_data import account_erasing, iso, personal_data_requested

from .models import PollBallot, Question, QuestionVote
from .polls import poll_ballots_erase


@receiver(personal_data_requested, dispatch_uid="live.personal_data.questions")
def export_questions(sender, user, **kwargs):
    questions = (
        Question.objects.filter(author=user)
        .select_related("event", "talk")
        .order_by("created_at", "pk")
    )
    return "questions", [
        {
            "event": q.event.title,
            "talk": q.talk.title if q.talk_id else None,
            "text": q.text,
            "anonymous": q.is_anonymous,
            "status": q.status,
            "votes": q.vote_count,
            "answered_at": iso(q.answered_at),
            "created_at": iso(q.created_at),
        }
        for q in questions
    ]


@receiver(personal_data_requested, dispatch_uid="live.personal_data.question_votes")
def export_question_votes(sender, user, **kwargs):
    votes = (
        QuestionVote.objects.filter(user=user)
        .select_related("question__event")
        .order_by("created_at", "pk")
    )
    return "question_votes", [
        {
            "event": v.question.event.title,
            "question": v.question.text,
            "created_at": iso(v.created_at),
        }
        for v in votes
    ]


@receiver(personal_data_requested, dispatch_uid="live.personal_data.poll_ballots")
def export_poll_ballots(sender, user, **kwargs):
    ballots = (
        PollBallot.objects.filter(user=user)
        .select_related("poll__event", "poll__talk")
        .prefetch_related("options")
        .order_by("created_at", "pk")
    )
    return "poll_answers", [
        {
            "event": b.poll.event.title,
            "talk": b.poll.talk.title if b.poll.talk_id else None,
            "poll": b.poll.question,
            "answers": sorted(option.text for option in b.options.all()),
            "created_at": iso(b.created_at),
            "updated_at": iso(b.updated_at),
        }
        for b in ballots
    ]


@receiver(account_erasing, dispatch_uid="live.personal_data.poll_ballots")
def erase_poll_ballots(sender, user, **kwargs):
    # Closed polls keep the counts frozen when they closed; open ones count without them.
    poll_ballots_erase(user=user)
