"""Is this process alive, can it serve, and what a request answers when it cannot.

- `/healthz`: the process answers (nothing else is touched). `/readyz`: the database answers
  `SELECT 1` and, when REDIS_URL is set, Redis answers PING; 503 and which one failed when
  not. Both are cheap, unauthenticated and say nothing else. `HealthCheckMiddleware` (first
  in MIDDLEWARE) answers them before host validation and the HTTPS redirect, so a supervisor
  or load balancer can ask a worker directly on its socket, whatever its Host header.
- `server_error` (handler500): a request that failed because the database is unreachable
  (PostgreSQL restarting, a connection lost, the pool out of connections) gets a 503 page
  with Retry-After; anything else the 500 page. Both show the request id (portal/
  observability.py) so a report can be matched with the log.
"""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from .observability import request_id_of

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
_redis_client = None


def healthz(request: HttpRequest) -> HttpResponse:
    response = JsonResponse({"status": "ok"})
    response["Cache-Control"] = "no-store"
    return response


def readyz(request: HttpRequest) -> HttpResponse:
    checks = {"database": _database_answers()}
    if settings.REDIS_URL:
        checks["redis"] = _redis_answers()
    ready = all(checks.values())
    response = JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )
    response["Cache-Control"] = "no-store"
    return response


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("readyz: the database does not answer", exc_info=True)
        return False


def _redis_answers() -> bool:
    global _redis_client
    import redis

    if _redis_client is None:
        _redis_client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
    try:
        return bool(_redis_client.ping())
    except redis.RedisError:
        logger.warning("readyz: Redis does not answer", exc_info=True)
        return False


PATHS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = PATHS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database cannot be reached right now (worth a retry)."""
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Renders without the database or context processors: whatever broke may
    break again."""
    unavailable = database_unavailable(sys.exception())
    template = "errors/503.html" if unavailable else "errors/500.html"
    html = loader.get_template(template).render({"request_id": request_id_of(request)})
    response = HttpResponse(html, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
