"""The page cache in Redis, as deployed with several processes (portal/pagecache.py): hits are
served by the middleware on a thread, never read on the event loop (portal/pagecache_front.py:
a network call must not hold the loop and the websockets on it)."""

import pytest

from bench import servers
from portal import pagecache
from portal.pagecache import HIT_HEADER
from tests.portal.asgi_client import AsgiClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_pages(settings):
    port = servers.free_port()
    proc = servers.start_redis(port=port)
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "pages",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    settings.PAGE_CACHE_ENABLED = True
    yield
    servers.stop(proc)


def test_hits_from_redis_are_served_on_a_thread_not_on_the_event_loop(
    redis_pages, event, monkeypatch
):
    asgi = AsgiClient()
    taken = asgi.record_threads(monkeypatch)
    url = event.get_absolute_url()
    try:
        answers = [asgi.get(url) for _ in range(4)]
    finally:
        asgi.close()

    assert pagecache.cache_in_process() is False
    assert [a.get(HIT_HEADER) == "hit" for a in answers] == [False, False, True, True]
    assert answers[3].content == answers[1].content
    assert taken == [url] * 4
