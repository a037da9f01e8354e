from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from meetups.models import Event
from tests.factories import make_event, make_venue

SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.mark.django_db
def test_event_ics_parses_and_holds_times_in_utc(client, group):
    event = make_event(
        group=group,
        title="SyDjango #1 2024 (Re-connect)",
        starts_at=datetime(2024, 2, 21, 18, 0, tzinfo=SYDNEY),
        ends_at=datetime(2024, 2, 21, 20, 30, tzinfo=SYDNEY),
        venue=make_venue(name="Cover Genius", address="Sydney"),
    )

    response = client.get(f"/events/{event.slug}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [vevent] = Calendar.from_ical(response.content).walk("VEVENT")
    # 18:00 in Sydney (AEDT, UTC+11) is 07:00 UTC.
    assert vevent.decoded("dtstart") == datetime(2024, 2, 21, 7, 0, tzinfo=UTC)
    assert vevent.decoded("dtend") == datetime(2024, 2, 21, 9, 30, tzinfo=UTC)
    assert vevent["dtstart"].to_ical() == b"20240221T070000Z"  # written as UTC, "Z"
    assert str(vevent["summary"]) == "SyDjango #1 2024 (Re-connect)"
    assert str(vevent["location"]) == "Cover Genius, Sydney"
    assert str(vevent["status"]) == "CONFIRMED"
    assert str(vevent["url"]).endswith(f"/events/{event.slug}/")


@pytest.mark.django_db
def test_group_calendar_feed_lists_public_events_not_drafts(client, group):
    shown = make_event(group=group, title="Published")
    cancelled = make_event(group=group, title="Called off", status=Event.Status.CANCELLED)
    make_event(group=group, title="Secret draft", status=Event.Status.DRAFT)
    make_event(title="Another group's event")

    response = client.get(f"/groups/{group.slug}/calendar.ics")

    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == ["Called off", "Published"]
    by_title = {str(e["summary"]): e for e in events}
    assert str(by_title["Called off"]["status"]) == "CANCELLED"
    assert by_title["Published"].decoded("dtstart") == shown.starts_at.astimezone(UTC)
    assert by_title["Called off"].decoded("dtstart") == cancelled.starts_at.astimezone(UTC)


@pytest.mark.django_db
def test_event_ics_of_a_draft_is_404_for_the_public(client, group):
    draft = make_event(group=group, status=Event.Status.DRAFT)

    assert client.get(f"/events/{draft.slug}/calendar.ics").status_code == 404
