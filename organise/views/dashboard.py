"""The event dashboard: its panels (all at once, or one for htmx) and its quick actions."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from live import selectors as live_selectors
from live.broadcast import qa_url
from live.forms import CurrentTalkForm
from live.services import live_current_talk_set, live_mode_set
from live.views import MODE_DONE
from meetups.models import Event
from portal.errors import ServiceError, invalid, not_found
from portal.http import announce, login_required

from .. import charts, selectors, services
from ._common import T, dashboard_url, event_for

PANELS = ("rsvps", "door", "qa", "lineup", "actions", "summary")


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
        return self._once("live", lambda: live_selectors.live_state_get(event=self.event))

    def question_counts(self) -> dict:
        return self._once("questions", lambda: selectors.question_counts(event=self.event))


def _qa_context(reads: _Reads) -> dict:
    request, event = reads.request, reads.event
    state = reads.live_state()
    scope = request.GET.get("qa")
    # No choice (or "stage"): the Q&A of whatever is on stage, following a talk switch.
    following = scope in (None, "stage")
    if following:
        talk = state.current_talk if state.current_talk_id else None
    else:
        talk = live_selectors.talk_for_scope(event=event, talk_slug=scope)
    questions = live_selectors.qa_questions(event_id=event.pk, talk_id=talk.pk if talk else None)
    read_only = live_selectors.qa_is_read_only(event=event)
    ws_scope = "stage" if following else (talk.pk if talk else "event")
    ws_query = urlencode({"qa": ws_scope, "sort": "top", "view": "dashboard"})
    return {
        "live": state,
        "talk": talk,
        "scope": "stage" if following else (talk.slug if talk else "event"),
        "qa_url": qa_url(event),
        "pinned_id": state.pinned_question_id,
        "qa": live_selectors.qa_state(questions=questions, sort="top"),
        "read_only": read_only,
        "voting_open": not read_only,
        "audience": "organiser",
        # The organiser's own votes, so the buttons say pressed (and pressing one takes it back
        # only when it really is theirs).
        "my_votes": live_selectors.question_ids_voted(user=request.user, event_id=event.pk),
        "sort": "top",
        "ws_url": f"/ws/events/{event.pk}/live/?{ws_query}",
        "heartbeat_seconds": settings.LIVE_HEARTBEAT_SECONDS,
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
            "live_on": live_selectors.live_mode_on(event=event, state=state),
            # Offered only when the service would accept it (not after the start, say).
            "rsvps_openable": services.rsvp_window_open_problem(event=event) is None,
            "talk_form": CurrentTalkForm(event=event, initial={"talk": state.current_talk_id}),
        }
    elif name == "summary":
        context["summary"] = selectors.event_summary(
            event=event, counts=reads.counts(), questions=reads.question_counts()
        )
    return context


@require_GET
@login_required
def dashboard(request: HttpRequest, group: str, event: str) -> HttpResponse:
    organised_event = event_for(request, group, event)
    prefetch_related_objects([organised_event], "talks")
    context = {"event": organised_event, "group": organised_event.group}
    reads = _Reads(request, organised_event)
    for name in PANELS:
        context |= _panel_context(request, organised_event, name, reads)
    context["is_past"] = organised_event.is_past
    return render(request, T + "dashboard.html", context)


@require_GET
@login_required
def panel(request: HttpRequest, group: str, event: str, name: str) -> HttpResponse:
    """One panel on its own: the fragment for htmx, a small page without JavaScript."""
    if name not in PANELS:
        raise not_found("No such panel.")
    organised_event = event_for(request, group, event)
    context = _panel_context(request, organised_event, name)
    if request.htmx:
        return render(request, f"{T}dashboard.html#panel_{name}", context)
    return render(request, T + "panel.html", context | {"panel": name})


# --- Quick actions ------------------------------------------------------------------------


def _quick_action(
    request: HttpRequest, group: str, event: str, act: Callable[[Event], str]
) -> HttpResponse:
    """Run `act` on the event; it returns what to tell the organiser, or raises the refusal.

    htmx gets the quick-actions panel back with the message in it. Without JavaScript, done
    goes back to the dashboard; refused shows the panel on its own page. A refusal answers
    with its status either way.
    """
    organised_event = event_for(request, group, event)
    try:
        done, status = act(organised_event), 200
    except ServiceError as error:
        done, status = error.message, error.status
    if not request.htmx and status == 200:
        messages.success(request, done)
        return redirect(dashboard_url(organised_event))
    context = _panel_context(request, organised_event, "actions")
    context |= {"flash": done, "error": status != 200}
    if request.htmx:
        response = render(request, T + "dashboard.html#panel_actions", context, status=status)
        # Said once through the page's #announcer; focus stays on the pressed control.
        return announce(response, done)
    return render(request, T + "panel.html", context | {"panel": "actions"}, status=status)


@require_POST
@login_required
def action_rsvps(request: HttpRequest, group: str, event: str) -> HttpResponse:
    state = request.POST.get("state")

    def act(organised_event: Event) -> str:
        if state == "open":
            services.rsvp_window_open(event=organised_event, user=request.user)
            return "RSVPs are open."
        if state == "closed":
            services.rsvp_window_close(event=organised_event, user=request.user)
            return "RSVPs are closed."
        raise invalid("Choose open or closed.")

    return _quick_action(request, group, event, act)


@require_POST
@login_required
def action_live(request: HttpRequest, group: str, event: str) -> HttpResponse:
    state = request.POST.get("state")

    def act(organised_event: Event) -> str:
        if state not in ("on", "off"):
            raise invalid("Choose on or off.")
        live_mode_set(event=organised_event, user=request.user, on=state == "on")
        # The live page's switch says the same (one control, one wording).
        return MODE_DONE[state]

    return _quick_action(request, group, event, act)


@require_POST
@login_required
def action_current_talk(request: HttpRequest, group: str, event: str) -> HttpResponse:
    def act(organised_event: Event) -> str:
        form = CurrentTalkForm(request.POST, event=organised_event)
        if not form.is_valid():
            raise invalid("Choose a talk of this event.")
        talk = form.cleaned_data["talk"]
        live_current_talk_set(event=organised_event, talk=talk, user=request.user)
        return f"On stage: {talk.title if talk else 'between talks'}."

    return _quick_action(request, group, event, act)
