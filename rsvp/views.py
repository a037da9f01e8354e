"""RSVP pages: the event page's panel, My events, tickets, the door check-in and attendee list.

Thin: each view parses input with a form, calls one service or selector, and answers htmx with
a partial and plain browsers with a redirect or a page. A refusal (`portal.errors`) shows in
place for htmx (the panel, the door's row) with its status; a plain browser gets the refusal
page with the same status (`portal.refusals`). Who may do what is `rsvp.rules`.
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
from portal.http import login_redirect, login_required
from portal.ratelimit import check_rate
from portal.refusals import refusal_response

from . import selectors, services
from .forms import AttendeeFilterForm, CheckInSearchForm, GuestsForm
from .models import Rsvp
from .rules import can_check_in, can_rsvp

RSVP_CHANGED = "rsvpChanged"


def panel_context(request: HttpRequest, event: Event, **extra) -> dict:
    panel = selectors.rsvp_panel(event=event, user=request.user)
    form = extra.pop("form", None) or GuestsForm(
        guests_allowed=panel.settings.guests_allowed,
        initial={"guests": panel.rsvp.guests if panel.rsvp else 0},
    )
    return {"event": event, "panel": panel, "form": form, "request": request, **extra}


def _panel(request: HttpRequest, event: Event, *, status: int = 200, **extra) -> HttpResponse:
    response = render(
        request, "rsvp/panel.html", panel_context(request, event, **extra), status=status
    )
    if status < 400:
        trigger_client_event(response, RSVP_CHANGED, {"event_id": event.pk})
    return response


def _refused(request: HttpRequest, event: Event, error: ServiceError, **extra) -> HttpResponse:
    """The rules said no: htmx gets the panel with the message and the refusal's status
    (base.html swaps 409, 422 and 429); a plain browser gets the refusal page."""
    if request.htmx:
        return _panel(request, event, status=error.status, error=error.message, **extra)
    return refusal_response(request, error)


def _done(request: HttpRequest, event: Event, message: str | None) -> HttpResponse:
    if request.htmx:
        return _panel(request, event, notice=message)
    if message:
        messages.success(request, message)
    return redirect(event.get_absolute_url() + "#rsvp-panel")


@require_GET
def rsvp_panel(request: HttpRequest, slug: str) -> HttpResponse:
    """The panel alone (htmx refresh); a plain browser goes to the event page."""
    event = selectors.event_get_for_rsvp(slug=slug, user=request.user)
    if not request.htmx:
        return redirect(event.get_absolute_url())
    return render(request, "rsvp/panel.html", panel_context(request, event))


def _guests_form(request: HttpRequest, event: Event) -> GuestsForm:
    settings = services.rsvp_settings_get(event=event)
    return GuestsForm(request.POST, guests_allowed=settings.guests_allowed)


def _guests(form: GuestsForm) -> int:
    if not form.is_valid():
        raise invalid(form.errors["guests"][0], field="guests")
    return form.cleaned_data["guests"]


def _own_rsvp_id(event: Event, request: HttpRequest) -> int:
    own = Rsvp.objects.filter(event=event, user_id=request.user.pk).values_list("pk", flat=True)
    if not own:
        raise not_found("You have not RSVPed to this event.")
    return own[0]


def _back_to_login(request: HttpRequest, event: Event) -> HttpResponse:
    return login_redirect(request, back=event.get_absolute_url())


@require_POST
def rsvp_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_for_rsvp(slug=slug, user=request.user)
    if not can_rsvp(request.user, event):  # the event is visible: only a login is missing
        return _back_to_login(request, event)
    form = _guests_form(request, event)
    try:
        check_rate(request, "rsvp.write")
        result = services.rsvp_create(event=event, user=request.user, guests=_guests(form))
    except ServiceError as error:
        # An invalid form goes back bound, its error next to its field.
        return _refused(request, event, error, form=form if form.errors else None)
    if not result.changed:
        return _done(request, event, None)
    if result.rsvp.is_going:
        return _done(request, event, "You're going! Your ticket is on its way by email.")
    return _done(request, event, "The event is full, so you're on the waitlist.")


@require_POST
def rsvp_guests(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_for_rsvp(slug=slug, user=request.user)
    if not request.user.is_authenticated:
        return _back_to_login(request, event)
    form = _guests_form(request, event)
    try:
        check_rate(request, "rsvp.write")
        rsvp_id = _own_rsvp_id(event, request)
        result = services.rsvp_guests_change(
            rsvp_id=rsvp_id, user=request.user, guests=_guests(form)
        )
    except ServiceError as error:
        return _refused(request, event, error, form=form if form.errors else None)
    return _done(request, event, "Guests updated." if result.changed else None)


@require_POST
def rsvp_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_for_rsvp(slug=slug, user=request.user)
    if not request.user.is_authenticated:
        return _back_to_login(request, event)
    try:
        check_rate(request, "rsvp.write")
        result = services.rsvp_cancel(rsvp_id=_own_rsvp_id(event, request), user=request.user)
    except ServiceError as error:
        return _refused(request, event, error)
    return _done(request, event, "Your RSVP is cancelled." if result.changed else None)


@login_required
@require_GET
def my_events(request: HttpRequest) -> HttpResponse:
    return render(request, "rsvp/my_events.html", selectors.my_events(user=request.user))


@login_required
@require_GET
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    rsvp = selectors.rsvp_get_own(rsvp_id=pk, user=request.user)
    check_in_url = request.build_absolute_uri(rsvp.get_check_in_url())
    return render(
        request,
        "rsvp/ticket.html",
        {"rsvp": rsvp, "event": rsvp.event, "check_in_url": check_in_url},
    )


# The door: the event's organisers only (rsvp.rules.can_check_in) ---------------------------


def _door_context(event: Event, query: str = "") -> dict:
    return {
        "event": event,
        "counts": selectors.event_attendance_counts(event_id=event.pk),
        "results": selectors.check_in_search(event=event, query=query),
        "query": query,
    }


@require_GET
def check_in(request: HttpRequest, slug: str) -> HttpResponse:
    """The door: active search, one tap per person, running totals."""
    event = selectors.event_get_for_door(slug=slug, user=request.user)
    form = CheckInSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    template = "rsvp/check_in.html"
    if request.htmx and request.htmx.target == "check-in-results":
        template += "#results"
    return render(request, template, {**_door_context(event, query), "form": form})


@require_POST
def check_in_toggle(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = selectors.event_get_for_door(slug=slug, user=request.user)
    rsvp = selectors.rsvp_get_for_event(event=event, rsvp_id=pk)
    undo = request.POST.get("undo") == "1"
    try:
        result = services.rsvp_check_in(rsvp=rsvp, user=request.user, undo=undo)
    except ServiceError as error:
        if request.htmx:
            context = {"event": event, "rsvp": rsvp, "error": error.message}
            return render(request, "rsvp/check_in_row.html", context, status=error.status)
        return refusal_response(request, error)
    if not request.htmx:
        verb = "Undid check-in for" if undo else "Checked in"
        messages.success(request, f"{verb} {result.rsvp.user.get_username()}.")
        query = request.POST.get("q", "")[: selectors.SEARCH_MAX_LENGTH]
        door = reverse("rsvp:check_in", kwargs={"slug": event.slug})
        return redirect(door + (f"?{urlencode({'q': query})}" if query else ""))
    context = {
        "event": event,
        "rsvp": result.rsvp,
        "counts": selectors.event_attendance_counts(event_id=event.pk),
        "oob": True,
    }
    response = render(request, "rsvp/check_in_row.html", context)
    return trigger_client_event(response, RSVP_CHANGED, {"event_id": event.pk})


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
