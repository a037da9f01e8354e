import segno
from django import template
from django.utils.safestring import SafeString, mark_safe

from meetups.models import Event

from .. import selectors
from ..views.attendee import panel_context

register = template.Library()


@register.inclusion_tag("rsvp/panel.html", takes_context=True)
def rsvp_panel(context, event: Event) -> dict:
    """The RSVP panel of an event page (the same partial the RSVP views answer htmx with)."""
    request = context["request"]
    return {**panel_context(request, event), "csrf_token": context.get("csrf_token")}


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
