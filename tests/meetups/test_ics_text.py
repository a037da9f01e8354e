"""Stored text that would break a calendar line: the file still answers and parses, and the
RSVP confirmation that attaches it is still sent. New text is refused at input (portal.text)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from icalendar import Calendar

from meetups.models import Event, Group, Venue
from rsvp import services as rsvp_services
from tests.databases import USE_POSTGRES
from tests.factories import make_event, make_venue

pytestmark = pytest.mark.django_db

# The line breaks of the report, and the other characters Python and icalendar break lines on.
BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x00", "\x1b"]
# What a database can have stored: PostgreSQL refuses NUL in text outright, so there it cannot
# be old text (the SQLite pass covers it).
STORABLE = [
    pytest.param(
        char,
        marks=pytest.mark.skipif(
            char == "\x00" and USE_POSTGRES,
            reason="PostgreSQL cannot store NUL in text",
        ),
    )
    for char in BREAKS
]


def _stored(event: Event, *, char: str) -> Event:
    """Text saved before the portal checked it (an update skips the model's validators)."""
    Event.objects.filter(pk=event.pk).update(
        title=f"Launch{char}party", description=f"Line one{char}Line two\ttabbed"
    )
    Group.objects.filter(pk=event.group_id).update(name=f"Sydney{char}Django")
    Venue.objects.filter(pk=event.venue_id).update(name=f"The{char}Hall", address=f"1{char}St")
    return Event.objects.select_related("group", "venue").get(pk=event.pk)


@pytest.mark.parametrize("char", STORABLE)
def test_event_calendar_with_a_line_break_in_stored_text_answers_and_parses(client, group, char):
    event = _stored(make_event(group=group, venue=make_venue(name="Hall")), char=char)
    response = client.get(f"/events/{event.slug}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    calendar = Calendar.from_ical(response.content)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Launch party"
    assert str(vevent["location"]) == "The Hall, 1 St"
    assert str(calendar["x-wr-calname"]) == "Launch party"
    assert str(vevent["description"]).startswith("Line one")
    assert str(vevent["description"]).endswith("Line two\ttabbed")
    # Every physical line is a property or a folded continuation: nothing broke a line.
    for line in response.content.split(b"\r\n")[:-1]:
        assert b"\n" not in line and b"\r" not in line
        assert line[:1] == b" " or b":" in line


@pytest.mark.parametrize("char", ["\n", "\u2028", "\x85"])
def test_group_calendar_with_a_line_break_in_stored_text_answers(client, group, char):
    event = _stored(make_event(group=group, venue=make_venue(name="Hall")), char=char)
    response = client.get(f"/groups/{event.group.slug}/calendar.ics")
    assert response.status_code == 200
    assert str(Calendar.from_ical(response.content)["x-wr-calname"]) == "Sydney Django"


@pytest.mark.parametrize("char", STORABLE)
def test_rsvp_confirmation_is_sent_when_the_stored_title_has_a_line_break(
    group, member, django_capture_on_commit_callbacks, char
):
    event = _stored(make_event(group=group, venue=make_venue(name="Hall")), char=char)
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_services.rsvp_create(event=event, user=member)
    [email] = mail.outbox
    assert email.subject == "You're going: Launch party"
    assert [name for name, _, _ in email.attachments] == [f"{event.slug}.ics", "ticket-qr.png"]
    email.message().as_bytes()


@pytest.mark.parametrize("char", BREAKS)
@pytest.mark.parametrize(
    ("model", "field"),
    [(Event, "title"), (Venue, "name"), (Venue, "address"), (Group, "name")],
)
def test_model_fields_refuse_a_line_break(model, field, char):
    with pytest.raises(ValidationError) as refused:
        model._meta.get_field(field).run_validators(f"Launch{char}party")
    assert refused.value.messages == ["Keep this on one line, without control characters."]
