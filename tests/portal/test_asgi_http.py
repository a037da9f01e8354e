"""portal/asgi_http.py: Django's sync stack served over ASGI on a fixed set of threads."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.testing import HttpCommunicator
from django.core.signals import request_finished, request_started
from django.http import StreamingHttpResponse
from django.test import override_settings
from django.urls import path

from portal.asgi_http import ThreadPoolASGIHandler
from portal.http_load import requests_in_progress

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


def _streamed(request):
    async def parts():
        yield b"first "
        yield b"second"

    return StreamingHttpResponse(parts())


urlpatterns = [path("streamed/", _streamed)]


async def _response(app, path: str) -> dict:
    """Status and whole body, however many parts it came in (the channels communicator wants
    a body in every part; the ASGI spec and Django's streaming end do not)."""
    communicator = _get(app, path)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    body = b""
    while True:
        part = await communicator.receive_output(10)
        body += part.get("body", b"")
        if not part.get("more_body"):
            break
    await communicator.wait(10)
    return {"status": start["status"], "body": body}


def _signals_seen(paths: list[str]) -> tuple[list[dict], list[tuple[str, str]]]:
    """Serve `paths` one after another; the responses and (signal, thread) in order."""
    handler = ThreadPoolASGIHandler(threads=1)
    seen: list[tuple[str, str]] = []

    def started(**kwargs):
        seen.append(("started", threading.current_thread().name))

    def finished(**kwargs):
        seen.append(("finished", threading.current_thread().name))

    async def serve():
        return [await _response(handler, p) for p in paths]

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        responses = asyncio.run(serve())
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    return responses, seen


def test_a_response_in_memory_starts_and_finishes_in_its_one_call_to_the_thread(monkeypatch):
    """Breaks if the handler hops to the thread more than once a request (Django's own
    `handle` makes three: request_started, the response, its close), or sends either signal
    twice."""
    hops = []
    submit = ThreadPoolExecutor.submit

    def counted(executor, *args, **kwargs):
        if executor._thread_name_prefix.startswith("http-"):
            hops.append(executor._thread_name_prefix)
        return submit(executor, *args, **kwargs)

    monkeypatch.setattr(ThreadPoolExecutor, "submit", counted)
    responses, seen = _signals_seen(["/api/events", "/no/such/page/"])
    assert [r["status"] for r in responses] == [200, 404]
    assert [signal for signal, _ in seen] == ["started", "finished"] * 2
    assert {thread.split("_")[0] for _, thread in seen} == {"http-0"}
    assert hops == ["http-0"] * 2


@override_settings(ROOT_URLCONF=__name__)
def test_a_streamed_response_finishes_after_its_last_part_is_sent():
    """Breaks if a streaming response is closed before it is sent (its iterator may hold a
    file or a cursor) or not closed at all."""
    responses, seen = _signals_seen(["/streamed/"])
    assert responses[0]["status"] == 200
    assert responses[0]["body"] == b"first second"
    assert [signal for signal, _ in seen] == ["started", "finished"]


def test_requests_in_progress_count_each_request_until_its_response_is_sent():
    """The live hub pauses its fan-outs only while requests are in progress (live/hub.py)."""
    handler = ThreadPoolASGIHandler(threads=1)
    during: list[int] = []

    def on_request_started(**kwargs):
        # The first request holds the one thread until the second has arrived and waits.
        deadline = time.monotonic() + 5
        while not during and requests_in_progress() < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        during.append(requests_in_progress())

    async def served() -> list[int]:
        ok, missing = await asyncio.gather(
            _get(handler).get_response(timeout=10),
            _get(handler, "/no/such/page/").get_response(timeout=10),
        )
        return [ok["status"], missing["status"], requests_in_progress()]

    request_started.connect(on_request_started)
    try:
        after = asyncio.run(served())
    finally:
        request_started.disconnect(on_request_started)
    # The second request is counted while it waits for the one thread, not only once it has it.
    assert during == [2, 1]
    assert after == [200, 404, 0]


@override_settings(REQUEST_MAX_BODY_BYTES=10)
def test_a_request_refused_before_its_body_is_read_is_no_longer_counted():
    handler = ThreadPoolASGIHandler(threads=1)
    big = HttpCommunicator(
        handler, "POST", "/api/events", body=b"x" * 5000,
        headers=[(b"host", b"testserver"), (b"content-length", b"5000")],
    )  # fmt: skip

    async def refused():
        return (await big.get_response(timeout=10))["status"], requests_in_progress()

    assert asyncio.run(refused()) == (413, 0)
