"""Talk feedback endpoints: the same services, rules (`feedback.rules`) and rate budget
("feedback.save") as the page.

Reads and writes need a signed-in person: a personal API token, or a session (with its CSRF
token for the write). Refusals are the services' `ServiceError`, answered by `portal.api` with
the status of their kind and the one error body.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from portal.api_auth import member_auth, write_auth
from portal.api_errors import error_responses
from portal.errors import not_found
from portal.people import display_name
from portal.ratelimit import check_rate

from . import rules, selectors, services
from .models import COMMENT_MAX_LENGTH, RATING_MAX, RATING_MIN, TalkFeedback

router = Router(tags=["feedback"])


class FeedbackIn(Schema):
    rating: int = Field(..., ge=RATING_MIN, le=RATING_MAX)
    comment: str = Field("", max_length=COMMENT_MAX_LENGTH)


class MyFeedbackOut(Schema):
    rating: int | None = Field(None, description="None until you have rated the talk.")
    comment: str = ""
    updated_at: datetime | None = None
    can_give: bool = Field(..., description="Whether you may rate the talk (or change it) now.")
    reason: str | None = Field(None, description="Why not, when can_give is false.")
    closes_at: datetime


class FeedbackEntryOut(Schema):
    rating: int
    comment: str
    created_at: datetime
    updated_at: datetime
    rater: str | None = Field(None, description="Who wrote it: shown to organisers only.")


class TalkFeedbackOut(Schema):
    count: int
    average: float | None
    distribution: dict[int, int]
    entries: list[FeedbackEntryOut]


def _mine(user, talk, feedback: TalkFeedback | None) -> MyFeedbackOut:
    can_give = rules.can_give_feedback(user, talk)
    refusal = None if can_give else services.feedback_refusal(user=user, talk=talk)
    return MyFeedbackOut(
        rating=feedback.rating if feedback else None,
        comment=feedback.comment if feedback else "",
        updated_at=feedback.updated_at if feedback else None,
        can_give=can_give,
        reason=refusal.message if refusal else None,
        closes_at=rules.closes_at(talk),
    )


@router.get(
    "/talks/{slug}/feedback/mine",
    response={200: MyFeedbackOut, **error_responses(404)},
    auth=member_auth,
)
def my_feedback(request: HttpRequest, slug: str):
    """Your rating of a talk (if any) and whether you may give or change it now."""
    talk = selectors.talk_get(slug=slug)
    return _mine(request.auth, talk, selectors.feedback_mine(user=request.auth, talk=talk))


@router.put(
    "/talks/{slug}/feedback/mine",
    response={200: MyFeedbackOut, 201: MyFeedbackOut, **error_responses(403, 404, 409, 422, 429)},
    auth=write_auth,
)
def my_feedback_put(request: HttpRequest, slug: str, payload: FeedbackIn):
    """Rate a talk you were at (201), or change your rating while its feedback is open (200)."""
    talk = selectors.talk_get(slug=slug)
    check_rate(request, "feedback.save")
    feedback, created = services.feedback_save(
        user=request.auth, talk=talk, rating=payload.rating, comment=payload.comment
    )
    return Status(201 if created else 200, _mine(request.auth, talk, feedback))


@router.get(
    "/talks/{slug}/feedback",
    response={200: TalkFeedbackOut, **error_responses(404)},
    auth=member_auth,
)
def talk_feedback(request: HttpRequest, slug: str):
    """A talk's ratings and comments: for its speakers (without names) and the group's
    organisers (with names); anyone else gets 404."""
    talk = selectors.talk_get(slug=slug)
    if not rules.can_view_feedback(request.auth, talk):
        raise not_found("No such talk.")
    with_raters = rules.can_see_raters(request.auth, talk)
    summary = selectors.talk_feedback_summary(talk=talk)
    entries = selectors.talk_feedback_entries(talk=talk, with_raters=with_raters)
    return TalkFeedbackOut(
        count=summary.count,
        average=summary.average,
        distribution=summary.distribution,
        entries=[
            FeedbackEntryOut(
                rating=e.rating,
                comment=e.comment,
                created_at=e.created_at,
                updated_at=e.updated_at,
                rater=display_name(e.user) if with_raters else None,
            )
            for e in entries
        ],
    )
