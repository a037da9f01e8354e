"""The signed-in event page: its public parts (about, agenda, polls, recording, venue) are
rendered once per version of the event and reused (`{% cache %}` under `page_version`), its
personal parts (the RSVP panel and bar, the organiser's link) on every request."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cfp import services as cfp_services
from live import services as live_services
from rsvp import services as rsvp_services
from tests import factories


def queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.text


def agenda(body: str) -> list[str]:
    section = re.search(r'<section aria-labelledby="agenda-heading".*?</section>', body, re.S)
    return re.findall(r">(Talk [A-Z])<", section.group(0))


@pytest.mark.django_db
def test_signed_in_page_reuses_its_public_parts_with_fewer_queries(
    page_cache, settings, event, member
):
    factories.make_talk(event=event, title="Talk A", order=1)
    event.description = "**Doors** at six."
    event.save()
    client = Client()
    client.force_login(member)
    url = event.get_absolute_url()
    settings.PAGE_CACHE_ENABLED = False
    uncached, plain_body = queries(client, url)
    settings.PAGE_CACHE_ENABLED = True
    client.get(url)  # learns which event the page shows
    client.get(url)  # keeps its public parts

    reused, body = queries(client, url)

    # Not asked again: the event's closed polls, its live state, the agenda's talks and
    # speakers, the panel's seats and settings (tests/meetups/test_event_page_queries.py).
    assert (uncached, reused) == (12, 7)
    assert agenda(body) == agenda(plain_body) == ["Talk A"]
    assert "<strong>Doors</strong> at six." in body
    assert "I'm going" in body  # the member's own RSVP form, rendered for them


@pytest.mark.django_db
def test_personal_parts_stay_personal_while_public_parts_are_shared(page_cache, event, member):
    factories.make_talk(event=event, title="Talk A")
    going = factories.make_user(username="going", first_name="Gina Going")
    rsvp_services.rsvp_create(event=event, user=going, guests=0, listed=True)
    url = event.get_absolute_url()
    gina = Client()
    gina.force_login(going)
    for _ in range(2):
        gina.get(url)
    other = Client()
    other.force_login(member)

    mine, theirs = gina.get(url).text, other.get(url).text

    assert ("Cancel my RSVP" in mine, "Cancel my RSVP" in theirs) == (True, False)
    assert ("I'm going" in mine, "I'm going" in theirs) == (False, True)
    assert agenda(mine) == agenda(theirs) == ["Talk A"]
    stored = list(page_cache._cache.values())
    assert stored  # the fragments are there
    assert not [value for value in stored if b"csrfmiddlewaretoken" in value or b"Gina" in value]


@pytest.mark.django_db(transaction=True)
def test_signed_in_page_sees_a_write_at_once(page_cache, event, organiser, member):
    factories.make_talk(event=event, title="Talk A", order=1)
    second = factories.make_talk(event=event, title="Talk B", order=2)
    client = Client()
    client.force_login(member)
    url = event.get_absolute_url()
    assert [agenda(client.get(url).text) for _ in range(3)] == [["Talk A", "Talk B"]] * 3

    cfp_services.agenda_move(user=organiser, talk=second, direction="up")

    assert agenda(client.get(url).text) == ["Talk B", "Talk A"]


@pytest.mark.django_db(transaction=True)
def test_signed_in_page_sees_live_mode_at_once(page_cache, group, organiser, member):
    soon = factories.make_event(group=group, starts_in=timedelta(hours=1))
    client = Client()
    client.force_login(member)
    url = soon.get_absolute_url()
    assert ["Live now" in client.get(url).text for _ in range(3)] == [False, False, False]

    live_services.live_mode_set(event=soon, user=organiser, on=True)

    assert "Live now" in client.get(url).text
