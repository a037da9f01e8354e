"""`{% viewer_time event %}`: the event's start in the signed-in viewer's own zone, where it
differs from the event's (portal.time_zones). Nothing otherwise: the browser may add its own."""

import zoneinfo

from django import template
from django.template.defaultfilters import date as date_format
from django.utils.html import format_html

from portal.time_zones import viewer_time_zone

register = template.Library()


@register.simple_tag(takes_context=True)
def viewer_time(context, event) -> str:
    zone_name = viewer_time_zone(context.get("request"))
    if not zone_name or zone_name == event.time_zone:
        return ""
    zone = zoneinfo.ZoneInfo(zone_name)
    starts = event.starts_at.astimezone(zone)
    ends = event.ends_at.astimezone(zone)
    if starts.utcoffset() == event.starts_at.astimezone(event.tzinfo).utcoffset():
        return ""  # another name for the same clock: nothing new to say
    return format_html(
        ' <span class="viewer-time block text-sm text-stone-600" data-viewer-time="{}">'
        'Your time ({}): <time datetime="{}">{}</time>&ndash;{}</span>',
        zone_name,
        zone_name.replace("_", " "),
        starts.isoformat(),
        date_format(starts, "D j M, g:i A"),
        date_format(ends, "g:i A T"),
    )
