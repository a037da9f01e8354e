"""The dashboard's live numbers ride on the live app's counts broadcast.

When an event's attendance changes, live renders its counts once and publishes them. Ours,
registered with `live.broadcast.add_counts_extra`, are the dashboard's RSVP and door fragments
(out-of-band swaps) for sockets of the "dashboard" audience, rendered by each server process
that holds such a socket when the counts broadcast reaches it (none while no dashboard is
open). Everyone else gets live's counts alone. The frame carries the whole current state, so a
dashboard that reconnects heals itself.
"""

import logging
import threading
import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.template.loader import render_to_string

from live.broadcast import add_counts_extra, counts_changed
from meetups.models import Event

from . import charts, selectors
from .selectors import user_organises_any

logger = logging.getLogger(__name__)


# During an RSVP rush the numbers go out on every change, but the chart (a grouped query and
# the largest fragment) at most this often per event and process. The first change after a
# quiet spell always carries it, and every page load draws it fresh.
CHART_MIN_SECONDS = 2.0
_chart_sent: dict[int, float] = {}
_chart_lock = threading.Lock()


def _chart_due(event_id: int, now: float) -> bool:
    with _chart_lock:
        if now - _chart_sent.get(event_id, float("-inf")) < CHART_MIN_SECONDS:
            return False
        _chart_sent[event_id] = now
        return True


def render_dashboard_counts(*, event: Event, with_chart: bool = True) -> str:
    """The RSVP and door fragments of the dashboard (and the chart), as out-of-band swaps."""
    stats = selectors.rsvp_stats(event=event, with_timeline=with_chart)
    door = selectors.door_stats(event=event, counts=stats.counts)
    context = {"event": event, "stats": stats, "door": door, "oob": True}
    names = ["rsvp_numbers", "door_stats"]
    if with_chart:
        context["chart"] = charts.rsvp_chart(stats.timeline, capacity=event.capacity)
        names.append("rsvp_chart")
    return "".join(render_to_string(f"organise/dashboard.html#{name}", context) for name in names)


def dashboard_fragments(*, event_id: int, detail: bool = True, now: float | None = None) -> str:
    """The dashboard's RSVP and door fragments (and, with `detail`, at most every 2 s the
    chart), for the "dashboard" audience of live's counts broadcast; "" for a deleted event."""
    event = Event.objects.select_related("group").filter(pk=event_id).first()
    if event is None:
        return ""
    with_chart = detail and _chart_due(event_id, time.monotonic() if now is None else now)
    return render_dashboard_counts(event=event, with_chart=with_chart)


# Live's counts broadcast (sent on every attendance change) brings our fragments to dashboard
# sockets: one publish per change for both apps, our render only where a dashboard is open.
add_counts_extra("dashboard", dashboard_fragments)


def dashboard_counts_changed(*, event_id: int) -> None:
    """Re-broadcast the counts (live's and the dashboard's) when only organise changed them
    (the RSVP window opened or closed: the chart cannot have moved)."""
    try:
        counts_changed(event_id=event_id, detail=False)
    except Exception:
        logger.exception("organise: broadcasting the dashboard counts failed")


# The "Organise" link in the main navigation is decided once, at login, and kept in the
# session, so rendering the navigation costs no query on every page.
NAV_SESSION_KEY = "organise_nav"


def remember_organiser(request, user) -> None:

    if request is not None and hasattr(request, "session"):
        request.session[NAV_SESSION_KEY] = user_organises_any(user=user)


@receiver(user_logged_in, dispatch_uid="organise.remember_organiser")
def on_login(sender, request, user, **kwargs) -> None:
    remember_organiser(request, user)
