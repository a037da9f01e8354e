"""Issue #15, attendee journey: Google and Outlook calendar links (none for a past event), and
a talk's recording starting at the talk."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from meetups import ics
from meetups.demo import load_demo
from meetups.models import RECORDING_START_MAX_SECONDS, Talk
from meetups.video import privacy_embed_url, timestamp, watch_url_at
from tests.factories import make_event, make_talk, make_venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def evening(group):
    return make_event(
        group=group,
        title="SyDjango: async & views + more",
        slug="async-night",
        starts_at=datetime(2030, 2, 21, 7, 0, tzinfo=UTC),
        ends_at=datetime(2030, 2, 21, 9, 30, tzinfo=UTC),
        venue=make_venue(name="Canva HQ", address="110 Kippax St, Surry Hills"),
        description="Talks & pizza.",
    )


def test_google_calendar_link_carries_utc_times_title_venue_and_url(evening, settings):
    """Guards: no Google link, or one with local times or unencoded text."""
    settings.SITE_URL = "https://meetup.example"

    link = urlparse(ics.google_calendar_url(evening))

    assert (link.scheme, link.netloc, link.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    assert parse_qs(link.query) == {
        "action": ["TEMPLATE"],
        "text": ["SyDjango: async & views + more"],
        "dates": ["20300221T070000Z/20300221T093000Z"],
        "details": ["Talks & pizza.\n\nhttps://meetup.example/events/async-night/"],
        "location": ["Canva HQ, 110 Kippax St, Surry Hills"],
    }
    assert "+" not in link.query  # spaces are %20: Outlook would show a "+" literally
    assert "%26" in link.query  # the "&" of the title cannot start a new parameter


def test_outlook_links_for_personal_and_work_accounts(evening, settings):
    """Guards: no Outlook link (the issue asked for Outlook next to Google)."""
    settings.SITE_URL = "https://meetup.example"

    live = urlparse(ics.outlook_calendar_url(evening))
    office = urlparse(ics.outlook_calendar_url(evening, base=ics.OUTLOOK_OFFICE))

    assert live.netloc == "outlook.live.com"
    assert office.netloc == "outlook.office.com"
    assert parse_qs(live.query) == {
        "rru": ["addevent"],
        "subject": ["SyDjango: async & views + more"],
        "startdt": ["2030-02-21T07:00:00Z"],
        "enddt": ["2030-02-21T09:30:00Z"],
        "body": ["Talks & pizza.\n\nhttps://meetup.example/events/async-night/"],
        "location": ["Canva HQ, 110 Kippax St, Surry Hills"],
    }


def test_calendar_links_are_bounded_whatever_the_description(evening):
    """Guards: a long description making links too long for the services to accept."""
    evening.description = "word " * 5000
    evening.title = "T" * 200

    for link in ics.calendar_links(evening).values():
        assert len(link) < 2000


def test_event_page_offers_google_outlook_and_ics(client, evening):
    html = client.get(evening.get_absolute_url()).content.decode()

    assert html.count('href="https://calendar.google.com/calendar/render?action=TEMPLATE') == 1
    assert html.count('href="https://outlook.live.com/calendar/0/action/compose?') == 1
    assert html.count('href="https://outlook.office.com/calendar/0/action/compose?') == 1
    assert f'href="/events/{evening.slug}/calendar.ics">Apple / other (.ics)</a>' in html


def test_past_event_offers_no_add_to_calendar(client, group):
    """Guards: a past event still offering "Add to calendar"."""
    past = make_event(group=group, starts_in=-timedelta(days=30))

    html = client.get(past.get_absolute_url()).content.decode()

    assert "Add to calendar" not in html
    assert "calendar.google.com" not in html
    assert f"/events/{past.slug}/calendar.ics" not in html


# --- a talk's place in the evening's recording -------------------------------------------


def test_video_helpers_start_at_an_offset():
    url = "https://www.youtube.com/watch?v=jeJmQazH3jA"

    assert privacy_embed_url(url, start=1710) == (
        "https://www.youtube-nocookie.com/embed/jeJmQazH3jA?start=1710"
    )
    assert watch_url_at(url, start=1710) == "https://www.youtube.com/watch?v=jeJmQazH3jA&t=1710s"
    assert watch_url_at("https://vimeo.com/1", start=1710) == "https://vimeo.com/1"
    assert (timestamp(75), timestamp(3725)) == ("1:15", "1:02:05")


def test_talk_page_starts_the_evenings_recording_at_the_talk(client, group):
    """Guards: a talk page playing the whole evening from 0:00."""
    event = make_event(
        group=group,
        starts_in=-timedelta(days=30),
        recording_url="https://www.youtube.com/watch?v=jeJmQazH3jA",
    )
    talk = make_talk(event=event, recording_start_seconds=1710)

    html = client.get(talk.get_absolute_url()).content.decode()

    assert 'src="https://www.youtube-nocookie.com/embed/jeJmQazH3jA?start=1710"' in html
    assert 'href="https://www.youtube.com/watch?v=jeJmQazH3jA&amp;t=1710s"' in html
    assert "This talk starts at <strong>28:30</strong>" in html


def test_talk_with_its_own_video_ignores_the_offset(client, group):
    event = make_event(
        group=group,
        starts_in=-timedelta(days=30),
        recording_url="https://www.youtube.com/watch?v=jeJmQazH3jA",
    )
    talk = make_talk(
        event=event,
        video_url="https://youtu.be/aaaaaaaaaaa",
        recording_start_seconds=1710,
    )

    html = client.get(talk.get_absolute_url()).content.decode()

    assert 'src="https://www.youtube-nocookie.com/embed/aaaaaaaaaaa"' in html
    assert "This talk starts at" not in html


def test_recording_start_is_bounded(group):
    talk = make_talk(event=make_event(group=group))
    talk.recording_start_seconds = RECORDING_START_MAX_SECONDS + 1

    with pytest.raises(ValidationError):
        talk.full_clean()
    with pytest.raises(IntegrityError):
        Talk.objects.filter(pk=talk.pk).update(
            recording_start_seconds=RECORDING_START_MAX_SECONDS + 1
        )


def test_recording_start_is_editable_in_the_admin(admin_client, group):
    talk = make_talk(event=make_event(group=group))

    html = admin_client.get(f"/admin/meetups/talk/{talk.pk}/change/").content.decode()

    assert 'name="recording_start_seconds"' in html


def test_demo_talks_start_where_they_do_in_the_recording():
    load_demo()

    starts = dict(
        Talk.objects.filter(event__slug="sydjango-1-2024-re-connect").values_list(
            "order", "recording_start_seconds"
        )
    )
    assert starts == {1: 75, 2: 1710, 3: 3345}
