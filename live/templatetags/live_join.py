"""The join code and its QR code, whenever the room is live (running, or live mode started).

- `{% join_panel event live_now %}`: the panel alone (the caller passes the flag it already
  asked, `event_is_live`).
- `{% room_join event live running variant %}`: the same panel, deciding from the event's live
  state (`live`) and whether it runs, so that the live app's stage broadcast
  (live/broadcast.py) renders what the page renders: the presenter's join code, and the event
  page's "Live now" link with its code, come and go with live mode on open pages.

A page builds the URLs from its request; a broadcast has none and uses `SITE_URL`.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from live import selectors
from live.join import join_code, qr_svg

register = template.Library()


def _origin(context) -> tuple[str, str]:
    """(scheme://host, host) of the portal as this page or broadcast names it."""
    request = context.get("request")
    if request is not None:
        return f"{request.scheme}://{request.get_host()}", request.get_host()
    return settings.SITE_URL, urlsplit(settings.SITE_URL).netloc


def _panel(context, event, live_now: bool, variant: str) -> dict:
    origin, host = _origin(context)
    live_path = reverse("live:live_page", kwargs={"slug": event.slug})
    if not live_now:
        return {"show": False, "variant": variant, "event": event, "ask_at": f"{host}{live_path}"}
    code = join_code(event.pk)
    path = reverse("live:join_code", kwargs={"code": code})
    return {
        "show": True,
        "variant": variant,
        "event": event,
        "live_path": live_path,
        "code": code,
        "short_url": f"{host}{path}",
        "qr": qr_svg(f"{origin}{path}", label=f"QR code: opens the live page of {event.title}"),
    }


@register.inclusion_tag("live/join_panel.html", takes_context=True)
def join_panel(context, event, live_now: bool, variant: str = "page") -> dict:
    return _panel(context, event, live_now, variant)


@register.inclusion_tag("live/join_panel.html", takes_context=True)
def room_join(context, event, live, running: bool, variant: str) -> dict:
    """`variant`: "presenter" (the projector's join code, or where to ask while not live) or
    "event" (the event page's "Live now" link and join code). No query: `live` is the state."""
    live_now = running or selectors.live_mode_on(event=event, state=live)
    return _panel(context, event, live_now, variant)


# An event page listens for live mode from a day before the event until it ends (or while the
# room is live already): a page open earlier shows the code on its next load.
EVENT_PAGE_LISTENS_BEFORE = timedelta(hours=24)


@register.inclusion_tag("live/event_live.html", takes_context=True)
def event_live(context, event) -> dict:
    """The event page's "Live now" link and join code, and the socket that brings them (and
    takes them away) when live mode is switched on or off. At most one query, as
    `event_is_live`."""
    running = selectors.event_is_running(event=event)
    live_now = running or selectors.live_mode_on(event=event)
    soon = event.starts_at - timezone.now() <= EVENT_PAGE_LISTENS_BEFORE
    listens = not selectors.qa_is_read_only(event=event) and (live_now or soon)
    panel = _panel(context, event, live_now, "event")
    panel["ws_url"] = f"/ws/events/{event.pk}/live/?view=event" if listens else ""
    panel["heartbeat_seconds"] = settings.LIVE_HEARTBEAT_SECONDS
    return panel
