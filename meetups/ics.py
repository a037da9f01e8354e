"""iCalendar files: one per event ("add to calendar") and a subscribable feed per group, and
"add event" links for Google Calendar and Outlook built from the same fields.

Titles and names are refused at input when they are not one line (`portal.text`); rows saved
before that rule still pass through `one_line` here, and the description keeps its line breaks
as the escaped newlines of RFC 5545, so no stored text can break a calendar line.
"""

from collections.abc import Iterable
from datetime import UTC
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vText
from icalendar import Event as IcsEvent

from portal.text import multi_line, one_line

from .models import Event, Group

PRODID = "-//Meetup portal//EN"
# An "add event" link carries the text in its query: bounded so the link stays well under the
# ~2,000 characters browsers and these services accept, whatever the event's description.
LINK_TITLE_MAX = 200
LINK_LOCATION_MAX = 250
LINK_DETAILS_MAX = 500
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
OUTLOOK_LIVE = "https://outlook.live.com/calendar/0/action/compose"
OUTLOOK_OFFICE = "https://outlook.office.com/calendar/0/action/compose"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", vText(one_line(name)))
    return cal


def _event_component(event: Event) -> IcsEvent:
    item = IcsEvent()
    item.add("uid", f"event-{event.pk}@{settings.SITE_URL.split('://')[-1]}")
    item.add("dtstamp", timezone.now().astimezone(UTC))
    # UTC times: every calendar app converts them right, whatever the viewer's zone.
    item.add("dtstart", event.starts_at.astimezone(UTC))
    item.add("dtend", event.ends_at.astimezone(UTC))
    item.add("summary", one_line(event.title))
    item.add("url", settings.SITE_URL + event.get_absolute_url())
    item.add("description", multi_line(event.description))
    if event.venue:
        location = ", ".join(p for p in (event.venue.name, event.venue.address) if p)
        item.add("location", one_line(location))
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    item.add("last-modified", event.updated_at.astimezone(UTC))
    return item


def event_calendar(event: Event) -> bytes:
    cal = _calendar(event.title)
    cal.add("method", "PUBLISH")
    cal.add_component(_event_component(event))
    return cal.to_ical()


def group_calendar(group: Group, events: Iterable[Event]) -> bytes:
    cal = _calendar(group.name)
    cal.add("x-wr-timezone", group.time_zone)
    for event in events:
        cal.add_component(_event_component(event))
    return cal.to_ical()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _link_fields(event: Event) -> dict[str, str]:
    url = settings.SITE_URL + event.get_absolute_url()
    description = _clip(multi_line(event.description), LINK_DETAILS_MAX - len(url) - 2)
    location = ""
    if event.venue:
        location = ", ".join(p for p in (event.venue.name, event.venue.address) if p)
    return {
        "title": _clip(one_line(event.title), LINK_TITLE_MAX),
        "details": f"{description}\n\n{url}" if description else url,
        "location": _clip(one_line(location), LINK_LOCATION_MAX),
    }


def _query(params: dict[str, str]) -> str:
    # %20 rather than "+": Outlook shows a "+" in the subject literally.
    return urlencode({k: v for k, v in params.items() if v}, quote_via=quote)


def google_calendar_url(event: Event) -> str:
    """Google Calendar's "add event" page for `event`, times in UTC."""
    fields = _link_fields(event)
    start = event.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    end = event.ends_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    query = _query(
        {
            "action": "TEMPLATE",
            "text": fields["title"],
            "dates": f"{start}/{end}",
            "details": fields["details"],
            "location": fields["location"],
        }
    )
    return f"{GOOGLE_CALENDAR}?{query}"


def outlook_calendar_url(event: Event, *, base: str = OUTLOOK_LIVE) -> str:
    """Outlook's "new event" page (outlook.live.com, or OUTLOOK_OFFICE for work accounts)."""
    fields = _link_fields(event)
    query = _query(
        {
            "rru": "addevent",
            "subject": fields["title"],
            "startdt": event.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "enddt": event.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "body": fields["details"],
            "location": fields["location"],
        }
    )
    return f"{base}?{query}"


def calendar_links(event: Event) -> dict[str, str]:
    return {
        "google": google_calendar_url(event),
        "outlook": outlook_calendar_url(event),
        "office": outlook_calendar_url(event, base=OUTLOOK_OFFICE),
    }
