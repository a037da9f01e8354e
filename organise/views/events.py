"""Event forms: create, edit, publish, cancel and duplicate."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from meetups.models import Event, Group
from portal.errors import ServiceError
from portal.http import htmx_redirect, login_required

from .. import selectors, services
from ..forms import CancelForm, DuplicateForm, EventForm
from ._common import T, dashboard_url, event_for, show_on_form


def _save_event_form(
    request: HttpRequest, form: EventForm, *, group: Group, event: Event | None
) -> tuple[Event | None, int]:
    """Validate, create the inline venue if any, and call the service: (the event, 200), or
    (None, the status to answer) with the problem on the form."""
    if not form.is_valid():
        return None, 422
    data = form.cleaned_data
    try:
        with transaction.atomic():
            venue = None
            if data.get("new_venue_name"):
                venue = services.venue_create(
                    group=group,
                    user=request.user,
                    name=data["new_venue_name"],
                    address=data.get("new_venue_address", ""),
                )
            fields = form.event_fields(venue)
            if event is None:
                return services.event_create(group=group, user=request.user, fields=fields), 200
            changes = services.event_update(event=event, user=request.user, fields=fields)
    except ServiceError as error:
        return None, show_on_form(form, error)
    if changes and event.status == Event.Status.PUBLISHED and not event.is_past:
        messages.success(
            request, "Saved. Everyone who RSVP'd is emailed the change with a new .ics."
        )
    else:
        messages.success(request, "Saved.")
    return event, 200


def _event_form_response(request: HttpRequest, context: dict, *, status: int) -> HttpResponse:
    if request.htmx and request.method == "POST":
        return render(request, T + "event_form.html#form", context, status=status)
    return render(request, T + "event_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def event_create(request: HttpRequest, group: str) -> HttpResponse:
    organised_group = selectors.organised_group_get(slug=group, user=request.user)
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, default_time_zone=organised_group.time_zone)
        created, status = _save_event_form(request, form, group=organised_group, event=None)
        if created is not None:
            messages.success(request, "Draft created. Publish it when it is ready.")
            return htmx_redirect(request, dashboard_url(created))
    else:
        form = EventForm(default_time_zone=organised_group.time_zone)
    context = {"group": organised_group, "form": form, "event": None}
    return _event_form_response(request, context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def event_edit(request: HttpRequest, group: str, event: str) -> HttpResponse:
    organised_event = event_for(request, group, event)
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, event=organised_event)
        saved, status = _save_event_form(
            request, form, group=organised_event.group, event=organised_event
        )
        if saved is not None:
            return htmx_redirect(request, dashboard_url(organised_event))
    else:
        form = EventForm(event=organised_event)
    context = {"group": organised_event.group, "form": form, "event": organised_event}
    return _event_form_response(request, context, status=status)


@require_POST
@login_required
def event_publish(request: HttpRequest, group: str, event: str) -> HttpResponse:
    """Publish a draft, or (`to=draft`) take it back while nobody has RSVP'd."""
    organised_event = event_for(request, group, event)
    if request.POST.get("to") == "draft":
        services.event_unpublish(event=organised_event, user=request.user)
        messages.success(request, "Back to draft: only organisers can see it.")
    else:
        services.event_publish(event=organised_event, user=request.user)
        messages.success(request, "Published: the event is on the public pages.")
    return htmx_redirect(request, dashboard_url(organised_event))


@require_http_methods(["GET", "POST"])
@login_required
def event_cancel(request: HttpRequest, group: str, event: str) -> HttpResponse:
    organised_event = event_for(request, group, event)
    form = CancelForm(request.POST or None)
    recipients = selectors.rsvp_recipients(event=organised_event)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                sent = services.event_cancel(
                    event=organised_event, user=request.user, reason=form.cleaned_data["reason"]
                )
            except ServiceError as error:
                status = show_on_form(form, error)
            else:
                people = "person is" if sent == 1 else "people are"
                messages.success(request, f"Cancelled. {sent} {people} emailed.")
                return htmx_redirect(request, dashboard_url(organised_event))
    context = {
        "event": organised_event,
        "group": organised_event.group,
        "form": form,
        "recipients": recipients,
    }
    partial = "#form" if request.htmx and request.method == "POST" else ""
    return render(request, T + "cancel.html" + partial, context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def event_duplicate(request: HttpRequest, group: str, event: str) -> HttpResponse:
    organised_event = event_for(request, group, event)
    if request.method == "POST":
        form = DuplicateForm(request.POST, event=organised_event)
        if form.is_valid():
            copy = services.event_duplicate(
                event=organised_event, user=request.user, starts_at=form.cleaned_data["starts_at"]
            )
            messages.success(request, "Copied as a new draft. Check the details, then publish.")
            return htmx_redirect(
                request,
                reverse("organise:event_edit", kwargs={"group": group, "event": copy.slug}),
            )
    else:
        start = services.duplicate_default_start(organised_event)
        form = DuplicateForm(
            event=organised_event, initial={"starts_at": start.strftime("%Y-%m-%dT%H:%M")}
        )
    context = {"event": organised_event, "group": organised_event.group, "form": form}
    if request.method == "POST":
        partial = "#form" if request.htmx else ""
        return render(request, T + "duplicate.html" + partial, context, status=422)
    return render(request, T + "duplicate.html", context)
