"""The signed-in event page's queries, exactly: with its public parts kept (the agenda, about,
polls and venue fragments; the panel's seats and RSVP settings) and without (cache off, the
first render), and what each one reads."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from members import services as member_services
from rsvp import services as rsvp_services
from tests import factories


def page_queries(client: Client, url: str) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries], response.text


def tables(queries: list[str]) -> list[str]:
    """The first table each query reads, in order."""
    return [sql.split(" FROM ", 1)[1].split()[0].strip('"') for sql in queries]


@pytest.fixture
def page(event, member, group):
    """The member going to an event with an agenda, a speaker and two other people going."""
    talk = factories.make_talk(event=event, title="Talk A", order=1)
    talk.speakers.add(factories.make_speaker(name="Sam Speaker"))
    member_services.membership_join(group=group, user=member)
    for name in ("Ada Going", "Bo Going"):
        person = factories.make_user(first_name=name)
        rsvp_services.rsvp_create(event=event, user=person, guests=0, listed=True)
    rsvp_services.rsvp_create(event=event, user=member, guests=0, listed=True)
    client = Client()
    client.force_login(member)
    return client, event.get_absolute_url()


# The event; the session and its user; the layout's group; the viewer's RSVP with who's
# going; their membership with the event's policies; the organiser check (the door link).
WARM = [
    "meetups_event",
    "django_session",
    "auth_user",
    "meetups_group",
    "rsvp_rsvp",
    "meetups_event",
    "auth_user",
]


@pytest.mark.django_db
def test_signed_in_page_with_public_parts_kept_runs_seven_queries(page_cache, page):
    client, url = page
    client.get(url)  # learns which event the page shows
    client.get(url)  # keeps its public parts

    queries, body = page_queries(client, url)

    assert tables(queries) == WARM
    assert not [sql for sql in queries if "meetups_talk" in sql]  # the agenda is not fetched
    assert "Sam Speaker" in body
    assert "Cancel my RSVP" in body
    assert body.count("Going</span>") == 2  # Ada and Bo by name; the member as "You're going"


@pytest.mark.django_db
def test_signed_in_page_without_the_cache_runs_thirteen_queries(settings, page):
    settings.PAGE_CACHE_ENABLED = False
    client, url = page

    queries, body = page_queries(client, url)

    # As warm, and: the panel's seats with the RSVP settings (one query), the agenda's talks
    # and speakers, the live state and the closed polls.
    assert len(queries) == 12
    assert tables(queries).count("meetups_talk") == 1
    assert "Sam Speaker" in body


@pytest.mark.django_db
def test_first_render_of_the_page_reads_the_public_parts_and_keeps_none(page_cache, page):
    client, url = page

    cold, _ = page_queries(client, url)
    second, _ = page_queries(client, url)
    warm, _ = page_queries(client, url)

    # The first render did not know its event's version, so it kept nothing; the second did.
    assert (len(cold), len(second), len(warm)) == (12, 12, 7)


@pytest.mark.django_db(transaction=True)
def test_kept_seats_follow_an_rsvp_at_once(page_cache, event, member):
    event.capacity = 10
    event.save()
    client = Client()
    client.force_login(member)
    url = event.get_absolute_url()
    seats = ["10</strong> of 10" in client.get(url).text for _ in range(3)]

    rsvp_services.rsvp_create(event=event, user=factories.make_user(), guests=1)

    assert seats == [True, True, True]
    assert "8</strong> of 10" in client.get(url).text
