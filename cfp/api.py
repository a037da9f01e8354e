"""API for the call for talks: ideas, proposals, votes and organiser decisions.

The same services and rules (`cfp.rules`) as the pages, so one vote each, deadlines and who may
decide are the same. Every write takes `write_auth`: a session with its CSRF token, or a personal
Bearer token. Refusals are the services' `ServiceError`, answered by `portal.api` with the status
of their kind and the one error body; the same budgets as the pages limit votes and posts.
"""

from datetime import datetime
from enum import StrEnum

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from meetups.models import Event
from meetups.selectors import group_get
from portal.api_auth import member_auth, write_auth
from portal.api_errors import error_responses
from portal.errors import invalid
from portal.pagination import PagePagination
from portal.ratelimit import check_rate

from . import rules, selectors, services
from .models import CallForTalks, Proposal, TalkIdea

router = Router(tags=["call for talks"])


class IdeaOut(Schema):
    id: int
    title: str
    description: str
    vote_count: int
    voted: bool
    proposal_count: int

    @staticmethod
    def resolve_proposal_count(obj) -> int:
        return len(obj.visible_proposals)


class ProposalPublicOut(Schema):
    id: int
    title: str
    abstract: str
    length_minutes: int
    audience_level: str
    idea: int | None = Field(None, alias="idea_id")
    speakers: list[str]
    vote_count: int | None = Field(
        None, description="Null while the group keeps tallies hidden until voting closes."
    )
    voted: bool


class ProposalOut(Schema):
    id: int
    group: str = Field(..., alias="group.slug")
    title: str
    abstract: str
    length_minutes: int
    audience_level: str
    idea: int | None = Field(None, alias="idea_id")
    notes_for_organisers: str
    preferred_events: list[str]
    preferred_dates: str
    status: str
    decision_message: str
    event: str | None = Field(None, alias="event.slug")
    created_at: datetime

    @staticmethod
    def resolve_preferred_events(obj) -> list[str]:
        return [event.slug for event in obj.preferred_events.all()]


class Level(StrEnum):
    everyone = "everyone"
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"


class ProposalIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    abstract: str = Field(..., min_length=1, max_length=10000)
    length_minutes: int
    audience_level: Level = Level.everyone
    idea: int | None = None
    notes_for_organisers: str = Field("", max_length=5000)
    preferred_events: list[str] = Field(default_factory=list, max_length=20)
    preferred_dates: str = Field("", max_length=200)


class ProposalPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    abstract: str | None = Field(None, min_length=1, max_length=10000)
    length_minutes: int | None = None
    audience_level: Level | None = None
    idea: int | None = None
    notes_for_organisers: str | None = Field(None, max_length=5000)
    preferred_events: list[str] | None = Field(None, max_length=20)
    preferred_dates: str | None = Field(None, max_length=200)


class CallOut(Schema):
    """The group's call: its dates (null when not set) and the lengths it takes."""

    is_open: bool
    opens_at: datetime | None
    closes_at: datetime | None
    voting_is_open: bool
    voting_opens_at: datetime | None
    voting_closes_at: datetime | None
    decisions_at: datetime | None
    time_zone: str = Field(..., description="The group's time zone, in which pages show dates.")
    talk_lengths: list[int]
    usual_length: int = Field(..., description="Where the proposal form's length starts.")


class VoteOut(Schema):
    voted: bool
    changed: bool


class ReviewIn(Schema):
    score: int | None = Field(None, ge=1, le=5)
    note: str = Field("", max_length=5000)


class ReviewOut(Schema):
    proposal: int = Field(..., alias="proposal_id")
    score: int | None
    note: str


class Decision(StrEnum):
    accept = "accept"
    decline = "decline"
    vote = "vote"
    reopen = "reopen"
    unschedule = "unschedule"


class DecisionIn(Schema):
    action: Decision
    message: str = Field("", max_length=5000)


class ScheduleIn(Schema):
    event: str = Field(..., description="The event's slug.")


class ScheduleOut(Schema):
    proposal: int
    talk: str
    event: str
    order: int


def _events(group, slugs: list[str]) -> list[Event]:
    events = selectors.event_list_by_slugs(group=group, slugs=slugs)
    if len(events) != len(set(slugs)):
        raise invalid("Unknown event in preferred_events.", field="preferred_events")
    return events


def _idea(group, pk: int | None) -> TalkIdea | None:
    if pk is None:
        return None
    idea = selectors.idea_find(group=group, pk=pk)
    if idea is None:
        raise invalid("Unknown talk idea.", field="idea")
    return idea


# --- reads --------------------------------------------------------------------------------------


@router.get("/groups/{slug}/ideas", response={200: list[IdeaOut], **error_responses(404)})
@paginate(PagePagination, page_size=50)
def list_ideas(request: HttpRequest, slug: str, sort: str = "votes"):
    group = group_get(slug=slug)
    return selectors.idea_list(group=group, user=request.user, sort=sort)


@router.get("/groups/{slug}/call-for-talks", response={200: CallOut, **error_responses(404)})
def get_call(request: HttpRequest, slug: str):
    group = group_get(slug=slug)
    call = CallForTalks.objects.for_group(group)
    return {
        "is_open": call.is_open(),
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "voting_is_open": call.voting_is_open(),
        "voting_opens_at": call.voting_opens_at,
        "voting_closes_at": call.voting_closes_at,
        "decisions_at": call.decisions_at,
        "time_zone": call.time_zone,
        "talk_lengths": call.length_choices,
        "usual_length": selectors.proposal_length_usual(group=group, call=call),
    }


@router.get(
    "/groups/{slug}/proposals",
    response={200: list[ProposalPublicOut], **error_responses(404)},
)
@paginate(PagePagination, page_size=50)
def list_proposals_in_voting(request: HttpRequest, slug: str):
    """Proposals open for the audience vote; counts are null while the group hides them."""
    group = group_get(slug=slug)
    show = rules.can_view_tallies(request.user, CallForTalks.objects.for_group(group))
    proposals = list(selectors.proposal_list_voting(group=group, user=request.user))
    return [
        {
            "id": p.pk,
            "title": p.title,
            "abstract": p.abstract,
            "length_minutes": p.length_minutes,
            "audience_level": p.audience_level,
            "idea_id": p.idea_id,
            "speakers": _speaker_names(p),
            "vote_count": p.vote_count if show else None,
            "voted": bool(p.voted),
        }
        for p in proposals
    ]


def _speaker_names(proposal: Proposal) -> list[str]:
    submitter = proposal.submitter
    profile = getattr(submitter, "speaker_profile", None)
    names = [profile.name if profile else submitter.get_username()]
    for co in proposal.co_speakers.all():
        if co.status == co.Status.ACCEPTED and co.user:
            co_profile = getattr(co.user, "speaker_profile", None)
            names.append(co_profile.name if co_profile else co.user.get_username())
    return names


@router.get("/me/proposals", response=list[ProposalOut], auth=member_auth)
def list_my_proposals(request: HttpRequest):
    return selectors.proposal_list_mine(user=request.user).prefetch_related("preferred_events")


# --- the speaker's writes -----------------------------------------------------------------------


@router.post(
    "/groups/{slug}/proposals",
    response={201: ProposalOut, **error_responses(404, 409, 422, 429)},
    auth=write_auth,
)
def submit_proposal(request: HttpRequest, slug: str, payload: ProposalIn):
    group = group_get(slug=slug)
    check_rate(request, "cfp.post")
    data = payload.dict()
    data["audience_level"] = str(data["audience_level"])
    data["idea"] = _idea(group, data["idea"])
    data["preferred_events"] = _events(group, data["preferred_events"])
    proposal = services.proposal_submit(user=request.user, group=group, **data)
    return Status(201, selectors.proposal_get_own(pk=proposal.pk, user=request.user))


@router.patch(
    "/proposals/{proposal_id}",
    response={200: ProposalOut, **error_responses(404, 409, 422)},
    auth=write_auth,
)
def edit_proposal(request: HttpRequest, proposal_id: int, payload: ProposalPatch):
    proposal = selectors.proposal_get_own(pk=proposal_id, user=request.user)
    data = payload.dict(exclude_unset=True)
    if data.get("audience_level") is not None:
        data["audience_level"] = str(data["audience_level"])
    if "idea" in data:
        data["idea"] = _idea(proposal.group, data["idea"])
    if data.get("preferred_events") is not None:
        data["preferred_events"] = _events(proposal.group, data["preferred_events"])
    data = {k: v for k, v in data.items() if v is not None or k == "idea"}
    services.proposal_update(user=request.user, proposal=proposal, **data)
    return selectors.proposal_get_own(pk=proposal_id, user=request.user)


@router.post(
    "/proposals/{proposal_id}/withdraw",
    response={200: ProposalOut, **error_responses(404, 409, 422)},
    auth=write_auth,
)
def withdraw_proposal(request: HttpRequest, proposal_id: int):
    proposal = selectors.proposal_get_own(pk=proposal_id, user=request.user)
    services.proposal_withdraw(user=request.user, proposal=proposal)
    return selectors.proposal_get_own(pk=proposal_id, user=request.user)


@router.post(
    "/proposals/{proposal_id}/resubmit",
    response={200: ProposalOut, **error_responses(404, 409, 422)},
    auth=write_auth,
)
def resubmit_proposal(request: HttpRequest, proposal_id: int):
    """A withdrawn proposal back to submitted, while the call is open (else 409)."""
    proposal = selectors.proposal_get_own(pk=proposal_id, user=request.user)
    services.proposal_resubmit(user=request.user, proposal=proposal)
    return selectors.proposal_get_own(pk=proposal_id, user=request.user)


# --- audience votes -----------------------------------------------------------------------------


VOTE_ERRORS = error_responses(403, 404, 409, 422, 429)


@router.post(
    "/proposals/{proposal_id}/vote", response={200: VoteOut, **VOTE_ERRORS}, auth=write_auth
)
def vote(request: HttpRequest, proposal_id: int):
    proposal = selectors.proposal_get_voting(pk=proposal_id, user=request.user)
    check_rate(request, "cfp.vote")
    changed = services.proposal_vote_add(user=request.user, proposal=proposal)
    return {"voted": True, "changed": changed}


@router.delete(
    "/proposals/{proposal_id}/vote", response={200: VoteOut, **VOTE_ERRORS}, auth=write_auth
)
def unvote(request: HttpRequest, proposal_id: int):
    proposal = selectors.proposal_get_voting(pk=proposal_id, user=request.user)
    check_rate(request, "cfp.vote")
    changed = services.proposal_vote_remove(user=request.user, proposal=proposal)
    return {"voted": False, "changed": changed}


# --- organisers ---------------------------------------------------------------------------------


@router.put(
    "/proposals/{proposal_id}/review",
    response={200: ReviewOut, **error_responses(404, 422)},
    auth=write_auth,
)
def save_review(request: HttpRequest, proposal_id: int, payload: ReviewIn):
    proposal = selectors.proposal_get_for_review(pk=proposal_id, user=request.user)
    return services.review_save(
        user=request.user, proposal=proposal, score=payload.score, note=payload.note
    )


@router.post(
    "/proposals/{proposal_id}/decision",
    response={200: ProposalOut, **error_responses(404, 409, 422)},
    auth=write_auth,
)
def decide(request: HttpRequest, proposal_id: int, payload: DecisionIn):
    proposal = selectors.proposal_get_for_review(pk=proposal_id, user=request.user)
    services.proposal_decide(
        user=request.user, proposal=proposal, action=str(payload.action), message=payload.message
    )
    return Proposal.objects.select_related("group", "event").get(pk=proposal.pk)


@router.post(
    "/proposals/{proposal_id}/schedule",
    response={200: ScheduleOut, **error_responses(404, 409, 422)},
    auth=write_auth,
)
def schedule(request: HttpRequest, proposal_id: int, payload: ScheduleIn):
    proposal = selectors.proposal_get_for_review(pk=proposal_id, user=request.user)
    event = selectors.event_get_for_lineup(
        group=proposal.group, slug=payload.event, user=request.user
    )
    talk = services.proposal_schedule(user=request.user, proposal=proposal, event=event)
    return {"proposal": proposal.pk, "talk": talk.slug, "event": event.slug, "order": talk.order}
