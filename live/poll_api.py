"""Poll endpoints: the same services, rules (`live.rules`) and rate budgets as the pages.

Writes take `write_auth` (a session with its CSRF token, or a personal API token). Refusals are
the services' and selectors' `ServiceError`, answered by `portal.api` with the status of their
kind and the one error body. Results a poll keeps for its reveal are null for the room (its
organisers, and the speakers of its talk, get them).
"""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from portal.api_auth import write_auth
from portal.api_errors import error_responses
from portal.errors import not_found
from portal.numbers import MAX_ID
from portal.ratelimit import check_rate

from . import poll_selectors, polls, selectors
from .models import (
    POLL_MAX_OPTIONS,
    POLL_MIN_OPTIONS,
    POLL_OPTION_MAX_LENGTH,
    POLL_QUESTION_MAX_LENGTH,
    Poll,
)
from .rules import can_manage_poll

router = Router(tags=["live"])

# Ids from outside stay within what the database can compare (portal.numbers).
POLL_ID = Path(..., ge=1, le=MAX_ID)
OptionId = Annotated[int, Field(ge=1, le=MAX_ID)]
OptionText = Annotated[str, Field(min_length=1, max_length=POLL_OPTION_MAX_LENGTH)]


class PollIn(Schema):
    question: str = Field(..., min_length=1, max_length=POLL_QUESTION_MAX_LENGTH)
    options: list[OptionText] = Field(..., min_length=POLL_MIN_OPTIONS, max_length=POLL_MAX_OPTIONS)
    kind: Poll.Kind = Poll.Kind.SINGLE
    results: Poll.Results = Field(
        Poll.Results.LIVE, description="live: shown while voting; reveal: only once revealed."
    )
    talk: str | None = Field(None, description="A talk's slug; omit for an event-wide poll.")


class BallotIn(Schema):
    options: list[OptionId] = Field(..., min_length=1, max_length=POLL_MAX_OPTIONS)


class OptionOut(Schema):
    id: int
    text: str = Field(..., max_length=POLL_OPTION_MAX_LENGTH)
    votes: int | None = Field(None, description="None while the results wait for the reveal.")


class PollOut(Schema):
    id: int
    question: str
    talk: str | None
    kind: str
    results: str
    status: str
    revealed: bool
    opened_at: datetime | None
    closed_at: datetime | None
    people_answered: int
    options: list[OptionOut]


class BallotOut(Schema):
    poll: int
    options: list[int]


def _out(poll: Poll, user) -> dict:
    shown = poll.results_public or can_manage_poll(user, poll)
    return {
        "id": poll.pk,
        "question": poll.question,
        "talk": poll.talk.slug if poll.talk_id else None,
        "kind": poll.kind,
        "results": poll.results,
        "status": poll.status,
        "revealed": poll.results_public,
        "opened_at": poll.opened_at,
        "closed_at": poll.closed_at,
        "people_answered": poll.ballot_count,
        "options": [
            {"id": o.pk, "text": o.text, "votes": o.votes if shown else None}
            for o in poll.options.all()
        ],
    }


def _poll(request: HttpRequest, poll_id: int) -> Poll:
    """A poll this person may see: opened, or a draft they may manage; NOT_FOUND otherwise."""
    poll = poll_selectors.poll_get(poll_id=poll_id)
    selectors.event_get_live(slug=poll.event.slug, user=request.user)
    if poll.status == Poll.Status.DRAFT and not can_manage_poll(request.user, poll):
        raise not_found("No such poll.")
    return poll


@router.get("/events/{slug}/polls", response={200: list[PollOut], **error_responses(404)})
def poll_list(request: HttpRequest, slug: str):
    """The event's polls: opened ones for everyone, and the drafts this person may manage."""
    event = selectors.event_get_live(slug=slug, user=request.user)
    mine = {p.pk: p for p in poll_selectors.polls_to_prepare(event=event, user=request.user)}
    opened = poll_selectors.event_polls_for_export(event=event)
    listed = {**{p.pk: p for p in opened}, **mine}
    return [_out(p, request.user) for p in sorted(listed.values(), key=lambda p: p.pk)]


@router.post(
    "/events/{slug}/polls",
    response={201: PollOut, **error_responses(404, 422, 429)},
    auth=write_auth,
)
def poll_create(request: HttpRequest, slug: str, payload: PollIn):
    """Prepare a poll (organisers; a talk's speakers for their own talk)."""
    event = selectors.event_get_live(slug=slug, user=request.user)
    talk = selectors.talk_for_scope(event=event, talk_slug=payload.talk) if payload.talk else None
    check_rate(request, "live.poll_write")
    poll = polls.poll_create(
        event=event,
        talk=talk,
        user=request.user,
        question=payload.question,
        options=payload.options,
        kind=payload.kind,
        results=payload.results,
    )
    poll = poll_selectors.attach_results([poll_selectors.poll_get(poll_id=poll.pk)])[0]
    return Status(201, _out(poll, request.user))


ACTIONS = {"open": polls.poll_open, "close": polls.poll_close, "reveal": polls.poll_reveal}
ACTION_ERRORS = error_responses(404, 409, 422, 429)


def _act(request: HttpRequest, poll_id: int, action: str) -> dict:
    poll = _poll(request, poll_id)
    check_rate(request, "live.poll_write")
    ACTIONS[action](poll=poll, user=request.user)
    poll = poll_selectors.attach_results([poll_selectors.poll_get(poll_id=poll.pk)])[0]
    return _out(poll, request.user)


@router.post("/polls/{poll_id}/open", response={200: PollOut, **ACTION_ERRORS}, auth=write_auth)
def poll_open(request: HttpRequest, poll_id: int = POLL_ID):
    """Open a prepared poll (one open poll per talk, and one event-wide)."""
    return _act(request, poll_id, "open")


@router.post("/polls/{poll_id}/close", response={200: PollOut, **ACTION_ERRORS}, auth=write_auth)
def poll_close(request: HttpRequest, poll_id: int = POLL_ID):
    """Close an open poll; its results become public and are kept."""
    return _act(request, poll_id, "close")


@router.post("/polls/{poll_id}/reveal", response={200: PollOut, **ACTION_ERRORS}, auth=write_auth)
def poll_reveal(request: HttpRequest, poll_id: int = POLL_ID):
    """Show an open poll's results to the room (idempotent)."""
    return _act(request, poll_id, "reveal")


@router.post(
    "/polls/{poll_id}/vote",
    response={200: BallotOut, **error_responses(403, 404, 409, 422, 429)},
    auth=write_auth,
)
def poll_vote(request: HttpRequest, payload: BallotIn, poll_id: int = POLL_ID):
    """Answer a poll, or change the answer while it is open (one ballot per person)."""
    poll = poll_selectors.poll_for_ballot(poll_id=poll_id, user=request.user)
    check_rate(request, "live.poll_vote")
    ballot = polls.poll_vote(poll=poll, user=request.user, option_ids=payload.options)
    return {"poll": poll.pk, "options": ballot.chosen_option_ids}


@router.get("/polls/{poll_id}/results", response={200: PollOut, **error_responses(404, 422)})
def poll_results(request: HttpRequest, poll_id: int = POLL_ID):
    """One poll with its results (option counts null until revealed, for the room)."""
    poll = _poll(request, poll_id)
    return _out(poll_selectors.attach_results([poll])[0], request.user)
