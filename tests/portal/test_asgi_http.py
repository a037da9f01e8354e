"""portal/asgi_http.py: Django's sync stack served over ASGI on a fixed set of threads."""

import asyncio
import threading
import time

import pytest
from channels.testing import HttpCommunicator
from django.core.signals import request_started

from portal.asgi_http import ThreadPoolASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


def _get(app, path: str = "/api/events") -> HttpCommunicator:
    return HttpCommunicator(app, "GET", path, headers=[(b"host", b"testserver")])


def test_portal_serves_http_through_the_thread_pool_handler():
    from portal import asgi

    assert isinstance(asgi.django_asgi_app, ThreadPoolASGIHandler)


def test_the_whole_middleware_chain_runs_in_one_sync_call():
    handler = ThreadPoolASGIHandler(threads=1)
    assert not asyncio.iscoroutinefunction(handler._middleware_chain)


def test_requests_beyond_the_pool_wait_and_all_run_on_its_threads():
    handler = ThreadPoolASGIHandler(threads=2)
    threads_seen: list[str] = []
    in_flight = {"now": 0, "max": 0}
    lock = threading.Lock()

    def on_request_started(**kwargs):
        with lock:
            threads_seen.append(threading.current_thread().name)
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
        time.sleep(0.05)  # long enough for the other requests to pile up
        with lock:
            in_flight["now"] -= 1

    async def burst():
        return await asyncio.gather(*(_get(handler).get_response(timeout=10) for _ in range(6)))

    request_started.connect(on_request_started)
    try:
        responses = asyncio.run(burst())
    finally:
        request_started.disconnect(on_request_started)

    assert [r["status"] for r in responses] == [200] * 6
    assert len(threads_seen) == 6
    assert {name.split("_")[0] for name in threads_seen} <= {"http-0", "http-1"}
    assert in_flight["max"] <= 2


def test_a_refused_request_leaves_its_thread_serving():
    handler = ThreadPoolASGIHandler(threads=1)

    async def two():
        missing = await _get(handler, "/no/such/page/").get_response(timeout=10)
        fine = await _get(handler).get_response(timeout=10)
        return missing, fine

    missing, fine = asyncio.run(two())
    assert missing["status"] == 404
    assert fine["status"] == 200


def test_at_least_one_thread():
    with pytest.raises(ValueError):
        ThreadPoolASGIHandler(threads=0)
