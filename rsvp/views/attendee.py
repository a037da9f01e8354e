"""RSVP pages for attendees: the event page's panel, My events, tickets.

Thin: each view parses input with a form, calls one service or selector, and answers htmx with
a partial and plain browsers with a redirect or a page. A refusal (`portal.errors`) shows in
place for htmx (the panel, the door's row) with its status; a plain browser gets the refusal
page with the same status (`portal.refusals`). Who may do what is `rsvp.rules`.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from meetups.models import Event
from portal.errors import ServiceError, invalid, not_found
from portal.http import announce, login_redirect, login_required
from portal.ratelimit import check_rate
from portal.refusals import refusal_response

from .. import selectors, services
from ..forms import GuestsForm, ListedForm
from ..models import Rsvp

RSVP_CHANGED = "rsvpChanged"


def panel_context(request: HttpRequest, event: Event, **extra) -> dict:
    panel = selectors.rsvp_panel(event=event, user=request.user)
    form = extra.pop("form", None) or GuestsForm(
        guests_allowed=panel.settings.guests_allowed,
        initial={"guests": panel.rsvp.guests if panel.rsvp else 0},
    )
    return {"event": event, "panel": panel, "form": form, "request": request, **extra}


def _panel(request: HttpRequest, event: Event, *, status: int = 200, **extra) -> HttpResponse:
    """The panel as an htmx answer. Its notice or error is announced through the page's
    lasting #announcer (`portal.http.announce`), not a live region inside the swapped panel."""
    response = render(
        request, "rsvp/panel.html", panel_context(request, event, **extra), status=status
    )
    if status < 400:
        trigger_client_event(response, RSVP_CHANGED, {"event_id": event.pk})
    if message := extra.get("error") or extra.get("notice"):
        announce(response, message)
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
    """The panel alone (htmx refresh), or the phone's bottom bar when that is what asks
    (`#rsvp-sticky`); a plain browser goes to the event page."""
    event = selectors.event_get_for_rsvp(slug=slug, user=request.user)
    if not request.htmx:
        return redirect(event.get_absolute_url())
    template = "rsvp/panel.html"
    if request.htmx.target == "rsvp-sticky":
        template += "#sticky"
    return render(request, template, panel_context(request, event))


def _guests_form(request: HttpRequest, event: Event) -> GuestsForm:
    settings = services.rsvp_settings_get(event=event)
    return GuestsForm(request.POST, guests_allowed=settings.guests_allowed)


def _guests(form: GuestsForm) -> int:
    if not form.is_valid():
        raise invalid(form.errors["guests"][0], field="guests")
    return form.cleaned_data["guests"]


def _listed(request: HttpRequest, *, default: bool) -> bool:
    """The "Show me on the list of who's going" checkbox. The panel's forms say they carry it
    (`listed_choice`), since an unticked box sends nothing; other clients keep `default`."""
    if not request.POST.get("listed_choice"):
        return default
    form = ListedForm(request.POST)
    return form.is_valid() and form.cleaned_data["listed"]


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
    if not request.user.is_authenticated:  # banned, members-only: the service says why
        return _back_to_login(request, event)
    form = _guests_form(request, event)
    # "Undo" after a cancellation posts here too, with the cancelled RSVP's guests: the same
    # seat service gives a seat if one is still free, else the waitlist, and the notice says which.
    undo = request.POST.get("undo") == "1"
    try:
        check_rate(request, "rsvp.write")
        result = services.rsvp_create(
            event=event,
            user=request.user,
            guests=_guests(form),
            listed=_listed(request, default=True),
        )
    except ServiceError as error:
        # An invalid form goes back bound, its error next to its field.
        return _refused(request, event, error, form=form if form.errors else None)
    if not result.changed:
        return _done(request, event, None)
    if result.rsvp.is_going:
        if undo:
            return _done(request, event, "Cancellation undone: you're going again.")
        return _done(request, event, "You're going! Your ticket is on its way by email.")
    if undo:
        return _done(
            request,
            event,
            "Cancellation undone, but your seat went to someone else meanwhile: "
            "you're on the waitlist.",
        )
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
        listed = None
        if request.POST.get("listed_choice"):
            listed = services.rsvp_listed_set(
                rsvp_id=rsvp_id, user=request.user, listed=_listed(request, default=True)
            )
    except ServiceError as error:
        return _refused(request, event, error, form=form if form.errors else None)
    return _done(request, event, _change_notice(result, listed))


def _change_notice(guests: services.RsvpResult, listed: services.RsvpResult | None) -> str | None:
    said = []
    if guests.changed:
        said.append("Guests updated.")
    if listed is not None and listed.changed:
        said.append(
            "You're on the list of who's going."
            if listed.rsvp.listed
            else "You're no longer on the list of who's going."
        )
    return " ".join(said) or None


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
    # The panel then offers "Undo" (selectors.UNDO_CANCEL_WINDOW), with or without JavaScript.
    return _done(
        request,
        event,
        "Your RSVP is cancelled." if result.changed else None,
    )


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
