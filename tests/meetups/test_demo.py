from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from meetups.demo import load_demo
from meetups.models import Event, Group, Speaker, Talk


def _snapshot():
    return {
        "groups": list(Group.objects.values_list("slug", flat=True)),
        "events": list(Event.objects.order_by("slug").values_list("slug", "starts_at")),
        "talks": list(Talk.objects.order_by("slug").values_list("slug", "event__slug")),
        "speakers": list(Speaker.objects.order_by("slug").values_list("slug", flat=True)),
    }


@pytest.mark.django_db
def test_load_demo_is_idempotent():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _snapshot()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _snapshot() == first


@pytest.mark.django_db
def test_load_demo_holds_the_seed_event_facts():
    load_demo()

    event = Event.objects.get(title="SyDjango #1 2024 (Re-connect)")
    assert event.starts_at.astimezone(event.tzinfo).date().isoformat() == "2024-02-21"
    assert event.venue.name == "Cover Genius"
    assert event.host_sponsor.name == "Cover Genius"
    assert event.recorded_attendance == 35
    assert event.recording_url == "https://www.youtube.com/watch?v=jeJmQazH3jA"
    assert event.external_url == "https://www.meetup.com/sydjango/events/298539230"
    talks = {t.title: [s.name for s in t.speakers.all()] for t in event.talks.all()}
    assert talks == {
        "What is Django and why is it relevant in 2024?": ["Rui Da Costa"],
        "Concurrency in Python and Django": ["Hashim Muqtadir"],
        "10(8) Simple Techniques to Make Your DRF API Faster": ["Artem Kolesnikov"],
    }
    drf = event.talks.get(title__startswith="10(8)")
    assert drf.slides_url == "https://slides.city2code.com/django-drf-performance"
    concurrency = event.talks.get(title="Concurrency in Python and Django")
    assert concurrency.source_url.startswith("https://drive.google.com/file/d/17VUKo")


@pytest.mark.django_db
def test_load_demo_adds_two_upcoming_events():
    load_demo(now=datetime(2026, 11, 21, tzinfo=UTC))

    upcoming = Event.objects.upcoming(now=datetime(2026, 11, 21, tzinfo=UTC))
    assert upcoming.count() == 2
    assert all(e.talks.count() == 2 for e in upcoming)
