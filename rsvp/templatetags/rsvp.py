import segno
from django import template
from django.utils.safestring import SafeString, mark_safe

from meetups.models import Event
from portal.people import display_name

from .. import selectors
from ..forms import GuestsForm
from ..views.attendee import panel_context

register = template.Library()


@register.inclusion_tag("rsvp/panel.html", takes_context=True)
def rsvp_panel(context, event: Event) -> dict:
    """The RSVP panel of an event page (the same partial the RSVP views answer htmx with)."""
    request = context["request"]
    return {**panel_context(request, event), "csrf_token": context.get("csrf_token")}


@register.simple_tag(takes_context=True)
def rsvp_panel_context(context, event: Event, public_version: str | None = None) -> dict:
    """`{% rsvp_panel_context event public_version as rsvp %}`: the panel's context once, for a
    page that shows both the panel (`{% include "rsvp/panel.html" with panel=rsvp.panel
    form=rsvp.form %}`) and its phone bar (`"rsvp/panel.html#sticky"`). With the page's
    `public_version` (`portal.pagecache.page_version`), the event's seats and RSVP settings are
    read once per version; the viewer's own RSVP and the rules, every time."""
    request = context["request"]
    panel = selectors.rsvp_panel(event=event, user=request.user, public_version=public_version)
    # As `views.attendee.panel_context` builds it, from this panel rather than a second read.
    form = GuestsForm(
        guests_allowed=panel.settings.guests_allowed,
        initial={"guests": panel.rsvp.guests if panel.rsvp else 0},
    )
    return {"event": event, "panel": panel, "form": form, "request": request}


@register.simple_tag(takes_context=True)
def rsvp_statuses(context, *event_lists) -> dict[int, str]:
    """`{% rsvp_statuses upcoming recent as statuses %}`: the viewer's RSVP status per event
    of the given events or lists of events, in one query (`selectors.rsvp_statuses`)."""
    ids = []
    for item in event_lists:
        if isinstance(item, Event):
            ids.append(item.pk)
        elif item:
            ids.extend(event.pk for event in item)
    return selectors.rsvp_statuses(user=context["request"].user, event_ids=ids)


@register.filter
def status_of(statuses: dict | None, event: Event) -> str:
    """`{{ statuses|status_of:event }}`: "going", "waitlisted" or ""."""
    return (statuses or {}).get(event.pk, "")


@register.filter
def initials(user) -> str:
    """Up to two initials of the display name, for an avatar."""
    words = display_name(user).split()
    return "".join(word[0] for word in words[:2]).upper() or "?"


@register.simple_tag
def event_attendance(event: Event) -> dict:
    """`{% event_attendance event as counts %}`: going, waitlisted, seats_left... (one query)."""
    return selectors.event_attendance_counts(event_id=event.pk)


@register.simple_tag
def qr_svg(data: str, title: str = "QR code") -> SafeString:
    """An inline SVG QR code (no inline style, so it passes the CSP)."""
    svg = segno.make(data, error="m").svg_inline(
        scale=5, border=2, title=title, svgclass="mx-auto", lineclass=None
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup; `data` is escaped by segno
