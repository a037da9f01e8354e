"""How big a request body may be, enforced by portal/asgi_http.py before Django reads it.

A multipart upload may carry up to REQUEST_MAX_UPLOAD_BYTES (or more under a path prefix of
REQUEST_MAX_UPLOAD_BYTES_BY_PATH); any other body, REQUEST_MAX_BODY_BYTES. A declared
Content-Length over the limit is refused before a byte of the body is read; a body without one
(chunked) is counted as it arrives and refused at the limit. Either way the answer is a 413:
a short page, or `{"detail": ...}` under /api/.
"""

import json
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.template import loader

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"  # portal/urls.py mounts the NinjaAPI here


def _header(scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value
    return None


def body_limit(scope) -> int:
    """The most bytes this request's body may have."""
    content_type = (_header(scope, b"content-type") or b"").lower()
    if not content_type.startswith(b"multipart/form-data"):
        return settings.REQUEST_MAX_BODY_BYTES
    path = scope["path"]
    by_path = settings.REQUEST_MAX_UPLOAD_BYTES_BY_PATH
    # The longest matching prefix wins, so a narrower route can differ from a wider one.
    prefix = max((p for p in by_path if path.startswith(p)), key=len, default=None)
    return by_path[prefix] if prefix is not None else settings.REQUEST_MAX_UPLOAD_BYTES


def largest_body_limit() -> int:
    """What a proxy in front may let through (nginx's client_max_body_size): no more than this
    ever reaches daphne, which holds a whole body in memory before the application runs."""
    return max(
        settings.REQUEST_MAX_BODY_BYTES,
        settings.REQUEST_MAX_UPLOAD_BYTES,
        *settings.REQUEST_MAX_UPLOAD_BYTES_BY_PATH.values(),
    )


def declared_length(scope) -> int | None:
    """The Content-Length header's value; None when absent or not a number (the server or
    Django deals with a malformed one, and the body is counted anyway)."""
    value = _header(scope, b"content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class CountingReceive:
    """An ASGI `receive` that counts body bytes and ends the body at `limit`.

    Past the limit it answers `http.disconnect`, the one message on which Django's
    `read_body` closes (and so deletes) what it has spooled and gives up on the request.
    """

    def __init__(self, receive, limit: int):
        self.receive = receive
        self.limit = limit
        self.received = 0
        self.exceeded = False

    async def __call__(self):
        if self.exceeded:
            return {"type": "http.disconnect"}
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.exceeded = True
                return {"type": "http.disconnect"}
        return message


def human_size(n: int) -> str:
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


async def send_too_large(scope, send, limit: int) -> None:
    """Answer 413 straight to the server: the request never reaches Django's middleware."""
    logger.warning(
        "Request body too large: %s %s (the limit is %s bytes)",
        scope.get("method"), scope["path"], limit,
    )  # fmt: skip
    message = f"The request body is larger than the {human_size(limit)} allowed here."
    if scope["path"].startswith(API_PREFIX):
        body = json.dumps({"detail": message}).encode()
        content_type = b"application/json"
    else:
        # A template without request context (no database, no middleware), like errors/500.html;
        # rendered off the event loop because the first render reads it from disk.
        render = sync_to_async(loader.render_to_string, thread_sensitive=False)
        body = (await render("413.html", {"message": message})).encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
