"""Websocket guards, wired around the live routes in portal/asgi.py.

Same origin only. A browser sends its cookies with a websocket handshake to any page that opens
one, and CSRF does not cover sockets, so the handshake's Origin must be the portal's own: the
same scheme, host and port as the request itself (its Host header, which must be in
ALLOWED_HOSTS, with the port the browser connected to; https when the connection, or the TLS
proxy's header named by SECURE_PROXY_SSL_HEADER, says so), or one of CSRF_TRUSTED_ORIGINS
(`https://*.example.org` allows subdomains, as for CSRF). Channels' AllowedHostsOriginValidator
compared host names only, so a page on another port of the same host could open an organiser's
dashboard socket with their cookie. The Host header's port, not the server's own, because
behind a proxy daphne listens on another port than the browser connected to.

Unknown paths are refused. Channels' router raises for a path it has no route for (the
handshake fails with a 500 and a traceback in the log); `refuse_unknown_path` is the last route.

A refusal closes before accepting, so the server answers the handshake with 403, and logs one
line. Its close code is the refusal's (portal.errors): 4403 for the origin, 4404 for the path.
"""

import logging
from urllib.parse import urlsplit

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, InstanceSessionWrapper, SessionMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host

from .errors import ServiceError, forbidden, not_found

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}

type Origin = tuple[str, str, int]  # scheme, host, port


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin1")
    return None


def _parse(url: str) -> Origin | None:
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number raises here
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname, port or DEFAULT_PORTS[scheme]


def _scheme(scope) -> str:
    if scope.get("scheme") in ("wss", "https"):
        return "https"
    # Daphne puts no scheme in a websocket's scope, and behind a TLS proxy it speaks plain ws
    # anyway: trust the proxy's header as Django does for HTTP (BEHIND_TLS_PROXY). Without
    # either, an https page's socket needs its origin in CSRF_TRUSTED_ORIGINS.
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        meta_name, secure_value = proxy_header
        name = meta_name.removeprefix("HTTP_").lower().replace("_", "-").encode()
        value = _header(scope, name)
        if value is not None and value.split(",", 1)[0].strip() == secure_value:
            return "https"
    return "http"


def _allowed_hosts() -> list[str]:
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [".localhost", "127.0.0.1", "[::1]"]  # as HttpRequest.get_host() in debug
    return settings.ALLOWED_HOSTS


def own_origin(scope) -> Origin | None:
    """The origin this request was made to, if its Host is one of the portal's."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, _allowed_hosts()):
        return None
    return _parse(f"{_scheme(scope)}://{host}")


def _trusted(origin: Origin) -> bool:
    scheme, host, port = origin
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        wildcard = "://*." in trusted
        parsed = _parse(trusted.replace("://*.", "://", 1))
        if parsed is None:
            continue
        trusted_scheme, trusted_host, trusted_port = parsed
        if (scheme, port) == (trusted_scheme, trusted_port) and (
            host == trusted_host or (wildcard and host.endswith("." + trusted_host))
        ):
            return True
    return False


def origin_allowed(scope) -> bool:
    raw = _header(scope, b"origin")
    origin = _parse(raw) if raw else None
    if origin is None:
        return False  # browsers always send one with a websocket handshake
    return origin == own_origin(scope) or _trusted(origin)


async def refuse(scope, receive, send, error: ServiceError) -> None:
    logger.warning("Websocket refused: %s (%s)", scope.get("path"), error.message)
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": error.close_code})


class SameOriginOnly:
    """ASGI middleware: websockets from the portal's own pages only (see the module's doc)."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        origin, host = _header(scope, b"origin"), _header(scope, b"host")
        why = f"origin {origin!r} is not the portal's, host {host!r}"
        await refuse(scope, receive, send, forbidden(why))


async def refuse_unknown_path(scope, receive, send) -> None:
    await refuse(scope, receive, send, not_found("no such websocket route"))


class SessionAuthMiddleware(AuthMiddleware):
    """Channels' AuthMiddleware, without a database thread for a handshake with no session
    cookie: with no session key there is no session to load and the user is anonymous, which
    is what `get_user` would find after a thread hop (about a third of an anonymous connect's
    cost when thousands of screens reconnect at once)."""

    async def resolve_scope(self, scope):
        if scope["cookies"].get(settings.SESSION_COOKIE_NAME) is None:
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


class SessionScopeMiddleware(SessionMiddleware):
    """Channels' SessionMiddleware (the session in the scope), handing the inner app the
    server's own `send`. Channels wraps `send` to save the session and set its cookie on an
    `http.response.start`, which a websocket never sends, and the wrapper reads the session's
    state through a lazy object on every frame: at 2,000 screens and a few broadcasts a second,
    tens of thousands of calls a second for nothing (docs/benchmarks.md, "A frame's way out")."""

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await super().__call__(scope, receive, send)
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


def AuthMiddlewareStack(inner):
    """Channels' stack of the same name (cookies, session, user) with the middleware above."""
    return CookieMiddleware(SessionScopeMiddleware(SessionAuthMiddleware(inner)))
