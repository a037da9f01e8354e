"""Websocket handshakes are refused cleanly: foreign origins (port included) and unknown paths.

In process through the whole ASGI application (portal/asgi.py) with WebsocketCommunicator;
tests/portal/test_websocket_guards_server.py does the same against a real daphne.
"""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

# Imported at collection, not inside a test: importing it runs django.setup(), which reapplies
# LOGGING and would detach pytest's log capture (caplog) mid-test.
from portal.asgi import application
from portal.websockets import origin_allowed
from tests.factories import PASSWORD, make_event
from tests.live.helpers import next_frame

pytestmark = pytest.mark.postgres_too


@pytest.fixture(autouse=True)
def _fresh_hub():
    from channels.layers import channel_layers

    from live.hub import hub

    channel_layers.backends.clear()
    hub._reset(None)
    yield
    hub._reset(None)


def _connect(path: str, *, origin: bytes | None, host: bytes = b"testserver", cookie=None):
    headers = [(b"host", host)]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie:
        headers.append((b"cookie", cookie))

    async def attempt():
        from live.hub import hub

        comm = WebsocketCommunicator(application, path, headers=headers)
        try:
            connected, code = await comm.connect(timeout=5)
            frame = await next_frame(comm) if connected else None
            await comm.disconnect()
        finally:
            await hub.stop()
        return connected, code, frame

    return async_to_sync(attempt)()


def _live_path(event, view: str = "live", qa: str = "event") -> str:
    return f"/ws/events/{event.pk}/live/?qa={qa}&sort=top&view={view}"


def _session_cookie(client, user) -> bytes:
    assert client.login(username=user.username, password=PASSWORD)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def _records(caplog) -> list[tuple]:
    return [(r.name, r.levelname, r.getMessage(), r.exc_info) for r in caplog.records]


def test_an_unknown_path_is_refused_with_one_line_and_no_traceback(db, caplog):
    result = _connect("/ws/no/such/socket/", origin=b"http://testserver")

    assert result == (False, 4404, None)
    assert _records(caplog) == [
        ("portal.websockets", "WARNING",
         "Websocket refused: /ws/no/such/socket/ (no such websocket route)", None)
    ]  # fmt: skip


def test_a_malformed_talk_is_refused_without_a_traceback(group, caplog):
    event = make_event(group=group)

    # "¹" passes str.isdigit() but not int().
    result = _connect(_live_path(event, qa="%C2%B9"), origin=b"http://testserver")

    assert result == (False, 4404, None)
    assert _records(caplog) == []


def test_a_page_on_another_port_of_the_same_host_gets_no_dashboard(
    client, group, organiser, caplog
):
    event = make_event(group=group)
    cookie = _session_cookie(client, organiser)
    path = _live_path(event, view="dashboard")

    other_port = _connect(path, origin=b"http://testserver:8001", cookie=cookie)
    own = _connect(path, origin=b"http://testserver", cookie=cookie)

    assert other_port == (False, 4403, None)
    assert _records(caplog) == [
        ("portal.websockets", "WARNING",
         f"Websocket refused: /ws/events/{event.pk}/live/ (origin 'http://testserver:8001' is "
         "not the portal's, host 'testserver')", None)
    ]  # fmt: skip
    connected, _code, frame = own
    assert connected is True
    assert frame.count('id="qa-queue"') == 1  # the moderation queue the other port must not get


def _scope(origin: str | None, host: str = "portal.example:8000", scheme: str = "ws", **more):
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    headers += [(name.encode(), value.encode()) for name, value in more.items()]
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("http://portal.example:8000", True),
        ("http://PORTAL.example:8000", True),  # host names are case-insensitive
        ("http://portal.example:8001", False),  # another port of the same host
        ("http://portal.example", False),  # port 80
        ("https://portal.example:8000", False),  # another scheme
        ("http://evil.example:8000", False),
        ("http://portal.example:8000.evil.example", False),
        ("http://portal.example:notaport", False),
        ("null", False),  # sandboxed frames and file: pages
        (None, False),
    ],
)
def test_the_origin_must_be_the_requests_own(settings, origin, expected):
    settings.ALLOWED_HOSTS = ["portal.example"]

    assert origin_allowed(_scope(origin)) is expected


def test_the_host_itself_must_be_allowed(settings):
    settings.ALLOWED_HOSTS = ["portal.example"]

    scope = _scope("http://other.example:8000", host="other.example:8000")

    assert origin_allowed(scope) is False


def test_default_ports_are_implied(settings):
    settings.ALLOWED_HOSTS = ["portal.example"]

    assert origin_allowed(_scope("https://portal.example", "portal.example", "wss")) is True
    assert origin_allowed(_scope("https://portal.example:443", "portal.example", "wss")) is True
    assert origin_allowed(_scope("http://portal.example", "portal.example:443", "wss")) is False


def test_a_tls_proxy_header_counts_only_when_trusted(settings):
    settings.ALLOWED_HOSTS = ["portal.example"]
    behind_proxy = _scope(
        "https://portal.example", "portal.example", **{"x-forwarded-proto": "https"}
    )

    assert origin_allowed(behind_proxy) is False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert origin_allowed(behind_proxy) is True


def test_csrf_trusted_origins_are_trusted_with_their_port(settings):
    settings.ALLOWED_HOSTS = ["portal.example"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://meetup.example.org", "https://*.example.net:8443"]

    assert origin_allowed(_scope("https://meetup.example.org")) is True
    assert origin_allowed(_scope("https://meetup.example.org:8443")) is False
    assert origin_allowed(_scope("http://meetup.example.org")) is False
    assert origin_allowed(_scope("https://live.example.net:8443")) is True
    assert origin_allowed(_scope("https://live.example.net")) is False
    assert origin_allowed(_scope("https://evil-example.net:8443")) is False


def _through_the_stack(scope_type: str, cookie: bytes | None):
    """What the inner app of `AuthMiddlewareStack` is handed: (send is the server's, the
    session's key, the user's name)."""
    from portal.websockets import AuthMiddlewareStack

    seen = {}

    async def inner(scope, receive, send):
        seen["user"] = await database_sync_to_async(lambda: scope["user"].get_username())()
        seen["session_key"] = scope["session"].session_key
        seen["send"] = send

    async def server_send(message):
        pass

    headers = [(b"host", b"testserver")] + ([(b"cookie", cookie)] if cookie else [])
    scope = {"type": scope_type, "path": "/", "headers": headers}
    async_to_sync(AuthMiddlewareStack(inner))(scope, None, server_send)
    return seen["send"] is server_send, seen["session_key"] is not None, seen["user"]


def test_a_websocket_gets_the_servers_own_send_with_its_session_and_user(member, client):
    """Channels' session middleware wraps `send` to save the session on an HTTP response; a
    socket never sends one, and the wrapper cost every frame of every broadcast lookups."""
    cookie = _session_cookie(client, member)

    assert _through_the_stack("websocket", cookie) == (True, True, member.username)
    assert _through_the_stack("websocket", None) == (True, False, "")
    # Anything else keeps Channels' wrapper (it saves the session on http.response.start).
    assert _through_the_stack("http", cookie) == (False, True, member.username)
