"""Time zones: the event's zone always, the viewer's own beside it where it differs."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from portal import time_zones
from portal.errors import ServiceError
from portal.models import Profile
from tests import factories

# 7 pm in Sydney (AEDT, +11) on 3 December 2026 = 08:00 UTC = 8 am in London.
STARTS = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def sydney_event(group):
    return factories.make_event(
        group=group, starts_at=STARTS, time_zone="Australia/Sydney", title="Summer meetup"
    )


def test_validate_accepts_iana_names_and_blank():
    assert time_zones.validate_time_zone(" Europe/London ") == "Europe/London"
    assert time_zones.validate_time_zone("") == ""


@pytest.mark.parametrize("value", ["Mars/Olympus", "europe/london", "UTC<script>", "A" * 65])
def test_validate_refuses_unknown_zones(value):
    with pytest.raises(ServiceError) as refused:
        time_zones.validate_time_zone(value)
    assert (refused.value.kind, refused.value.field) == ("invalid", "time_zone")


def test_event_page_shows_event_zone_only_for_visitors(client, sydney_event):
    html = client.get(sydney_event.get_absolute_url()).content.decode()
    assert (
        '<time datetime="2026-12-03T19:00:00+11:00">Thursday 3 December 2026, 7:00 PM</time>'
        "\u20139:00 PM AEDT"
    ) in html
    assert 'data-event-tz="Australia/Sydney"' in html
    assert "data-viewer-time" not in html


def test_event_page_adds_the_profile_zone(client, member, sydney_event):
    time_zones.profile_time_zone_set(user=member, time_zone="Europe/London")
    client.force_login(member)
    html = client.get(sydney_event.get_absolute_url()).content.decode()
    assert (
        '<span class="viewer-time block text-sm text-stone-600" data-viewer-time="Europe/London">'
        'Your time (Europe/London): <time datetime="2026-12-03T08:00:00+00:00">Thu 3 Dec, '
        "8:00 AM</time>&ndash;10:00 AM GMT</span>"
    ) in html


def test_same_zone_adds_nothing(client, member, sydney_event):
    time_zones.profile_time_zone_set(user=member, time_zone="Australia/Sydney")
    client.force_login(member)
    html = client.get(sydney_event.get_absolute_url()).content.decode()
    assert "data-viewer-time" not in html


def test_same_offset_under_another_name_adds_nothing(client, member, sydney_event):
    time_zones.profile_time_zone_set(user=member, time_zone="Australia/Melbourne")
    client.force_login(member)
    html = client.get(sydney_event.get_absolute_url()).content.decode()
    assert "data-viewer-time" not in html


def test_profile_form_saves_the_zone(client, member, sydney_event):
    client.force_login(member)
    response = client.post(reverse("time_zone_save"), {"time_zone": "America/New_York"})
    assert response.status_code == 302
    assert Profile.objects.get(user=member).time_zone == "America/New_York"
    # This session shows it at once.
    html = client.get(sydney_event.get_absolute_url()).content.decode()
    assert 'data-viewer-time="America/New_York"' in html


def test_profile_form_refuses_an_unknown_zone(client, member):
    client.force_login(member)
    response = client.post(reverse("time_zone_save"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert response.context["time_zone_form"].errors == {
        "time_zone": ["Select a valid choice. Mars/Olympus is not one of the available choices."]
    }
    assert Profile.objects.filter(user=member).count() == 0


def test_profile_form_needs_login(client, db):
    response = client.post(reverse("time_zone_save"), {"time_zone": "Europe/London"})
    assert response.status_code == 302
    assert Profile.objects.count() == 0


def test_zone_is_read_at_login_not_per_page(client, member, django_assert_num_queries):
    Profile.objects.create(user=member, time_zone="Europe/London")
    client.force_login(member)
    assert client.session[time_zones.SESSION_KEY] == "Europe/London"
    session = dict(client.session.items())
    request = type("Request", (), {"user": member, "session": session})()
    with django_assert_num_queries(0):
        assert time_zones.viewer_time_zone(request) == "Europe/London"


def test_session_from_before_the_setting_reads_it_once(member):
    Profile.objects.create(user=member, time_zone="Asia/Tokyo")
    request = type("Request", (), {"user": member, "session": {}})()
    assert time_zones.viewer_time_zone(request) == "Asia/Tokyo"
    assert request.session == {time_zones.SESSION_KEY: "Asia/Tokyo"}


def test_deleted_zone_name_in_session_is_ignored(member):
    request = type("Request", (), {"user": member, "session": {time_zones.SESSION_KEY: "X/Y"}})()
    assert time_zones.viewer_time_zone(request) == ""
