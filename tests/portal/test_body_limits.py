"""Request bodies are bounded before Django reads them (portal/limits.py, portal/asgi_http.py).

Driven through the ASGI handler with a hand-written server side (`receive`/`send`), so a test
can see how much of the body the application asked for.
"""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.asgi_http import ThreadPoolASGIHandler
from portal.limits import largest_body_limit

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 8192  # what daphne sends per message


class Server:
    """The server's side of one request: body messages out, response messages in."""

    def __init__(self, body: bytes, *, chunk: int = CHUNK):
        self.pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
        self.handed_out = 0  # body messages the application asked for
        self.sent: list[dict] = []

    async def receive(self) -> dict:
        if self.handed_out < len(self.pieces):
            self.handed_out += 1
            more = self.handed_out < len(self.pieces)
            return {"type": "http.request", "body": self.pieces[self.handed_out - 1],
                    "more_body": more}  # fmt: skip
        await asyncio.Event().wait()  # the client stays connected

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return self.sent[0]["status"]

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.sent[0]["headers"])

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent[1:])


def scope(path: str, *, content_type: bytes, length: int | None) -> dict:
    headers = [(b"host", b"testserver"), (b"content-type", content_type)]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {
        "type": "http", "method": "POST", "path": path, "query_string": b"", "headers": headers,
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip


def serve(path: str, body: bytes, *, content_type=b"application/x-www-form-urlencoded",
          declare_length: bool = True) -> Server:  # fmt: skip
    server = Server(body)
    request = scope(path, content_type=content_type,
                    length=len(body) if declare_length else None)  # fmt: skip
    handler = ThreadPoolASGIHandler(threads=1)
    asyncio.run(asyncio.wait_for(handler(request, server.receive, server.send), 30))
    return server


MULTIPART = b"multipart/form-data; boundary=xyz"


def multipart_body(size: int) -> bytes:
    head = (
        b'--xyz\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n"
    )
    tail = b"\r\n--xyz--\r\n"
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_a_declared_length_over_the_limit_is_refused_before_reading_the_body(settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000

    server = serve("/accounts/login/", b"a=" + b"x" * 1000)

    assert server.status == 413
    assert server.handed_out == 0
    assert server.headers[b"content-type"] == b"text/html; charset=utf-8"
    page = server.body.decode()
    assert page.count("The request body is larger than the 1000 bytes allowed here.") == 1


def test_a_chunked_body_is_cut_at_the_limit(settings):
    settings.REQUEST_MAX_BODY_BYTES = 20_000

    server = serve("/accounts/login/", b"x" * 100_000, declare_length=False)

    assert server.status == 413
    # Read up to the limit and one message past it, never the rest.
    assert server.handed_out == 20_000 // CHUNK + 1


def test_a_body_within_the_limit_reaches_the_view(settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000

    server = serve("/accounts/login/", b"login=a%40example.com&password=x")

    # The view ran: CSRF refused it (no cookie), not the size.
    assert server.status == 403


def test_uploads_get_the_upload_limit_and_other_bodies_the_small_one(settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    settings.REQUEST_MAX_UPLOAD_BYTES = 50_000
    body = multipart_body(30_000)

    upload = serve("/speaker-profile/", body, content_type=MULTIPART)
    form = serve("/speaker-profile/", body)

    assert upload.status == 403  # CSRF refused it (no cookie): the body was accepted
    assert form.status == 413


def test_a_path_prefix_can_allow_bigger_uploads(settings):
    settings.REQUEST_MAX_UPLOAD_BYTES = 10_000
    settings.REQUEST_MAX_UPLOAD_BYTES_BY_PATH = {"/speaker": 20_000, "/speaker-profile/": 50_000}
    body = multipart_body(30_000)

    longest_prefix = serve("/speaker-profile/", body, content_type=MULTIPART)
    shorter_prefix = serve("/speakers/x/photo/", body, content_type=MULTIPART)
    elsewhere = serve("/accounts/login/", body, content_type=MULTIPART)

    assert longest_prefix.status == 403  # CSRF's refusal: past the size check
    assert shorter_prefix.status == 413
    assert elsewhere.status == 413


def test_the_api_is_answered_in_json(settings):
    settings.REQUEST_MAX_BODY_BYTES = 256 * 1024

    server = serve("/api/events", b"{}" + b" " * 300_000, content_type=b"application/json")

    assert server.status == 413
    assert server.headers[b"content-type"] == b"application/json"
    assert json.loads(server.body) == {
        "detail": "The request body is larger than the 256 KiB allowed here."
    }


def test_a_refusal_is_logged_once_without_a_traceback(settings, caplog):
    settings.REQUEST_MAX_UPLOAD_BYTES = 5 * 1024 * 1024

    serve("/accounts/login/", multipart_body(6 * 1024 * 1024), content_type=MULTIPART)

    assert [(r.name, r.levelname, r.getMessage(), r.exc_info) for r in caplog.records] == [
        ("portal.limits", "WARNING",
         "Request body too large: POST /accounts/login/ (the limit is 5242880 bytes)", None)
    ]  # fmt: skip


def test_limits_come_from_the_environment(tmp_path):
    code = (
        "import json, portal.settings as s; print(json.dumps([s.REQUEST_MAX_BODY_BYTES, "
        "s.REQUEST_MAX_UPLOAD_BYTES, s.REQUEST_MAX_UPLOAD_BYTES_BY_PATH, "
        "s.DATA_UPLOAD_MAX_MEMORY_SIZE, s.FILE_UPLOAD_MAX_MEMORY_SIZE]))"
    )
    env = {**os.environ, "DEBUG": "1", "PORTAL_VAR_DIR": str(tmp_path),
           "REQUEST_MAX_BODY_BYTES": "100000", "REQUEST_MAX_UPLOAD_BYTES": "3000000",
           "REQUEST_MAX_UPLOAD_BYTES_BY_PATH": "/cfp/slides/=20971520, /x/=1"}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)  # fmt: skip

    assert json.loads(result.stdout) == [
        100000, 3000000, {"/cfp/slides/": 20971520, "/x/": 1}, 100000, 100000
    ]  # fmt: skip


def test_the_proxy_in_front_may_let_through_the_largest_limit(settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    settings.REQUEST_MAX_UPLOAD_BYTES = 5000
    settings.REQUEST_MAX_UPLOAD_BYTES_BY_PATH = {"/cfp/slides/": 20_000, "/small/": 10}

    assert largest_body_limit() == 20_000
