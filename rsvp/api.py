"""RSVP endpoints: the same services, rules and rate budget as the pages.

Writes (and reads of one's own RSVPs) take `write_auth`: a session with its CSRF token, or a
personal API token (`Authorization: Bearer ...`). Refusals are the services' and selectors'
`ServiceError`, answered by `portal.api` with the status of their kind and the one error body
(`portal.api_errors.ErrorOut`); they change nothing.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from meetups.models import Event
from portal.api_auth import member_auth, write_auth
from portal.api_errors import error_responses
from portal.errors import invalid, not_found
from portal.pagination import PagePagination
from portal.people import display_name
from portal.ratelimit import check_rate

from . import selectors, services
from .models import Rsvp

router = Router(tags=["rsvp"])

MAX_GUESTS_INPUT = 100


class RsvpIn(Schema):
    guests: int = Field(0, ge=0, le=MAX_GUESTS_INPUT)


class RsvpCreateIn(RsvpIn):
    listed: bool = Field(True, description="Shown by name on the event's list of who's going.")


class CheckInIn(Schema):
    rsvp_id: int | None = None
    token: str | None = Field(None, max_length=64)


class RsvpOut(Schema):
    id: int
    event: str = Field(..., alias="event.slug")
    event_title: str = Field(..., alias="event.title")
    starts_at: datetime = Field(..., alias="event.starts_at")
    status: str
    guests: int
    seats: int
    checked_in: bool = Field(..., alias="is_checked_in")
    listed: bool = Field(..., description="Shown by name on the event's list of who's going.")
    ticket_url: str | None
    check_in_url: str | None

    @staticmethod
    def resolve_ticket_url(obj: Rsvp, context) -> str | None:
        return context["request"].build_absolute_uri(obj.get_ticket_url()) if obj.is_going else None

    @staticmethod
    def resolve_check_in_url(obj: Rsvp, context) -> str | None:
        if not obj.is_going:
            return None
        return context["request"].build_absolute_uri(obj.get_check_in_url())


class AttendeeOut(Schema):
    id: int
    username: str = Field(..., alias="user.username")
    name: str
    email: str = Field(..., alias="user.email")
    status: str
    guests: int
    seats: int
    created_at: datetime
    checked_in_at: datetime | None

    @staticmethod
    def resolve_name(obj: Rsvp) -> str:
        return display_name(obj.user)


class AttendanceOut(Schema):
    going: int
    going_rsvps: int
    waitlisted: int
    checked_in: int
    capacity: int
    seats_left: int


@router.get("/events/{slug}/attendance", response={200: AttendanceOut, **error_responses(404)})
def event_attendance(request: HttpRequest, slug: str):
    """Seats left, going and waitlisted counts of an event you can see (public once published)."""
    event = selectors.event_get_for_rsvp(slug=slug, user=request.user)
    return selectors.event_attendance_counts(event_id=event.pk)


@router.post(
    "/events/{slug}/rsvp",
    response={200: RsvpOut, 201: RsvpOut, **error_responses(403, 404, 409, 422, 429)},
    auth=write_auth,
)
def rsvp_create(request: HttpRequest, slug: str, payload: RsvpCreateIn):
    """RSVP going (201), or join the waitlist when full. Repeating it changes nothing (200)."""
    check_rate(request, "rsvp.write")
    event = selectors.event_get_for_rsvp(slug=slug, user=request.auth)
    result = services.rsvp_create(
        event=event, user=request.auth, guests=payload.guests, listed=payload.listed
    )
    return Status(201 if result.changed else 200, result.rsvp)


@router.patch(
    "/rsvps/{rsvp_id}",
    response={200: RsvpOut, **error_responses(404, 409, 422, 429)},
    auth=write_auth,
)
def rsvp_guests_change(request: HttpRequest, rsvp_id: int, payload: RsvpIn):
    """Change the guests of your own RSVP."""
    check_rate(request, "rsvp.write")
    return services.rsvp_guests_change(
        rsvp_id=rsvp_id, user=request.auth, guests=payload.guests
    ).rsvp


@router.post(
    "/rsvps/{rsvp_id}/cancel",
    response={200: RsvpOut, **error_responses(404, 409, 429)},
    auth=write_auth,
)
def rsvp_cancel(request: HttpRequest, rsvp_id: int):
    """Cancel your own RSVP; the waitlist moves up."""
    check_rate(request, "rsvp.write")
    return services.rsvp_cancel(rsvp_id=rsvp_id, user=request.auth).rsvp


@router.get("/me/rsvps", response=list[RsvpOut], auth=member_auth)
def my_rsvps(request: HttpRequest):
    """Your going and waitlisted RSVPs with their tickets, soonest first."""
    return list(selectors.my_rsvps(user=request.auth))


@router.get("/rsvps/{rsvp_id}", response={200: RsvpOut, **error_responses(404)}, auth=member_auth)
def rsvp_get(request: HttpRequest, rsvp_id: int):
    """One of your own RSVPs (your ticket); anyone else's answers 404."""
    return selectors.rsvp_get_own(rsvp_id=rsvp_id, user=request.auth)


@router.get(
    "/events/{slug}/attendees",
    response={200: list[AttendeeOut], **error_responses(404, 422)},
    auth=member_auth,
)
@paginate(PagePagination, page_size=100)
def attendees(request: HttpRequest, slug: str, status: str = ""):
    """The event's RSVPs (organisers of its group only)."""
    event = selectors.event_get_for_door(slug=slug, user=request.auth)
    if status not in dict(selectors.AttendeeFilter.CHOICES):
        raise invalid("Unknown status filter.", field="status")
    return selectors.attendee_list(event=event, status=status)


def _door_rsvp(event: Event, payload: CheckInIn) -> Rsvp:
    if payload.token:
        rsvp = selectors.rsvp_get_by_token(token=payload.token)
        if rsvp is None or rsvp.event_id != event.pk:
            raise not_found("No such ticket for this event.")
        return rsvp
    if payload.rsvp_id is None:
        raise invalid("Give rsvp_id or token.", field="rsvp_id")
    return selectors.rsvp_get_for_event(event=event, rsvp_id=payload.rsvp_id)


@router.post(
    "/events/{slug}/check-ins",
    response={200: AttendeeOut, **error_responses(404, 409, 422)},
    auth=write_auth,
)
def check_in(request: HttpRequest, slug: str, payload: CheckInIn):
    """Check a going RSVP in, by its id or its ticket token (organisers only)."""
    event = selectors.event_get_for_door(slug=slug, user=request.auth)
    rsvp = _door_rsvp(event, payload)
    return services.rsvp_check_in(rsvp=rsvp, user=request.auth).rsvp


@router.delete(
    "/events/{slug}/check-ins/{rsvp_id}",
    response={200: AttendeeOut, **error_responses(404, 409)},
    auth=write_auth,
)
def check_in_undo(request: HttpRequest, slug: str, rsvp_id: int):
    """Undo a check-in (organisers only)."""
    event = selectors.event_get_for_door(slug=slug, user=request.auth)
    rsvp = selectors.rsvp_get_for_event(event=event, rsvp_id=rsvp_id)
    return services.rsvp_check_in(rsvp=rsvp, user=request.auth, undo=True).rsvp
