"""Request ids, the structured request log, and the metrics the portal adds to
django-prometheus' (open live sockets, broadcasts, the task queue)."""

import json
import logging
import re
import threading
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.tasks import task
from django.test import Client

from live.hub import hub
from portal import observability
from tests.factories import PASSWORD, make_event, make_talk, make_user

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.mark.django_db
def test_every_response_carries_a_request_id():
    first = Client().get("/no-such-page/")
    second = Client().get("/no-such-page/")

    assert HEX32.fullmatch(first["X-Request-ID"])
    assert HEX32.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_the_proxy_s_request_id_is_kept_when_well_formed():
    kept = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="4f1c0a9e2b7d4c3a8e6f5d2c1b0a9f8e")
    replaced = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")

    assert kept["X-Request-ID"] == "4f1c0a9e2b7d4c3a8e6f5d2c1b0a9f8e"
    assert HEX32.fullmatch(replaced["X-Request-ID"])


@pytest.mark.django_db
def test_one_structured_line_per_request_with_the_signed_in_user(caplog):
    user = make_user(username="logged")
    client = Client()
    assert client.login(username="logged", password=PASSWORD)
    caplog.set_level(logging.INFO, logger="portal.request")

    response = client.get("/my-events/")

    [record] = [r for r in caplog.records if r.name == "portal.request"]
    fields = dict(record.fields)
    assert fields.pop("duration_ms") >= 0
    assert fields == {
        "request_id": response["X-Request-ID"],
        "method": "GET",
        "path": "/my-events/",
        "status": 200,
        "user_id": user.pk,
        "ip": "127.0.0.1",
    }
    assert record.request_id == response["X-Request-ID"]


@pytest.mark.django_db
def test_records_logged_during_a_request_carry_its_id(caplog):
    caplog.set_level(logging.WARNING, logger="django.request")

    response = Client().get("/no-such-page/")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Not Found: /no-such-page/"
    assert record.request_id == response["X-Request-ID"]


def test_json_lines():
    record = logging.LogRecord(
        "portal.request", logging.INFO, __file__, 1, "request %s", ("x",), None
    )
    record.request_id = "abc123abc123"
    record.fields = {"status": 200, "path": "/"}

    line = observability.JsonFormatter().format(record)

    found = json.loads(line)
    assert "\n" not in line
    assert found.pop("time").endswith("+00:00")
    assert found == {
        "level": "INFO",
        "logger": "portal.request",
        "message": "request x",
        "request_id": "abc123abc123",
        "pid": record.process,
        "status": 200,
        "path": "/",
    }


@pytest.fixture
def live_process(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    hub._reset(None)
    yield
    hub._reset(None)
    channel_layers.backends.clear()


@pytest.mark.django_db
def test_open_live_sockets_are_counted(live_process):
    from channels.testing import WebsocketCommunicator

    from portal.asgi import application

    event = make_event(starts_in=timedelta(hours=-1))
    path = f"/ws/events/{event.pk}/live/"
    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
    before = observability.WEBSOCKETS_OPEN._value.get()

    async def body():
        first = WebsocketCommunicator(application, path, headers=headers)
        second = WebsocketCommunicator(application, path, headers=headers)
        assert (await first.connect(timeout=5))[0]
        assert (await second.connect(timeout=5))[0]
        await first.receive_from(timeout=5)
        await second.receive_from(timeout=5)
        both = observability.WEBSOCKETS_OPEN._value.get()
        await first.disconnect()
        one = observability.WEBSOCKETS_OPEN._value.get()
        await second.disconnect()
        await hub.stop()
        return both, one

    both, one = async_to_sync(body)()

    assert (both - before, one - before) == (2, 1)
    assert observability.WEBSOCKETS_OPEN._value.get() == before


@pytest.mark.django_db
def test_broadcasts_are_counted_by_kind(live_process, django_capture_on_commit_callbacks):
    event = make_event(starts_in=timedelta(hours=-1))
    talk = make_talk(event=event)
    make_user(username="asker")
    client = Client()
    assert client.login(username="asker", password=PASSWORD)
    counter = observability.BROADCASTS_SENT.labels(kind="qa")
    before = counter._value.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/{event.slug}/live/questions/",
            {"text": "Counted?", "qa": talk.slug},
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 200
    assert counter._value.get() - before == 1


@task
def noop() -> None:
    """A task for the queue-depth test."""


@pytest.mark.django_db(transaction=True)
def test_the_task_queue_depth_is_what_waits_in_the_database(settings):
    settings.TASKS = {"default": {"BACKEND": "portal.task_queue.DatabaseBackend"}}
    for _ in range(3):
        noop.enqueue()
    found = {}

    # Prometheus scrapes on the exporter's own thread.
    def scrape():
        found["families"] = list(observability.TaskQueueCollector().collect())

    thread = threading.Thread(target=scrape)
    thread.start()
    thread.join()

    [family] = found["families"]
    assert (family.name, [s.value for s in family.samples]) == ("portal_tasks_queued", [3])


def _sample(metric: str, **labels) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(metric, labels) or 0.0


@pytest.mark.django_db
def test_requests_are_counted_and_timed_by_method_route_and_status():
    """Guards the portal's own request metrics (they replaced django-prometheus' middleware):
    a request not counted, or counted under the path instead of its route, fails here."""
    labels = {"method": "GET", "view": "account_login", "status": "200"}
    before = _sample("portal_http_requests_total", **labels)
    timed_before = _sample(
        "portal_http_request_duration_seconds_count", method="GET", view="account_login"
    )

    assert Client().get("/accounts/login/").status_code == 200

    assert _sample("portal_http_requests_total", **labels) == before + 1
    assert (
        _sample("portal_http_request_duration_seconds_count", method="GET", view="account_login")
        == timed_before + 1
    )


@pytest.mark.django_db
def test_request_metric_labels_never_come_from_the_client():
    """A made-up method or an unknown path must not mint a new time series per request."""
    before = _sample("portal_http_requests_total", method="other", view="<unmatched>", status="404")

    Client().generic("BREW", "/coffee-pot-1/")
    Client().generic("BREW", "/coffee-pot-2/")

    assert (
        _sample("portal_http_requests_total", method="other", view="<unmatched>", status="404")
        == before + 2
    )
