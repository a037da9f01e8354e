"""Q&A endpoints: the same services, rules (`live.rules`) and rate budgets as the live page.

Writes take `write_auth` (a session with its CSRF token, or a personal API token). Refusals are
the services' and selectors' `ServiceError`, answered by `portal.api` with the status of their
kind and the one error body (`portal.api_errors.ErrorOut`).
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from portal.api_auth import write_auth
from portal.api_errors import error_responses
from portal.ratelimit import check_rate

from . import selectors, services
from .models import QUESTION_MAX_LENGTH, Question
from .poll_api import router as poll_router

router = Router(tags=["live"])


class QuestionIn(Schema):
    text: str = Field(..., min_length=1, max_length=QUESTION_MAX_LENGTH)
    is_anonymous: bool = False
    talk: str | None = Field(None, description="A talk's slug; omit for the event-wide Q&A.")


class QuestionOut(Schema):
    id: int
    text: str
    author: str | None = Field(None, description="None when asked anonymously.")
    talk: str | None = None
    votes: int
    status: str
    answered: bool
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Question) -> str | None:
        return None if obj.is_anonymous else obj.author.get_username()

    @staticmethod
    def resolve_talk(obj: Question) -> str | None:
        return obj.talk.slug if obj.talk_id else None

    @staticmethod
    def resolve_votes(obj: Question) -> int:
        return obj.vote_count

    @staticmethod
    def resolve_answered(obj: Question) -> bool:
        return obj.is_answered


class QuestionVoteOut(Schema):
    voted: bool
    votes: int


def _event(request: HttpRequest, slug: str):
    return selectors.event_get_live(slug=slug, user=request.user)


@router.get("/events/{slug}/questions", response={200: list[QuestionOut], **error_responses(404)})
def question_list(request: HttpRequest, slug: str, talk: str | None = None, sort: str = "top"):
    """Visible questions of one Q&A (open first, then answered)."""
    event = _event(request, slug)
    scope = selectors.talk_for_scope(event=event, talk_slug=talk)
    questions = [
        q
        for q in selectors.qa_questions(event_id=event.pk, talk_id=scope.pk if scope else None)
        if q.status == Question.Status.VISIBLE
    ]
    qa = selectors.qa_state(questions=questions, sort=sort if sort in selectors.SORTS else "top")
    for q in questions:
        q.talk = scope
    return qa.open + qa.answered


@router.post(
    "/events/{slug}/questions",
    response={201: QuestionOut, **error_responses(403, 404, 409, 422, 429)},
    auth=write_auth,
)
def question_create(request: HttpRequest, slug: str, payload: QuestionIn):
    event = _event(request, slug)
    talk = selectors.talk_for_scope(event=event, talk_slug=payload.talk) if payload.talk else None
    check_rate(request, "live.question")
    question = services.question_create(
        event=event,
        talk=talk,
        author=request.user,
        text=payload.text,
        is_anonymous=payload.is_anonymous,
    )
    return Status(201, question)


def _vote(request: HttpRequest, question_id: int, *, up: bool) -> QuestionVoteOut:
    """Adding and taking back a vote spend one budget ("live.vote"), as on the page."""
    question = selectors.question_get(question_id=question_id)
    check_rate(request, "live.vote")
    # The service asks the rules: banned or not in the audience (403, told why), not in the
    # room (404), voting closed (409).
    if up:
        services.question_vote(question=question, user=request.user)
    else:
        services.question_unvote(question=question, user=request.user)
    question.refresh_from_db(fields=["vote_count"])
    return QuestionVoteOut(voted=up, votes=question.vote_count)


VOTE_ERRORS = error_responses(403, 404, 409, 429)


@router.post(
    "/questions/{question_id}/vote", response={200: QuestionVoteOut, **VOTE_ERRORS}, auth=write_auth
)
def question_vote(request: HttpRequest, question_id: int):
    """Upvote (idempotent: a second vote changes nothing)."""
    return _vote(request, question_id, up=True)


@router.delete(
    "/questions/{question_id}/vote", response={200: QuestionVoteOut, **VOTE_ERRORS}, auth=write_auth
)
def question_unvote(request: HttpRequest, question_id: int):
    """Take the upvote back (idempotent)."""
    return _vote(request, question_id, up=False)


# The poll routes (live/poll_api.py) under the same prefix and tag.
router.add_router("", poll_router)
