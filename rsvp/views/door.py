"""The door and the attendee list: the event's organisers only (`rsvp.rules.can_check_in`).

Thin like the attendee views; a refusal shows in the row for htmx, else the refusal page.
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
from portal.errors import ServiceError, not_found
from portal.refusals import refusal_response

from .. import selectors, services
from ..forms import AttendeeFilterForm, CheckInSearchForm
from ..rules import can_check_in
from .attendee import RSVP_CHANGED


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
