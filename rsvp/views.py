"""RSVP pages: the event page's panel, My events, tickets, the door check-in and attendee list.

Thin: each view parses input with a form, calls one service or selector, and answers htmx with
a partial (422 when the rules refuse, so the message shows in place) and plain browsers with a
redirect or a page.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event
from django_ratelimit.core import is_ratelimited

from meetups.models import Event

from . import selectors, services
from .forms import AttendeeFilterForm, CheckInSearchForm, GuestsForm
from .models import Rsvp

WRITE_RATE = "30/m"
RSVP_CHANGED = "rsvpChanged"


def _rate_limited(request: HttpRequest) -> bool:
    return is_ratelimited(
        request, group="rsvp-write", key="user_or_ip", rate=WRITE_RATE, increment=True
    )


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


def _refused(
    request: HttpRequest, event: Event, message: str, status: int, **extra
) -> HttpResponse:
    """The rules said no: htmx gets the panel with the message (422 so htmx swaps it in);
    a plain browser gets a small page with the real status and a way back."""
    if request.htmx:
        return _panel(request, event, status=422 if status != 429 else 429, error=message, **extra)
    return render(request, "rsvp/refused.html", {"event": event, "message": message}, status=status)


def _done(request: HttpRequest, event: Event, message: str | None) -> HttpResponse:
    if request.htmx:
        return _panel(request, event, notice=message)
    if message:
        messages.success(request, message)
    return redirect(event.get_absolute_url() + "#rsvp-panel")


def _login_first(request: HttpRequest, event: Event) -> HttpResponse:
    login = reverse("account_login") + "?next=" + event.get_absolute_url()
    if request.htmx:
        return HttpResponseClientRedirect(login)
    return redirect_to_login(event.get_absolute_url())


@require_GET
def rsvp_panel(request: HttpRequest, slug: str) -> HttpResponse:
    """The panel alone (htmx refresh); a plain browser goes to the event page."""
    event = selectors.event_get_open(slug=slug)
    if not request.htmx:
        return redirect(event.get_absolute_url())
    return render(request, "rsvp/panel.html", panel_context(request, event))


def _guests_form(request: HttpRequest, event: Event) -> GuestsForm:
    settings = services.rsvp_settings_get(event=event)
    return GuestsForm(request.POST, guests_allowed=settings.guests_allowed)


@require_POST
def rsvp_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_open(slug=slug)
    if not request.user.is_authenticated:
        return _login_first(request, event)
    if _rate_limited(request):
        return _refused(request, event, "Too many requests; wait a minute and try again.", 429)
    form = _guests_form(request, event)
    if not form.is_valid():
        return _refused(request, event, form.errors["guests"][0], 400, form=form)
    try:
        result = services.rsvp_create(event=event, user=request.user, **form.cleaned_data)
    except services.RsvpError as error:
        return _refused(request, event, error.message, error.status)
    if not result.changed:
        return _done(request, event, None)
    if result.rsvp.is_going:
        return _done(request, event, "You're going! Your ticket is on its way by email.")
    return _done(request, event, "The event is full, so you're on the waitlist.")


@require_POST
def rsvp_guests(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_open(slug=slug)
    if not request.user.is_authenticated:
        return _login_first(request, event)
    if _rate_limited(request):
        return _refused(request, event, "Too many requests; wait a minute and try again.", 429)
    form = _guests_form(request, event)
    own = Rsvp.objects.filter(event=event, user_id=request.user.pk).values_list("pk", flat=True)
    if not own:
        return _refused(request, event, "You have not RSVPed to this event.", 404)
    if not form.is_valid():
        return _refused(request, event, form.errors["guests"][0], 400, form=form)
    try:
        result = services.rsvp_guests_change(
            rsvp_id=own[0], user=request.user, guests=form.cleaned_data["guests"]
        )
    except services.RsvpError as error:
        return _refused(request, event, error.message, error.status)
    return _done(request, event, "Guests updated." if result.changed else None)


@require_POST
def rsvp_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_open(slug=slug)
    if not request.user.is_authenticated:
        return _login_first(request, event)
    own = Rsvp.objects.filter(event=event, user_id=request.user.pk).values_list("pk", flat=True)
    if not own:
        return _refused(request, event, "You have not RSVPed to this event.", 404)
    try:
        result = services.rsvp_cancel(rsvp_id=own[0], user=request.user)
    except services.RsvpError as error:
        return _refused(request, event, error.message, error.status)
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


# Organisers ------------------------------------------------------------------------------


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
    event = selectors.event_get_for_organiser(slug=slug, user=request.user)
    form = CheckInSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    template = "rsvp/check_in.html"
    if request.htmx and request.htmx.target == "check-in-results":
        template += "#results"
    return render(request, template, {**_door_context(event, query), "form": form})


@require_POST
def check_in_toggle(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = selectors.event_get_for_organiser(slug=slug, user=request.user)
    rsvp = selectors.rsvp_get_for_event(event=event, rsvp_id=pk)
    undo = request.POST.get("undo") == "1"
    try:
        result = services.rsvp_check_in(rsvp=rsvp, by=request.user, undo=undo)
    except services.RsvpError as error:
        if request.htmx:
            context = {"event": event, "rsvp": rsvp, "error": error.message}
            return render(request, "rsvp/check_in_row.html", context, status=422)
        return render(
            request,
            "rsvp/refused.html",
            {"event": event, "message": error.message},
            status=error.status,
        )
    if not request.htmx:
        verb = "Undid check-in for" if undo else "Checked in"
        messages.success(request, f"{verb} {result.rsvp.user.get_username()}.")
        query = request.POST.get("q", "")[: selectors.SEARCH_MAX_LENGTH]
        return redirect(
            reverse("rsvp:check_in", kwargs={"slug": event.slug}) + (f"?q={query}" if query else "")
        )
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
    if rsvp is None or not request.user.has_perm("meetups.organise_group", rsvp.event):
        raise Http404("No such ticket.")
    error = None
    if request.method == "POST":
        try:
            rsvp = services.rsvp_check_in(
                rsvp=rsvp, by=request.user, undo=request.POST.get("undo") == "1"
            ).rsvp
        except services.RsvpError as exc:
            error = exc.message
        else:
            if not request.htmx:
                return redirect(rsvp.get_check_in_url())
    counts = selectors.event_attendance_counts(event_id=rsvp.event_id)
    return render(
        request,
        "rsvp/ticket_check_in.html",
        {"rsvp": rsvp, "event": rsvp.event, "counts": counts, "error": error},
        status=409 if error else 200,
    )


@require_GET
def attendees(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_for_organiser(slug=slug, user=request.user)
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


CSV_HEADER = ["username", "name", "email", "status", "guests", "seats", "rsvp_at", "checked_in_at"]


@require_GET
def attendees_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_for_organiser(slug=slug, user=request.user)
    form = AttendeeFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    tz = event.tzinfo
    for rsvp in selectors.attendee_list(event=event, status=status):
        writer.writerow(
            [
                _csv_safe(rsvp.user.get_username()),
                _csv_safe(rsvp.user.get_full_name()),
                _csv_safe(rsvp.user.email),
                rsvp.status,
                rsvp.guests,
                rsvp.seats,
                timezone.localtime(rsvp.created_at, tz).isoformat(timespec="seconds"),
                timezone.localtime(rsvp.checked_in_at, tz).isoformat(timespec="seconds")
                if rsvp.checked_in_at
                else "",
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
