"""daphne's two periodic sweeps, visiting only the connections that have something due.

daphne walks every connection it holds once a second (`Server.application_checker`: reap an
application that finished, cancel one that outlives its closed socket) and every 2 s
(`Server.timeout_checker`: each protocol's `check_timeouts()`, i.e. a websocket's ping after
`ping_interval` of silence, its connect and total timeouts, an HTTP request's timeout). With
10,000 quiet live screens that walk, spread over a large heap, took about two thirds of the
idle worker's CPU (docs/benchmarks.md, "daphne's sweeps, only what is due"), while nearly every
visit found nothing to do.

Here, with the same rules and the same periods:

- the application sweep visits only connections whose application finished or whose socket
  closed (marked when that happens), and runs daphne's own steps on them;
- the timeout sweep keeps each connection in a heap under the time its next check can first
  matter. An open websocket is due when its silence reaches `ping_interval` (each frame it
  sends moves that later: it is checked then, found quiet or not, and put back under its new
  time) or its age reaches `websocket_timeout`. A connecting one is due at its connect timeout.
  Every other connection (HTTP requests, closing sockets) is checked every 2 s as before. The
  check itself is still the protocol's `check_timeouts()`.

The heap holds weak references, so a closed connection is not kept alive by it. Installed
once, when portal/asgi.py is imported (and by the bench's bare apps, to compare like with
like).
"""

import asyncio
import concurrent.futures
import heapq
import itertools
import sys
import time
import weakref

TIMEOUT_PERIOD = 2.0  # daphne's own: timeout_checker runs every 2 s
APPLICATION_PERIOD = 1.0  # and application_checker every second


def sweep_only_what_is_due() -> None:
    if "daphne.server" not in sys.modules:
        return  # served by something else (uvicorn, the tests): importing it would install
        # Twisted's reactor
    from daphne.server import Server

    if getattr(Server.timeout_checker, "portal_due_only", False):
        return
    connected, disconnected = Server.protocol_connected, Server.protocol_disconnected
    create_application = Server.create_application

    def protocol_connected(self, protocol) -> None:
        connected(self, protocol)
        _schedule(self, protocol, time.time())

    def protocol_disconnected(self, protocol) -> None:
        disconnected(self, protocol)
        _attention(self).add(protocol)

    def create_application_marked(self, protocol, scope):
        queue = create_application(self, protocol, scope)
        future = self.connections.get(protocol, {}).get("application_instance")
        if future is not None:
            marked = weakref.ref(protocol)

            def finished(_future, self=self, marked=marked):
                if (found := marked()) is not None:
                    _attention(self).add(found)

            future.add_done_callback(finished)
        return queue

    application_checker.portal_due_only = timeout_checker.portal_due_only = True
    Server.protocol_connected = protocol_connected
    Server.protocol_disconnected = protocol_disconnected
    Server.create_application = create_application_marked
    Server.application_checker = application_checker
    Server.timeout_checker = timeout_checker


def _attention(server) -> set:
    """Connections the application sweep must look at: their application finished or their
    socket closed."""
    try:
        return server._portal_attention
    except AttributeError:
        server._portal_attention = set()
        return server._portal_attention


def _due(server) -> list:
    try:
        return server._portal_due
    except AttributeError:
        server._portal_due = []
        server._portal_due_order = itertools.count()  # ties never compare protocols
        return server._portal_due


def _schedule(server, protocol, when: float) -> None:
    heapq.heappush(_due(server), (when, next(server._portal_due_order), weakref.ref(protocol)))


def _next_check(server, protocol, now: float) -> float:
    """When `protocol.check_timeouts()` can next find something to do."""
    from daphne.ws_protocol import WebSocketProtocol

    if not isinstance(protocol, WebSocketProtocol):
        return now + TIMEOUT_PERIOD
    if protocol.state == WebSocketProtocol.STATE_CONNECTING:
        return protocol.socket_opened + server.websocket_connect_timeout
    if protocol.state != WebSocketProtocol.STATE_OPEN:
        return now + TIMEOUT_PERIOD
    due = protocol.last_ping + server.ping_interval
    if server.websocket_timeout >= 0:
        due = min(due, protocol.socket_opened + server.websocket_timeout)
    return due


def timeout_checker(self) -> None:
    """daphne's `Server.timeout_checker`, visiting only the connections that are due."""
    from twisted.internet import reactor

    now = time.time()
    due = _due(self)
    while due and due[0][0] <= now:
        _, _, ref = heapq.heappop(due)
        protocol = ref()
        if protocol is None or protocol not in self.connections:
            continue  # gone: daphne's sweep would not see it either
        protocol.check_timeouts()
        if protocol in self.connections:
            # A check that finds nothing yet (a frame moved the silence on) is not lost: at
            # least one period on, as daphne's next sweep would look again.
            _schedule(self, protocol, max(_next_check(self, protocol, now), now + TIMEOUT_PERIOD))
    reactor.callLater(TIMEOUT_PERIOD, self.timeout_checker)


def application_checker(self) -> None:
    """daphne's `Server.application_checker` (same steps, same log lines), visiting only the
    connections whose application finished or whose socket closed."""
    from twisted.internet import reactor

    attention = _attention(self)
    for protocol in list(attention):
        details = self.connections.get(protocol)
        if details is None:
            attention.discard(protocol)
            continue
        _check_application(self, protocol, details)
        details = self.connections.get(protocol)
        if details is None or (
            "disconnected" not in details and "application_instance" not in details
        ):
            attention.discard(protocol)  # removed, or reaped while its socket is still open
    reactor.callLater(APPLICATION_PERIOD, self.application_checker)


def _check_application(self, protocol, details: dict) -> None:
    # The body of daphne 4's application_checker for one connection.
    from daphne.server import logger

    disconnected = details.get("disconnected")
    application_instance = details.get("application_instance")
    too_long = disconnected and time.time() - disconnected > self.application_close_timeout
    if too_long and application_instance and not application_instance.done():
        logger.warning(
            "Application instance %r for connection %s took too long to shut down and was killed.",
            application_instance,
            repr(protocol),
        )
        application_instance.cancel()
    if application_instance and application_instance.done():
        try:
            exception = application_instance.exception()
        except (concurrent.futures.CancelledError, asyncio.CancelledError):
            pass
        else:
            if exception:
                if isinstance(exception, KeyboardInterrupt):
                    self.stop()  # the protocol asks the server to exit (tests)
                else:
                    logger.error("Exception inside application: %s", exception, exc_info=exception)
                    if not disconnected:
                        protocol.handle_exception(exception)
        del self.connections[protocol]["application_instance"]
        application_instance = None
    if not application_instance and disconnected:
        del self.connections[protocol]
