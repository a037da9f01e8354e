"""The door and the attendee list: the event's organisers only (`rsvp.rules.can_check_in`).

Thin like the attendee views: each write is a `rsvp.services.door` service. For htmx a
refusal shows in the row (or form) it is about and is announced; without JavaScript a write
answers with a redirect back to the door, a refusal with the door page and the refusal in
place (a full event asks to confirm there too).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from meetups.models import Event
from portal.csv_export import csv_response
from portal.errors import ServiceError, invalid, not_found
from portal.http import announce
from portal.ratelimit import check_rate
from portal.refusals import refusal_response

from .. import selectors, services
from ..forms import (
    AttendeeFilterForm,
    CheckInSearchForm,
    DoorCheckInForm,
    TicketScanForm,
    WalkInForm,
)
from ..models import Rsvp
from ..rules import can_check_in
from ..services import door
from .attendee import RSVP_CHANGED

DOOR = "rsvp/check_in.html"


def _door_url(event: Event, query: str = "") -> str:
    url = reverse("rsvp:check_in", kwargs={"slug": event.slug})
    return url + (f"?{urlencode({'q': query})}" if query else "")


def _query(request: HttpRequest) -> str:
    return (request.POST.get("q") or "").strip()[: selectors.SEARCH_MAX_LENGTH]


def _door_context(event: Event, query: str = "", **extra) -> dict:
    return {
        "event": event,
        "counts": selectors.event_attendance_counts(event_id=event.pk),
        "results": selectors.check_in_search(event=event, query=query),
        "waitlist": selectors.door_waitlist(event=event, query=query),
        "query": query,
        "form": CheckInSearchForm(initial={"q": query}),
        "walk_in_form": WalkInForm(),
        "scan_form": TicketScanForm(),
        **extra,
    }


def _in_count(counts: dict) -> str:
    return f"({counts['checked_in']} of {counts['going']} in)"


def _row_response(
    request: HttpRequest, event: Event, rsvp: Rsvp, message: str, *, status: int = 200, **extra
) -> HttpResponse:
    """The row again (with the totals out of band), and the result announced once."""
    counts = selectors.event_attendance_counts(event_id=event.pk)
    context = {"event": event, "rsvp": rsvp, "counts": counts, "oob": True, **extra}
    context["query"] = _query(request)
    response = render(request, "rsvp/check_in_row.html", context, status=status)
    if status == 200:
        message = f"{message} {_in_count(counts)}"
        trigger_client_event(response, RSVP_CHANGED, {"event_id": event.pk})
    return announce(response, message)


@require_GET
def check_in(request: HttpRequest, slug: str) -> HttpResponse:
    """The door: active search, one tap per person, the waitlist, walk-ins, a ticket scanner,
    running totals."""
    event = selectors.event_get_for_door(slug=slug, user=request.user)
    form = CheckInSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    template = DOOR
    if request.htmx and request.htmx.target == "check-in-results":
        template += "#results"
    return render(request, template, {**_door_context(event, query), "form": form})


def _check_in_message(name: str, action: str, guests_in: int | None) -> str:
    match action:
        case "all_in" | "host_in":
            return f"Checked in {name}"
        case "all_out" | "host_out":
            return f"Undid check-in of {name}"
    return f"{name}: {guests_in} guest{'s' if guests_in != 1 else ''} in"


@require_POST
def check_in_toggle(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Check in (or out) a party, its own person, or set how many of its guests are in."""
    event = selectors.event_get_for_door(slug=slug, user=request.user)
    rsvp = selectors.rsvp_get_for_event(event=event, rsvp_id=pk)
    form = DoorCheckInForm(request.POST)
    try:
        if not form.is_valid():
            raise invalid("Choose who to check in.")
        action, guests_in = form.cleaned_data["action"], form.cleaned_data["guests_in"]
        if action in ("all_in", "all_out"):
            result = services.rsvp_check_in(rsvp=rsvp, user=request.user, undo=action == "all_out")
        elif action in ("host_in", "host_out"):
            result = door.door_check_in(rsvp=rsvp, user=request.user, host=action == "host_in")
        else:
            result = door.door_check_in(rsvp=rsvp, user=request.user, guests_in=guests_in)
    except ServiceError as error:
        if request.htmx:
            return _row_response(request, event, rsvp, error.message, status=error.status,
                                 error=error.message)  # fmt: skip
        return refusal_response(request, error)
    message = _check_in_message(door.attendee_name(result.rsvp.user), action, guests_in)
    if not request.htmx:
        messages.success(request, f"{message}.")
        return redirect(_door_url(event, _query(request)))
    return _row_response(request, event, result.rsvp, f"{message}.")


@require_POST
def admit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Admit a waitlisted party at the door; a full event asks to confirm (`override=1`)."""
    event = selectors.event_get_for_door(slug=slug, user=request.user)
    rsvp = selectors.rsvp_get_for_event(event=event, rsvp_id=pk)
    override = request.POST.get("override") == "1"
    try:
        result = door.door_admit(rsvp=rsvp, user=request.user, override=override)
    except ServiceError as error:
        confirm = error.field == "override"
        if request.htmx:
            return _row_response(request, event, rsvp, error.message, status=error.status,
                                 error=error.message, confirm=confirm)  # fmt: skip
        if not confirm:
            return refusal_response(request, error)
        context = _door_context(event, _query(request), confirm_admit=rsvp, error=error.message)
        return render(request, DOOR, context, status=error.status)
    message = f"Admitted {door.attendee_name(result.rsvp.user)} from the waitlist."
    if not request.htmx:
        messages.success(request, message)
        return redirect(_door_url(event, _query(request)))
    return _row_response(request, event, result.rsvp, message)


@require_POST
def walk_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Register and check in someone without an RSVP (rate-limited like every RSVP write)."""
    event = selectors.event_get_for_door(slug=slug, user=request.user)
    form = WalkInForm(request.POST)
    confirm = False
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            check_rate(request, "rsvp.write")
            result = door.door_walk_in(
                event=event,
                user=request.user,
                name=data["name"],
                email=data["email"],
                override=data["override"],
            )
        except ServiceError as error:
            confirm = error.field == "override"
            field = error.field if error.field in ("name", "email") else None
            form.add_error(field, error.message)
            status = error.status
        else:
            message = f"Checked in {data['name']} (walk-in)."
            if not request.htmx:
                messages.success(request, message)
                return redirect(_door_url(event))
            counts = selectors.event_attendance_counts(event_id=event.pk)
            context = {
                "event": event,
                "counts": counts,
                "oob": True,
                "walk_in_form": WalkInForm(),
                "walk_in_done": message,
                "walk_in_rsvp": result.rsvp,
            }
            response = render(request, DOOR + "#walk_in", context)
            trigger_client_event(response, RSVP_CHANGED, {"event_id": event.pk})
            return announce(response, f"{message} {_in_count(counts)}")
    if confirm:
        message = form.non_field_errors()[0]
        form = WalkInForm(initial={**form.cleaned_data, "override": True})
        form.confirm_message = message
    if request.htmx:
        response = render(
            request,
            DOOR + "#walk_in",
            {"event": event, "walk_in_form": form, "walk_in_confirm": confirm},
            status=status,
        )
        first = next(iter(form.errors.values()), [""])[0]
        return announce(response, first)
    context = _door_context(event, walk_in_form=form, walk_in_confirm=confirm)
    return render(request, DOOR, context, status=status)


@require_POST
def scan(request: HttpRequest, slug: str) -> HttpResponse:
    """A ticket scanned (or its code typed) at this door: checked in, or why not."""
    event = selectors.event_get_for_door(slug=slug, user=request.user)
    form = TicketScanForm(request.POST)
    outcome, status, rsvp = "refused", 422, None
    if not form.is_valid():
        message = form.errors["ticket"][0]
    else:
        try:
            result = door.ticket_scan(
                event=event, token=form.cleaned_data["ticket"], user=request.user
            )
        except ServiceError as error:
            message, status = error.message, error.status
            outcome = "used" if message.startswith("Already used") else "refused"
        else:
            message, status, outcome, rsvp = result.message, 200, "in", result.rsvp
    if not request.htmx:
        if status == 200:
            messages.success(request, message)
            return redirect(_door_url(event))
        scan_form = TicketScanForm(request.POST)
        context = _door_context(event, scan_message=message, scan_outcome=outcome)
        return render(request, DOOR, {**context, "scan_form": scan_form}, status=status)
    counts = selectors.event_attendance_counts(event_id=event.pk)
    context = {
        "event": event,
        "counts": counts,
        "scan_message": message,
        "scan_outcome": outcome,
        "scanned": rsvp,
        "oob": status == 200,
    }
    return render(request, DOOR + "#scan_result", context, status=status)


@require_http_methods(["GET", "POST"])
def ticket_check_in(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a ticket's QR code: one tap to check in, for the event's organisers only.

    Anyone else (the attendee included) gets the same 404 as for a forged token.
    """
    rsvp = selectors.rsvp_get_by_token(token=token)
    if rsvp is None or not can_check_in(request.user, rsvp.event):
        raise not_found("No such ticket.")
    error = None
    if request.method == "POST":
        try:
            rsvp = services.rsvp_check_in(
                rsvp=rsvp, user=request.user, undo=request.POST.get("undo") == "1"
            ).rsvp
        except ServiceError as refusal:
            error = refusal
        else:
            if not request.htmx:
                return redirect(rsvp.get_check_in_url())
    counts = selectors.event_attendance_counts(event_id=rsvp.event_id)
    return render(
        request,
        "rsvp/ticket_check_in.html",
        {"rsvp": rsvp, "event": rsvp.event, "counts": counts, "error": error and error.message},
        status=error.status if error else 200,
    )


@require_GET
def attendees(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_for_door(slug=slug, user=request.user)
    form = AttendeeFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rsvps = selectors.attendee_list(event=event, status=status)
    template = "rsvp/attendees.html"
    if request.htmx and request.htmx.target == "attendee-table":
        template += "#table"
    return render(
        request,
        template,
        {
            "event": event,
            "form": form,
            "status": status,
            "rsvps": rsvps,
            "counts": selectors.event_attendance_counts(event_id=event.pk),
        },
    )


@require_GET
def attendees_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_for_door(slug=slug, user=request.user)
    form = AttendeeFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return csv_response(
        filename=f"{event.slug}-attendees.csv",
        header=selectors.ATTENDEE_CSV_HEADER,
        rows=selectors.attendee_csv_rows(event=event, status=status),
        tz=event.tzinfo,
    )
