"""portal/pagecache_front.py: a cached anonymous page answered on the event loop, before a
thread and the middleware chain, exactly as the middleware would answer it; everything else
goes the whole way."""

import logging

import pytest
from django.core.signals import request_started
from django.test import Client

from portal import observability, pagecache
from portal.pagecache import HIT_HEADER
from rsvp import services as rsvp_services
from tests.portal.asgi_client import AsgiClient
from tests.portal.test_pagecache_writes import seats

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asgi():
    client = AsgiClient()
    yield client
    client.close()


@pytest.fixture
def threads_taken(asgi, monkeypatch):
    """The requests that took one of the handler's threads (the whole middleware chain)."""
    return asgi.record_threads(monkeypatch)


def hit(response) -> bool:
    return response.get(HIT_HEADER) == "hit"


def warm(asgi: AsgiClient, url: str) -> None:
    for _ in range(3):
        if hit(asgi.get(url)):
            return
    raise AssertionError(f"{url} was never served from the cache")


def test_a_cached_page_takes_no_thread_and_sends_no_request_signal(
    page_cache, asgi, threads_taken, event
):
    url = event.get_absolute_url()
    warm(asgi, url)
    threads_taken.clear()
    started = []
    request_started.connect(receiver := lambda **kwargs: started.append(kwargs))
    try:
        response = asgi.get(url)
    finally:
        request_started.disconnect(receiver)

    assert (response.status_code, hit(response)) == (200, True)
    assert (threads_taken, started) == ([], [])


def test_the_front_answers_as_the_middleware_does(page_cache, asgi, event):
    """The same page, status and headers as Django's test client gets from the middleware;
    only the request id is each request's own."""
    url = event.get_absolute_url()
    warm(asgi, url)
    from_middleware = Client().get(url)
    assert hit(from_middleware)

    first, second = asgi.get(url), asgi.get(url)

    assert first.content == from_middleware.content
    assert first.status_code == from_middleware.status_code == 200
    ours = {k: v for k, v in first.items() if k != "X-Request-ID"}
    theirs = {k: v for k, v in from_middleware.items() if k != "X-Request-ID"}
    assert ours == theirs
    assert "Content-Security-Policy" in ours and "X-Frame-Options" in ours
    ids = {first["X-Request-ID"], second["X-Request-ID"], from_middleware["X-Request-ID"]}
    assert len(ids) == 3


def test_an_offered_request_id_is_kept(page_cache, asgi, event):
    warm(asgi, "/")
    response = asgi.get("/", headers={"X-Request-ID": "lb-0123456789abcdef"})
    assert hit(response)
    assert response["X-Request-ID"] == "lb-0123456789abcdef"


def test_head_from_the_front_has_the_headers_and_no_body(page_cache, asgi, threads_taken, event):
    url = event.get_absolute_url()
    warm(asgi, url)
    get = asgi.get(url)
    threads_taken.clear()

    head = asgi.head(url)

    assert (head.status_code, hit(head), head.content, threads_taken) == (200, True, b"", [])
    assert head["Content-Length"] == get["Content-Length"] == str(len(get.content))


def test_a_hit_from_the_front_is_logged_and_counted_under_its_view(page_cache, asgi, event, caplog):
    warm(asgi, "/")

    def served() -> float:
        labels = {"method": "GET", "view": "home", "status": "200"}
        return observability.HTTP_REQUESTS.labels(**labels)._value.get()

    before = served()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portal.request"):
        response = asgi.get("/")

    assert hit(response)
    assert served() == before + 1
    [line] = [r.getMessage() for r in caplog.records if r.name == "portal.request"]
    assert f"request_id={response['X-Request-ID']}" in line
    assert "path=/ status=200" in line


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "sessionid=anything"},
        {"Cookie": "messages=anything"},
        {"Authorization": "Bearer anything"},
        {"HX-Request": "true"},
    ],
    ids=["session", "messages", "token", "htmx"],
)
def test_anyone_but_an_anonymous_visitor_goes_the_whole_way(
    page_cache, asgi, threads_taken, past_event, headers
):
    warm(asgi, "/events/past/")
    threads_taken.clear()

    response = asgi.get("/events/past/", headers=headers)

    assert hit(response) is False
    assert threads_taken == ["/events/past/"]


def test_a_write_sends_the_next_request_the_whole_way(
    page_cache, asgi, threads_taken, event, member
):
    url = event.get_absolute_url()
    warm(asgi, url)
    rsvp_services.rsvp_create(event=event, user=member, guests=0, listed=True)
    threads_taken.clear()

    response = asgi.get(url)

    assert hit(response) is False
    assert threads_taken == [url]
    assert seats(response) == "49 of 50 seats left"


def test_an_unknown_host_is_refused_as_without_the_cache(page_cache, asgi, threads_taken, event):
    url = event.get_absolute_url()
    warm(asgi, url)
    threads_taken.clear()

    response = asgi.get(url, headers={"Host": "evil.example"})

    assert response.status_code == 400
    assert threads_taken == [url]


def test_other_query_strings_and_writes_go_the_whole_way(page_cache, asgi, threads_taken, event):
    warm(asgi, "/")
    threads_taken.clear()

    assert hit(asgi.get("/?utm_source=mail")) is False
    assert asgi.request("POST", "/").status_code in (403, 405)  # no CSRF token, or not allowed
    assert threads_taken == ["/", "/"]


def test_nothing_from_the_front_when_the_cache_is_off(page_cache, asgi, threads_taken, settings):
    warm(asgi, "/")
    settings.PAGE_CACHE_ENABLED = False
    threads_taken.clear()

    assert hit(asgi.get("/")) is False
    assert threads_taken == ["/"]


def test_nothing_from_the_front_when_the_cache_is_not_in_this_process(
    page_cache, asgi, threads_taken, monkeypatch
):
    """With Redis a read is a network call, which must not hold the event loop: the middleware
    answers those hits on a thread (tests/deploy/test_pagecache_redis.py, against Redis)."""
    warm(asgi, "/")
    monkeypatch.setattr(pagecache, "cache_in_process", lambda: False)
    threads_taken.clear()
    built = []
    create_request = asgi.handler.create_request
    monkeypatch.setattr(
        asgi.handler, "create_request", lambda *args: built.append(1) or create_request(*args)
    )

    response = asgi.get("/")

    assert hit(response) is True  # from the middleware, on a thread
    assert threads_taken == ["/"]
    assert built == [1]  # only the thread's: the front built no request to look at


CALLS = {"outer": 0, "inner": 0}


def outer_marker(get_response):
    def middleware(request):
        CALLS["outer"] += 1
        return get_response(request)

    return middleware


def inner_marker(get_response):
    def middleware(request):
        CALLS["inner"] += 1
        return get_response(request)

    return middleware


def test_a_hit_passes_the_middleware_in_front_of_the_cache_and_none_behind(page_cache, settings):
    """What is listed before the page cache (health, request id, HEAD) runs for a hit from the
    front, as for one from the middleware; what is listed after it made the stored page and
    does not run again."""
    here = __name__
    middleware = list(settings.MIDDLEWARE)
    at = middleware.index("portal.pagecache.page_cache")
    middleware[at:at + 1] = [f"{here}.outer_marker", "portal.pagecache.page_cache",
                             f"{here}.inner_marker"]  # fmt: skip
    settings.MIDDLEWARE = middleware
    asgi = AsgiClient()  # its handler builds its chains from MIDDLEWARE
    try:
        warm(asgi, "/")
        before = dict(CALLS)
        response = asgi.get("/")
    finally:
        asgi.close()

    after = dict(CALLS)
    assert hit(response)
    assert after == {"outer": before["outer"] + 1, "inner": before["inner"]}


def test_no_front_without_the_page_cache_middleware(page_cache, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "portal.pagecache.page_cache"]
    asgi = AsgiClient()
    try:
        assert asgi.handler.cached_pages.chain is None
        assert [hit(asgi.get("/")) for _ in range(3)] == [False] * 3
    finally:
        asgi.close()
