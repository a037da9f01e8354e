"""iCalendar files: one per event ("add to calendar") and a subscribable feed per group.

Titles and names are refused at input when they are not one line (`portal.text`); rows saved
before that rule still pass through `one_line` here, and the description keeps its line breaks
as the escaped newlines of RFC 5545, so no stored text can break a calendar line.
"""

from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vText
from icalendar import Event as IcsEvent

from portal.text import multi_line, one_line

from .models import Event, Group

PRODID = "-//Meetup portal//EN"


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
