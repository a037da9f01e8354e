"""Organiser API under /api/organise/: the event summary, the RSVP window, cancelling, and
messages to attendees. Same services and rules as the pages; strangers get 404."""

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from meetups.models import Event
from portal.api_auth import member_auth, write_auth

from . import selectors, services
from .models import AttendeeMessage
from .views import message_rate_limited

router = Router(tags=["organise"])


def _event(request: HttpRequest, group: str, event: str) -> Event:
    if not request.user.is_authenticated:
        raise HttpError(404, "No event found.")
    try:
        group_obj = selectors.group_get_for_organiser(slug=group, user=request.user)
        return selectors.event_get_for_organiser(group=group_obj, slug=event, user=request.user)
    except Http404:
        raise HttpError(404, "No event found.") from None


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except services.OrganiseError as error:
        raise HttpError(409, error.message) from None


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


@router.get("/organise/{group}/events/{event}/summary", response=SummaryOut, auth=member_auth)
def event_summary(request: HttpRequest, group: str, event: str):
    """RSVPs, no-shows, attendance, questions and talks by votes (organisers of the group)."""
    event_obj = _event(request, group, event)
    summary = selectors.event_summary(event=event_obj)
    stats = selectors.rsvp_stats(event=event_obj)
    return {
        "event": event_obj.slug,
        "status": event_obj.status,
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


@router.post("/organise/{group}/events/{event}/rsvp-window", response=SummaryOut, auth=write_auth)
def rsvp_window(request: HttpRequest, group: str, event: str, payload: RsvpWindowIn):
    """Open RSVPs now, or close them now."""
    event_obj = _event(request, group, event)
    service = services.rsvp_window_open if payload.open else services.rsvp_window_close
    _call(service, event=event_obj, by=request.user)
    return event_summary(request, group, event)


@router.post("/organise/{group}/events/{event}/cancel", response=CancelOut, auth=write_auth)
def cancel(request: HttpRequest, group: str, event: str, payload: CancelIn):
    """Cancel the event; everyone whose RSVP stands is emailed (a task)."""
    event_obj = _event(request, group, event)
    if len(payload.reason) > 500:
        raise HttpError(422, "Keep the reason to 500 characters.")
    emailed = _call(services.event_cancel, event=event_obj, by=request.user, reason=payload.reason)
    return {"status": event_obj.status, "emailed": emailed}


@router.post(
    "/organise/{group}/events/{event}/messages", response={201: MessageOut}, auth=write_auth
)
def message_send(request: HttpRequest, group: str, event: str, payload: MessageIn):
    """Email one audience of the event (going, waitlisted, checked_in) and record it."""
    event_obj = _event(request, group, event)
    if message_rate_limited(request):
        raise HttpError(429, "Too many messages; wait an hour and try again.")
    if len(payload.subject) > 150 or len(payload.body) > 5000 or "\n" in payload.subject:
        raise HttpError(422, "Subject: one line, at most 150 characters; body: at most 5000.")
    record = _call(
        services.attendee_message_send,
        event=event_obj,
        by=request.user,
        audience=payload.audience,
        subject=payload.subject,
        body=payload.body,
    )
    return Status(201, record)
