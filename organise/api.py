"""Organiser API under /api/organise/: the event summary, the RSVP window, cancelling, and
messages to attendees. Same services, rules and rate limits as the pages; a refusal is the
services' ServiceError, answered by the API's one handler (strangers: 404)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from meetups.models import Event
from portal.api_auth import member_auth, write_auth
from portal.api_errors import error_responses
from portal.ratelimit import check_rate

from . import selectors, services
from .models import AttendeeMessage

router = Router(tags=["organise"])


def _event(request: HttpRequest, group: str, event: str) -> Event:
    return selectors.organised_event_get(group_slug=group, event_slug=event, user=request.auth)


class TalkVotesOut(Schema):
    title: str
    slug: str
    proposal_votes: int
    question_count: int


class SummaryOut(Schema):
    event: str
    status: str
    capacity: int
    going: int
    going_rsvps: int
    waitlisted: int
    checked_in: int
    no_shows: int
    no_show_people: int
    questions_asked: int
    questions_answered: int
    rsvps_open: bool
    top_talks: list[TalkVotesOut]


class RsvpWindowIn(Schema):
    open: bool


class CancelIn(Schema):
    reason: str = ""


class CancelOut(Schema):
    status: str
    emailed: int


class MessageIn(Schema):
    audience: AttendeeMessage.Audience
    subject: str
    body: str


class MessageOut(Schema):
    id: int
    audience: str
    subject: str
    recipient_count: int
    sent_at: datetime


@router.get(
    "/organise/{group}/events/{event}/summary",
    response={200: SummaryOut, **error_responses(404)},
    auth=member_auth,
)
def event_summary(request: HttpRequest, group: str, event: str):
    """RSVPs, no-shows, attendance, questions and talks by votes (organisers of the group)."""
    return _summary(_event(request, group, event))


def _summary(event: Event) -> dict:
    summary = selectors.event_summary(event=event)
    stats = selectors.rsvp_stats(event=event)
    return {
        "event": event.slug,
        "status": event.status,
        "capacity": summary.counts["capacity"],
        "going": summary.counts["going"],
        "going_rsvps": summary.rsvps,
        "waitlisted": summary.counts["waitlisted"],
        "checked_in": summary.counts["checked_in"],
        "no_shows": summary.no_shows,
        "no_show_people": summary.no_show_people,
        "questions_asked": summary.questions["asked"],
        "questions_answered": summary.questions["answered"],
        "rsvps_open": stats.window_open,
        "top_talks": summary.top_talks,
    }


@router.post(
    "/organise/{group}/events/{event}/rsvp-window",
    response={200: SummaryOut, **error_responses(404, 409)},
    auth=write_auth,
)
def rsvp_window(request: HttpRequest, group: str, event: str, payload: RsvpWindowIn):
    """Open RSVPs now, or close them now."""
    organised_event = _event(request, group, event)
    service = services.rsvp_window_open if payload.open else services.rsvp_window_close
    service(event=organised_event, user=request.auth)
    return _summary(organised_event)


@router.post(
    "/organise/{group}/events/{event}/cancel",
    response={200: CancelOut, **error_responses(404, 409, 422)},
    auth=write_auth,
)
def cancel(request: HttpRequest, group: str, event: str, payload: CancelIn):
    """Cancel the event; everyone whose RSVP stands is emailed (a task)."""
    organised_event = _event(request, group, event)
    emailed = services.event_cancel(event=organised_event, user=request.auth, reason=payload.reason)
    return {"status": organised_event.status, "emailed": emailed}


@router.post(
    "/organise/{group}/events/{event}/messages",
    response={201: MessageOut, **error_responses(404, 409, 422, 429)},
    auth=write_auth,
)
def message_send(request: HttpRequest, group: str, event: str, payload: MessageIn):
    """Email one audience of the event (going, waitlisted, checked_in) and record it."""
    organised_event = _event(request, group, event)
    check_rate(request, "organise.message")
    record = services.attendee_message_send(
        event=organised_event,
        user=request.auth,
        audience=payload.audience,
        subject=payload.subject,
        body=payload.body,
    )
    return Status(201, record)
