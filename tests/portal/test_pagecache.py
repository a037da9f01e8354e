"""The anonymous page cache (portal/pagecache.py): who is served from it, what it may hold,
and how long. What renews a page after a write: test_pagecache_writes.py."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from portal.pagecache import HIT_HEADER, event_dependency
from rsvp import services as rsvp_services
from tests import factories

pytestmark = pytest.mark.django_db


def hit(response) -> bool:
    return response.get(HIT_HEADER) == "hit"


def warm(client: Client, url: str) -> None:
    """Until `url` is served from the cache: home and the archive are stored on their first
    render; the first render of an event or talk page learns which event it shows (and is not
    stored), the second is stored, the third is a hit."""
    expected = (
        [False, True] if url.split("?")[0] in ("/", "/events/past/") else [False, False, True]
    )
    assert [hit(client.get(url)) for _ in expected] == expected


def test_cached_event_page_is_served_without_a_query(
    page_cache, client, event, django_assert_num_queries
):
    url = event.get_absolute_url()
    assert hit(client.get(url)) is False  # learns which event the page shows
    stored = client.get(url)
    assert hit(stored) is False

    with django_assert_num_queries(0):
        response = client.get(url)

    assert (response.status_code, hit(response)) == (200, True)
    assert response.content == stored.content


@pytest.mark.parametrize("url", ["/", "/events/past/", "/events/past/?page=1"])
def test_list_pages_are_stored_on_their_first_render(page_cache, client, event, past_event, url):
    assert [hit(client.get(url)) for _ in range(2)] == [False, True]


def test_talk_page_is_cached(page_cache, client, event, django_assert_num_queries):
    talk = factories.make_talk(event=event, title="Cached talk")
    warm(client, talk.get_absolute_url())
    with django_assert_num_queries(0):
        assert hit(client.get(talk.get_absolute_url()))


def test_signed_in_visitor_is_never_served_from_the_cache(page_cache, client, event, member):
    url = event.get_absolute_url()
    warm(client, url)
    client.force_login(member)

    response = client.get(url)

    assert (response.status_code, hit(response)) == (200, False)
    assert "Log out" in response.text
    assert response["Cache-Control"] == "private, no-store"


def test_signed_in_visitor_never_fills_the_cache(page_cache, event, member):
    signed_in = Client()
    signed_in.force_login(member)
    for url in ("/", "/events/past/", event.get_absolute_url()):
        for _ in range(3):
            assert signed_in.get(url).status_code == 200

    # Not one page: only the versions its public fragments are kept under, and which ones.
    assert [key for key in page_cache._cache if ":page:" in key] == []
    anonymous = Client()
    assert hit(anonymous.get("/")) is False


def test_cached_body_holds_no_csrf_token_and_nothing_personal(page_cache, client, event):
    # A visitor who has a CSRF cookie already (any form sets it), and an attendee whose name the
    # signed-in page lists.
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    attendee = factories.make_user(username="attendee", first_name="Zelda Quartermain")
    rsvp_services.rsvp_create(event=event, user=attendee, guests=0, listed=True)
    url = event.get_absolute_url()
    warm(client, url)
    signed_in = Client()
    signed_in.force_login(attendee)
    assert "Zelda Quartermain" in signed_in.get(url).text

    response = client.get(url)

    assert hit(response) is True
    body = response.text
    assert "csrfmiddlewaretoken" not in body
    assert token not in body
    assert "hx-headers" not in body
    assert "Zelda Quartermain" not in body
    assert "Log in to RSVP" in body
    assert "portal/csrf" in body  # htmx takes the token from the cookie instead
    assert response.cookies == {}


def test_signed_in_page_keeps_its_csrf_header(page_cache, client, event, member):
    client.force_login(member)
    response = client.get(event.get_absolute_url())
    token = response.context["csrf_token"]
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in response.text


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_visitor_with_a_session_or_messages_cookie_is_not_served(page_cache, client, event, cookie):
    warm(client, "/")
    client.cookies[cookie] = "anything"
    assert hit(client.get("/")) is False


def test_htmx_request_gets_its_partial_not_the_cached_page(page_cache, client, past_event):
    warm_archive = [hit(client.get("/events/past/")) for _ in range(2)]
    assert warm_archive == [False, True]

    response = client.get(
        "/events/past/", headers={"HX-Request": "true", "HX-Target": "archive-results"}
    )

    assert hit(response) is False
    assert response.text.lstrip().startswith('<div id="archive-results"')


def test_head_is_answered_from_the_cache_without_a_body(page_cache, client, event):
    warm(client, event.get_absolute_url())
    response = client.head(event.get_absolute_url())
    assert (response.status_code, hit(response), response.content) == (200, True, b"")


@pytest.mark.parametrize(
    "query", ["?utm_source=mail", "?page=abc", "?page=12345", "?page=1&page=2"]
)
def test_other_query_strings_are_not_stored(page_cache, client, past_event, query):
    assert [hit(client.get("/events/past/" + query)) for _ in range(3)] == [False, False, False]


def test_query_string_is_part_of_the_key(page_cache, client, past_event):
    for _ in range(2):
        client.get("/events/past/?page=1")
    assert hit(client.get("/events/past/")) is False


def test_not_found_is_not_stored(page_cache, client):
    assert [client.get("/events/nothing-here/").status_code for _ in range(3)] == [404, 404, 404]
    assert not [key for key in page_cache._cache if ":page:" in key]


def test_page_lives_at_most_page_cache_seconds(page_cache, client, event, settings):
    # Time alone changes a page (an event starting, ending, going to the archive): no write
    # renews it, so its entry expires.
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        warm(client, "/")
        clock.shift(timedelta(seconds=settings.PAGE_CACHE_SECONDS - 1))
        assert hit(client.get("/")) is True
        clock.shift(timedelta(seconds=2))
        assert hit(client.get("/")) is False


def test_lost_version_is_a_miss_never_an_old_page(page_cache, client, event):
    url = event.get_absolute_url()
    warm(client, url)
    page_cache.delete(f"pagecache:v:{event_dependency(event.pk)}")
    assert hit(client.get(url)) is False


def test_cache_off_serves_nothing(page_cache, client, event, settings):
    warm(client, "/")
    settings.PAGE_CACHE_ENABLED = False
    assert hit(client.get("/")) is False


def test_a_hit_is_counted_under_its_view(page_cache, client, event):
    """Guards: a page served from the cache never reached URL resolution, so the request
    metrics counted every hit as "unmatched" and the home page's traffic vanished from them."""
    from portal import observability

    def served() -> float:
        labels = {"method": "GET", "view": "home", "status": "200"}
        return observability.HTTP_REQUESTS.labels(**labels)._value.get()

    warm(client, "/")
    before = served()
    assert hit(client.get("/"))
    assert served() == before + 1
