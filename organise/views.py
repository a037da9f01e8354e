"""Organiser pages: a group's events, event forms, the dashboard and its panels, messages,
co-organisers. Thin: permission via selectors (404 for strangers), writes via services."""

import csv
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_ratelimit.core import is_ratelimited

from live import selectors as live
from live.selectors import live_state_get
from live.services import live_current_talk_set
from meetups.models import Event
from rsvp.selectors import attendee_list

from . import charts, receivers, selectors, services
from .forms import (
    CancelForm,
    CurrentTalkForm,
    DuplicateForm,
    EventForm,
    InviteForm,
    MessageForm,
)
from .models import AttendeeMessage, OrganiserInvitation

T = "organise/"
PANELS = ("rsvps", "door", "qa", "lineup", "actions", "summary")


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def organiser_login(view):
    """Anonymous visitors go to log in (the same for every URL, so nothing leaks)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                login = reverse("account_login")
                return HttpResponseClientRedirect(
                    f"{login}?{urlencode({'next': request.get_full_path()})}"
                )
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _event(request: HttpRequest, group_slug: str, event_slug: str) -> Event:
    group = selectors.group_get_for_organiser(slug=group_slug, user=request.user)
    return selectors.event_get_for_organiser(group=group, slug=event_slug, user=request.user)


def dashboard_url(event: Event) -> str:
    return reverse("organise:dashboard", kwargs={"group": event.group.slug, "event": event.slug})


# --- Groups and events --------------------------------------------------------------------


@require_GET
@organiser_login
def index(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.groups_organised(user=request.user))
    if not groups:
        raise Http404("You do not organise a group.")
    if len(groups) == 1:
        return redirect("organise:group", group=groups[0].slug)
    return render(request, T + "index.html", {"groups": groups})


@require_GET
@organiser_login
def group_home(request: HttpRequest, group: str) -> HttpResponse:
    group_obj = selectors.group_get_for_organiser(slug=group, user=request.user)
    events = selectors.group_events(group=group_obj)
    return render(request, T + "group.html", {"group": group_obj, "events": events})


def _save_event_form(request, form: EventForm, *, group, event: Event | None):
    """Validate, create the inline venue if any, and call the service; None if invalid."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        with transaction.atomic():
            venue = None
            if data.get("new_venue_name"):
                venue = services.venue_create(
                    group=group,
                    by=request.user,
                    name=data["new_venue_name"],
                    address=data.get("new_venue_address", ""),
                )
            fields = form.event_fields(venue)
            if event is None:
                return services.event_create(group=group, by=request.user, fields=fields)
            changes = services.event_update(event=event, by=request.user, fields=fields)
            if changes and event.status == Event.Status.PUBLISHED and not event.is_past:
                messages.success(
                    request, "Saved. Everyone who RSVP'd is emailed the change with a new .ics."
                )
            else:
                messages.success(request, "Saved.")
            return event
    except services.OrganiseError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def _event_form_response(request, context: dict, *, invalid: bool) -> HttpResponse:
    if request.htmx and request.method == "POST":
        return render(request, T + "event_form.html#form", context, status=422)
    return render(request, T + "event_form.html", context, status=422 if invalid else 200)


@require_http_methods(["GET", "POST"])
@organiser_login
def event_create(request: HttpRequest, group: str) -> HttpResponse:
    group_obj = selectors.group_get_for_organiser(slug=group, user=request.user)
    if request.method == "POST":
        form = EventForm(request.POST, default_time_zone=group_obj.time_zone)
        event = _save_event_form(request, form, group=group_obj, event=None)
        if event is not None:
            messages.success(request, "Draft created. Publish it when it is ready.")
            return _redirect(request, dashboard_url(event))
    else:
        form = EventForm(default_time_zone=group_obj.time_zone)
    context = {"group": group_obj, "form": form, "event": None}
    return _event_form_response(request, context, invalid=request.method == "POST")


@require_http_methods(["GET", "POST"])
@organiser_login
def event_edit(request: HttpRequest, group: str, event: str) -> HttpResponse:
    event_obj = _event(request, group, event)
    if request.method == "POST":
        form = EventForm(request.POST, event=event_obj)
        if _save_event_form(request, form, group=event_obj.group, event=event_obj) is not None:
            return _redirect(request, dashboard_url(event_obj))
    else:
        form = EventForm(event=event_obj)
    context = {"group": event_obj.group, "form": form, "event": event_obj}
    return _event_form_response(request, context, invalid=request.method == "POST")


@require_POST
@organiser_login
def event_publish(request: HttpRequest, group: str, event: str) -> HttpResponse:
    event_obj = _event(request, group, event)
    undo = request.POST.get("to") == "draft"
    try:
        if undo:
            services.event_unpublish(event=event_obj, by=request.user)
            messages.success(request, "Back to draft: only organisers can see it.")
        else:
            services.event_publish(event=event_obj, by=request.user)
            messages.success(request, "Published: the event is on the public pages.")
    except services.OrganiseError as error:
        messages.error(request, error.message)
    return _redirect(request, dashboard_url(event_obj))


@require_http_methods(["GET", "POST"])
@organiser_login
def event_cancel(request: HttpRequest, group: str, event: str) -> HttpResponse:
    event_obj = _event(request, group, event)
    form = CancelForm(request.POST or None)
    recipients = selectors.rsvp_recipients(event=event_obj)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.event_cancel(
                event=event_obj, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.OrganiseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"Cancelled. {sent} {'person is' if sent == 1 else 'people are'} emailed."
            )
            return _redirect(request, dashboard_url(event_obj))
    context = {"event": event_obj, "group": event_obj.group, "form": form, "recipients": recipients}
    if request.method == "POST":
        template = T + "cancel.html#form" if request.htmx else T + "cancel.html"
        return render(request, template, context, status=422)
    return render(request, T + "cancel.html", context)


@require_http_methods(["GET", "POST"])
@organiser_login
def event_duplicate(request: HttpRequest, group: str, event: str) -> HttpResponse:
    event_obj = _event(request, group, event)
    if request.method == "POST":
        form = DuplicateForm(request.POST, event=event_obj)
        if form.is_valid():
            copy = services.event_duplicate(
                event=event_obj, by=request.user, starts_at=form.cleaned_data["starts_at"]
            )
            messages.success(request, "Copied as a new draft. Check the details, then publish.")
            return _redirect(
                request,
                reverse("organise:event_edit", kwargs={"group": group, "event": copy.slug}),
            )
    else:
        start = services.duplicate_default_start(event_obj)
        form = DuplicateForm(
            event=event_obj, initial={"starts_at": start.strftime("%Y-%m-%dT%H:%M")}
        )
    context = {"event": event_obj, "group": event_obj.group, "form": form}
    if request.method == "POST":
        template = T + "duplicate.html#form" if request.htmx else T + "duplicate.html"
        return render(request, template, context, status=422)
    return render(request, T + "duplicate.html", context)


# --- The dashboard ------------------------------------------------------------------------


class _Reads:
    """The reads panels share, each done at most once per request (the dashboard shows all)."""

    def __init__(self, request: HttpRequest, event: Event):
        self.request, self.event, self._done = request, event, {}

    def _once(self, key: str, read):
        if key not in self._done:
            self._done[key] = read()
        return self._done[key]

    def counts(self) -> dict:
        return self._once(
            "counts", lambda: selectors.event_attendance_counts(event_id=self.event.pk)
        )

    def stats(self):
        return self._once(
            "stats", lambda: selectors.rsvp_stats(event=self.event, counts=self.counts())
        )

    def live_state(self):

        return self._once("live", lambda: live_state_get(event=self.event))

    def question_counts(self) -> dict:
        return self._once("questions", lambda: selectors.question_counts(event=self.event))


def _qa_context(reads: _Reads) -> dict:

    request, event = reads.request, reads.event
    state = reads.live_state()
    scope = request.GET.get("qa")
    if scope is None:
        talk = state.current_talk if state.current_talk_id else None
    else:
        talk = live.talk_for_scope(event=event, talk_slug=scope)
    questions = live.qa_questions(event_id=event.pk, talk_id=talk.pk if talk else None)
    read_only = live.qa_is_read_only(event=event)
    ws_query = urlencode({"qa": talk.pk if talk else "event", "sort": "top", "view": "dashboard"})
    return {
        "live": state,
        "talk": talk,
        "scope": talk.slug if talk else "event",
        "qa": live.qa_state(questions=questions, sort="top"),
        "read_only": read_only,
        "voting_open": not read_only,
        "audience": "organiser",
        "my_votes": frozenset(),
        "sort": "top",
        "ws_url": f"/ws/events/{event.pk}/live/?{ws_query}",
        "heartbeat_seconds": int(getattr(settings, "LIVE_HEARTBEAT_SECONDS", 25)),
        "question_counts": reads.question_counts(),
    }


def _panel_context(request: HttpRequest, event: Event, name: str, reads=None) -> dict:
    """What one panel needs; `reads` shares the common reads between the dashboard's panels."""
    reads = reads or _Reads(request, event)
    context: dict = {"event": event, "group": event.group}
    if name == "rsvps":
        stats = reads.stats()
        chart = charts.rsvp_chart(stats.timeline, capacity=event.capacity)
        context |= {"stats": stats, "chart": chart}
    elif name == "door":
        context["door"] = selectors.door_stats(event=event, counts=reads.counts())
    elif name == "qa":
        context |= _qa_context(reads)
    elif name == "lineup":
        context |= {"lineup": selectors.lineup(event=event), "live": reads.live_state()}
    elif name == "actions":
        state = reads.live_state()
        context |= {
            "stats": reads.stats(),
            "live": state,
            "talk_form": CurrentTalkForm(event=event, initial={"talk": state.current_talk_id}),
        }
    elif name == "summary":
        context["summary"] = selectors.event_summary(
            event=event, counts=reads.counts(), questions=reads.question_counts()
        )
    return context


@require_GET
@organiser_login
def dashboard(request: HttpRequest, group: str, event: str) -> HttpResponse:
    event_obj = _event(request, group, event)
    prefetch_related_objects([event_obj], "talks")
    context = {"event": event_obj, "group": event_obj.group}
    reads = _Reads(request, event_obj)
    for name in PANELS:
        context |= _panel_context(request, event_obj, name, reads)
    context["is_past"] = event_obj.is_past
    return render(request, T + "dashboard.html", context)


@require_GET
@organiser_login
def panel(request: HttpRequest, group: str, event: str, name: str) -> HttpResponse:
    """One panel on its own: the fragment for htmx, a small page without JavaScript."""
    if name not in PANELS:
        raise Http404("No such panel.")
    event_obj = _event(request, group, event)
    context = _panel_context(request, event_obj, name)
    if request.htmx:
        return render(request, f"{T}dashboard.html#panel_{name}", context)
    return render(request, T + "panel.html", context | {"panel": name})


def _action_done(request: HttpRequest, event: Event, text: str, *, error: bool = False):
    if request.htmx:
        context = _panel_context(request, event, "actions") | {"flash": text, "error": error}
        return render(
            request, T + "dashboard.html#panel_actions", context, status=422 if error else 200
        )
    (messages.error if error else messages.success)(request, text)
    return redirect(dashboard_url(event))


@require_POST
@organiser_login
def action_rsvps(request: HttpRequest, group: str, event: str) -> HttpResponse:
    event_obj = _event(request, group, event)
    state = request.POST.get("state")
    if state not in ("open", "closed"):
        return _action_done(request, event_obj, "Choose open or closed.", error=True)
    try:
        if state == "open":
            services.rsvp_window_open(event=event_obj, by=request.user)
        else:
            services.rsvp_window_close(event=event_obj, by=request.user)
    except services.OrganiseError as error:
        return _action_done(request, event_obj, error.message, error=True)
    return _action_done(
        request, event_obj, "RSVPs are open." if state == "open" else "RSVPs are closed."
    )


@require_POST
@organiser_login
def action_live(request: HttpRequest, group: str, event: str) -> HttpResponse:
    event_obj = _event(request, group, event)
    state = request.POST.get("state")
    if state not in ("on", "off"):
        return _action_done(request, event_obj, "Choose on or off.", error=True)
    services.live_mode_set(event=event_obj, by=request.user, on=state == "on")
    return _action_done(
        request,
        event_obj,
        "Live mode on: the room can ask questions."
        if state == "on"
        else "Live mode off: questions are paused.",
    )


@require_POST
@organiser_login
def action_current_talk(request: HttpRequest, group: str, event: str) -> HttpResponse:

    event_obj = _event(request, group, event)
    form = CurrentTalkForm(request.POST, event=event_obj)
    if not form.is_valid():
        return _action_done(request, event_obj, "Choose a talk of this event.", error=True)
    talk = form.cleaned_data["talk"]
    live_current_talk_set(event=event_obj, talk=talk, by=request.user)
    return _action_done(request, event_obj, f"On stage: {talk.title if talk else 'between talks'}.")


# --- Messages to attendees ----------------------------------------------------------------


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def message_rate_limited(request: HttpRequest) -> bool:
    return is_ratelimited(
        request,
        group="organise.message",
        key="user",
        rate=f"{services.MESSAGE_RATE_PER_HOUR}/h",
        method="POST",
        increment=True,
    )


@require_http_methods(["GET", "POST"])
@organiser_login
def message_compose(request: HttpRequest, group: str, event: str) -> HttpResponse:
    """Write, preview, then send. Sending only happens from the preview step."""
    event_obj = _event(request, group, event)
    step = request.POST.get("step", "edit")
    data = request.POST if request.method == "POST" else None
    form = MessageForm(data, initial={"audience": "going"})
    context = {
        "event": event_obj,
        "group": event_obj.group,
        "form": form,
        "sent": selectors.messages_sent(event=event_obj),
    }
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 422
    elif request.method == "POST" and step == "preview":
        audience = form.cleaned_data["audience"]
        recipients = selectors.audience_recipients(event=event_obj, audience=audience)
        if recipients:
            label = AttendeeMessage.Audience(audience).label
            context |= {"preview": True, "recipients": recipients, "audience_label": label}
        else:
            form.add_error("audience", "Nobody is in that group yet.")
            status = 422
    elif request.method == "POST" and step == "send":
        if message_rate_limited(request):
            limit = services.MESSAGE_RATE_PER_HOUR
            form.add_error(None, f"You can send at most {limit} messages an hour. Try later.")
            status = 429
        else:
            try:
                record = services.attendee_message_send(
                    event=event_obj, by=request.user, **form.cleaned_data
                )
            except services.OrganiseError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
                status = 422
            else:
                messages.success(request, f"Sent to {_people(record.recipient_count)}.")
                url = reverse("organise:message", kwargs={"group": group, "event": event})
                return _redirect(request, url)
    if request.htmx and request.method == "POST":
        return render(request, T + "message.html#compose", context, status=status)
    return render(request, T + "message.html", context, status=status)


# --- Exports ------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def csv_safe(value) -> str:
    """Keep spreadsheet apps from running a cell as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _iso(value) -> str:
    return value.isoformat() if value else ""


@require_GET
@organiser_login
def export_csv(request: HttpRequest, group: str, event: str, what: str) -> HttpResponse:
    event_obj = _event(request, group, event)

    if what == "attendees":
        rows = (
            (r.user.get_full_name(), r.user.get_username(), r.user.email, r.status, r.guests,
             _iso(r.created_at), _iso(r.checked_in_at))
            for r in attendee_list(event=event_obj).iterator(chunk_size=500)
        )  # fmt: skip
        header = ["name", "username", "email", "status", "guests", "rsvp_at", "checked_in_at"]
    elif what == "questions":
        rows = (
            (q.talk.title if q.talk else "(whole event)", q.text, q.author.get_username(),
             "yes" if q.is_anonymous else "no", q.status, q.vote_count, _iso(q.created_at),
             _iso(q.answered_at))
            for q in selectors.questions_for_export(event=event_obj).iterator(chunk_size=500)
        )  # fmt: skip
        header = [
            "talk",
            "question",
            "asked_by",
            "anonymous",
            "status",
            "votes",
            "asked_at",
            "answered_at",
        ]
    elif what == "votes":
        rows = (
            (v.proposal.title, v.proposal.status, v.user.get_username(), _iso(v.created_at))
            for v in selectors.votes_for_export(event=event_obj).iterator(chunk_size=500)
        )
        header = ["proposal", "proposal_status", "voter", "voted_at"]
    else:
        raise Http404("No such export.")
    return _csv_response(f"{event_obj.slug}-{what}.csv", header, rows)


# --- Co-organisers ------------------------------------------------------------------------


def _organisers_context(group, form=None, **extra) -> dict:
    return {
        "group": group,
        "people": selectors.group_organisers(group=group),
        "form": form or InviteForm(),
        **extra,
    }


@require_GET
@organiser_login
def organisers(request: HttpRequest, group: str) -> HttpResponse:
    group_obj = selectors.group_get_for_organiser(slug=group, user=request.user)
    return render(request, T + "organisers.html", _organisers_context(group_obj))


@require_POST
@organiser_login
def organiser_invite(request: HttpRequest, group: str) -> HttpResponse:
    group_obj = selectors.group_get_for_organiser(slug=group, user=request.user)
    form = InviteForm(request.POST)
    limited = is_ratelimited(
        request, group="organise.invite", key="user", rate="20/h", method="POST", increment=True
    )
    if limited:
        form.add_error(None, "You can send at most 20 invitations an hour. Try again later.")
    elif form.is_valid():
        try:
            invitation = services.organiser_invite(
                group=group_obj, by=request.user, email=form.cleaned_data["email"]
            )
        except services.OrganiseError as error:
            form.add_error("email", error.message)
        else:
            done = f"Invitation sent to {invitation.email}."
            if request.htmx:
                return render(
                    request,
                    T + "organisers.html#people",
                    _organisers_context(group_obj, flash=done),
                )
            messages.success(request, done)
            return redirect("organise:organisers", group=group)
    context = _organisers_context(group_obj, form)
    status = 429 if limited else 422
    if request.htmx:
        return render(request, T + "organisers.html#people", context, status=status)
    return render(request, T + "organisers.html", context, status=status)


@require_POST
@organiser_login
def organiser_remove(request: HttpRequest, group: str, user_id: int) -> HttpResponse:
    group_obj = selectors.group_get_for_organiser(slug=group, user=request.user)
    person = get_object_or_404(get_user_model(), pk=user_id)
    try:
        services.organiser_remove(group=group_obj, by=request.user, user=person)
    except services.OrganiseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{person.get_username()} no longer organises {group_obj.name}.")
        if person.pk == request.user.pk:
            return _redirect(request, reverse("home"))
    return _redirect(request, reverse("organise:organisers", kwargs={"group": group}))


@require_POST
@organiser_login
def invitation_revoke(request: HttpRequest, group: str, pk: int) -> HttpResponse:
    group_obj = selectors.group_get_for_organiser(slug=group, user=request.user)
    invitation = get_object_or_404(OrganiserInvitation, pk=pk, group=group_obj)
    services.organiser_invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    return _redirect(request, reverse("organise:organisers", kwargs={"group": group}))


@require_http_methods(["GET", "POST"])
@organiser_login
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone signed in may open the link; only the invited address can accept it."""
    invitation = selectors.invitation_get(token=token)
    if invitation is None:
        raise Http404("No such invitation.")
    error = None
    if request.method == "POST":
        try:
            group = services.organiser_invitation_accept(token=token, user=request.user)
        except services.OrganiseError as exc:
            error = exc.message
        else:
            receivers.remember_organiser(request, request.user)
            messages.success(request, f"Welcome aboard: you now help organise {group.name}.")
            return _redirect(request, reverse("organise:group", kwargs={"group": group.slug}))
    context = {"invitation": invitation, "error": error, "now": timezone.now()}
    return render(request, T + "invitation.html", context, status=422 if error else 200)
