"""The dashboard's live numbers ride on the live app's broadcasts.

When the RSVP app says an event's attendance changed (after commit), render the dashboard's
RSVP and door fragments once and publish them through `live.broadcast.publish` on the event's
counts topic: organiser sockets get live's counts plus these fragments, everyone else gets
live's counts alone (a frame per audience, as the hub expects). The frame carries the whole
current state, so a dashboard that reconnects heals itself.
"""

import logging
import threading
import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.template.loader import render_to_string

from live.broadcast import publish, render_counts_frames
from live.hub import counts_key
from meetups.models import Event
from rsvp.signals import attendance_changed

from . import charts, selectors

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
    return "".join(
        render_to_string(f"meetups/organise/dashboard.html#{name}", context) for name in names
    )


def dashboard_counts_changed(
    *, event_id: int, chart: bool = True, now: float | None = None
) -> None:
    """Publish live's counts frame plus, for organisers, the dashboard's fragments.

    `chart=False` when only the numbers can have changed (the RSVP window opened or closed).
    """
    event = Event.objects.select_related("group").filter(pk=event_id).first()
    if event is None:
        return
    with_chart = chart and _chart_due(event_id, time.monotonic() if now is None else now)
    frames = render_counts_frames(event_id=event_id)
    ours = render_dashboard_counts(event=event, with_chart=with_chart)
    # Every organiser variant gets live's frame plus ours; the others keep live's alone.
    organiser = {k: v + ours for k, v in frames.items() if k.split(":")[0] == "organiser"}
    organiser.setdefault("organiser", frames.get("*", "") + ours)
    publish(event_id=event_id, key=counts_key(event_id), frames={**frames, **organiser})


@receiver(attendance_changed, dispatch_uid="organise.dashboard_counts")
def broadcast_dashboard_counts(sender, *, event_id: int, **kwargs) -> None:
    # Sent after commit by the RSVP services; a failure must not break the RSVP response.
    try:
        dashboard_counts_changed(event_id=event_id)
    except Exception:
        logger.exception("organise: broadcasting the dashboard counts failed")


# The "Organise" link in the main navigation is decided once, at login, and kept in the
# session, so rendering the navigation costs no query on every page.
NAV_SESSION_KEY = "organise_nav"


def remember_organiser(request, user) -> None:
    from .selectors import user_organises_any

    if request is not None and hasattr(request, "session"):
        request.session[NAV_SESSION_KEY] = user_organises_any(user=user)


@receiver(user_logged_in, dispatch_uid="organise.remember_organiser")
def on_login(sender, request, user, **kwargs) -> None:
    remember_organiser(request, user)
