"""Request ids, the structured request log, and the portal's own Prometheus metrics.

- `RequestIdMiddleware` gives every request an id: nginx's `X-Request-ID` when it sent a
  well-formed one (so the proxy's access log and ours share it), else a fresh one. The id is
  on `request.request_id`, in the `X-Request-ID` response header, on every log record made
  while the request runs (`RequestIdFilter`), and on the error pages (portal/health.py).
  After the response it logs one line on `portal.request`: method, path, status, duration,
  user id (only when the request already loaded the user: logging never adds a query).
- `JsonFormatter`: one JSON object per line (LOG_FORMAT=json, as the deployment sets).
- Metrics, exported on a loopback port per process (django-prometheus'
  PROMETHEUS_METRICS_EXPORT_PORT, from METRICS_PORT), never through nginx: requests and
  latency are counted here, by the same middleware that times the request for the log;
  the gauges and counters below come from the live app's hooks and the task worker
  (portal/management/commands/task_worker.py).

  Why not django-prometheus' own middleware: its "after" half has to sit innermost, where
  under ASGI it runs async and Django hands each of its hooks to a thread (`MiddlewareMixin`
  in async mode), two extra thread switches on every request: with it the RSVP rush's HTTP
  floor served 122 requests a second against 175 without (docs/benchmarks.md). Here the
  figures cost two label look-ups inside the synchronous chain that already runs.
"""

import contextvars
import json
import logging
import re
import time
import traceback
import uuid
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty
from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
request_log = logging.getLogger("portal.request")

HTTP_REQUESTS = Counter(
    "portal_http_requests",
    "HTTP requests answered by this process, by method, route and status.",
    ["method", "view", "status"],
)
HTTP_LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request reaching the portal's middleware to its response, by method and route.",
    ["method", "view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Labels come from a closed set, never from what a client sends: a made-up method or path
# would otherwise mint a new time series per request.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_VIEW = "<unmatched>"

WEBSOCKETS_OPEN = Gauge(
    "portal_websockets_open", "Live websockets open in this process (after their handshake)."
)
BROADCASTS_SENT = Counter(
    "portal_live_broadcasts_sent",
    "Live broadcasts this process published to the channel layer, by kind.",
    ["kind"],
)


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_of(request: HttpRequest | None) -> str:
    return getattr(request, "request_id", None) or current_request_id() or ""


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _VALID_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            seconds = time.perf_counter() - started
            _log_request(request, response.status_code, seconds)
            _count_request(request, response.status_code, seconds)
            return response
        finally:
            _request_id.reset(token)


def _log_request(request: HttpRequest, status: int, seconds: float) -> None:
    fields = {
        "request_id": request.request_id,
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "user_id": _loaded_user_id(request),
        "ip": request.META.get("REMOTE_ADDR") or None,
    }
    text = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
    level = logging.WARNING if status >= 500 else logging.INFO
    request_log.log(level, "request %s", text, extra={"fields": fields})


def _count_request(request: HttpRequest, status: int, seconds: float) -> None:
    method = request.method if request.method in _METHODS else "other"
    match = request.resolver_match
    view = (match.view_name or UNMATCHED_VIEW) if match else UNMATCHED_VIEW
    HTTP_REQUESTS.labels(method=method, view=view, status=str(status)).inc()
    HTTP_LATENCY.labels(method=method, view=view).observe(seconds)


def _loaded_user_id(request: HttpRequest) -> int | None:
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", empty)
    if wrapped is empty or wrapped is None:
        return None
    return getattr(wrapped, "pk", None)


class RequestIdFilter(logging.Filter):
    """Puts the running request's id on every record (None outside a request). Django logs
    a 4xx/5xx response after the middleware has returned, with the request on the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = current_request_id() or getattr(request, "request_id", None)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "pid": record.process,
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, default=str)


# -- metrics hooks -------------------------------------------------------------------------


def websocket_opened() -> None:
    WEBSOCKETS_OPEN.inc()


def websocket_closed() -> None:
    WEBSOCKETS_OPEN.dec()


def broadcast_sent(key: str) -> None:
    """`key` is the live hub's topic (`qa:…`, `stage:…`, `counts:…`); its kind is the label."""
    BROADCASTS_SENT.labels(kind=key.split(":", 1)[0]).inc()


class TaskQueueCollector(Collector):
    """Tasks waiting in the database queue, counted when Prometheus scrapes (one query)."""

    NAME, HELP = "portal_tasks_queued", "Tasks ready to run and waiting for the task worker."

    def describe(self):
        # Registering asks for the metric names; answer without a query.
        yield GaugeMetricFamily(self.NAME, self.HELP)

    def collect(self):
        from django.db import DatabaseError, connections
        from django_tasks_db.models import DBTaskResult

        try:
            waiting = DBTaskResult.objects.ready().count()
        except DatabaseError:
            return  # the database is down: no figure rather than a wrong one
        finally:
            # This runs on the exporter's thread: give its connection back.
            connections.close_all()
        family = GaugeMetricFamily(self.NAME, self.HELP)
        family.add_metric([], waiting)
        yield family
