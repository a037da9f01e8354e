"""daphne's sweeps visiting only what is due (portal/daphne_sweeps.py): the same pings,
timeouts and reaping as daphne's own sweeps, at the same times, without visiting every
connection. A real `daphne.server.Server` and real `WebSocketProtocol`s (their state as after
a handshake), the clock moved by time-machine, a recording reactor."""

import asyncio
import gc
import logging

import daphne.server  # noqa: F401  (first: it installs Twisted's asyncio reactor)
import pytest
import time_machine
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import reactor

from portal import daphne_sweeps

daphne_sweeps.sweep_only_what_is_due()  # what portal/asgi.py does in every daphne process

T0 = 1_800_000_000.0


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def server(clock, monkeypatch):
    monkeypatch.setattr(reactor, "callLater", lambda *args, **kwargs: None)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = Server(application=None, endpoints=["tcp:0"], ping_interval=60)
    server.connections = {}
    server.stopped = False
    server.stop = lambda: setattr(server, "stopped", True)
    yield server
    asyncio.set_event_loop(None)
    loop.close()


class Recorded:
    def __init__(self):
        self.calls: list[str] = []


def open_socket(server, *, state=WebSocketProtocol.STATE_OPEN) -> WebSocketProtocol:
    """A websocket as daphne holds it after the handshake, its actions recorded."""
    protocol = WebSocketProtocol.__new__(WebSocketProtocol)
    protocol.server, protocol.state = server, state
    protocol.client_addr, protocol.path = ("127.0.0.1", 50000), b"/ws/"
    record = Recorded()
    protocol.record = record
    protocol._sendAutoPing = lambda: record.calls.append("ping")
    protocol.serverClose = lambda *a, **k: record.calls.append("close")
    protocol.serverReject = lambda *a, **k: record.calls.append("reject")
    protocol.handle_exception = lambda exc: record.calls.append(f"exception {exc}")
    checks = protocol.check_timeouts
    protocol.check_timeouts = lambda: (record.calls.append("check"), checks())
    server.protocol_connected(protocol)  # daphne's onConnect, then it stamps the socket
    protocol.socket_opened = protocol.last_ping = T0
    return protocol


def sweep_at(server, clock, seconds: float) -> None:
    clock.move_to(T0 + seconds)
    server.timeout_checker()


def pings(protocol) -> int:
    return protocol.record.calls.count("ping")


def checks(protocol) -> int:
    return protocol.record.calls.count("check")


# -- the timeout sweep ---------------------------------------------------------------------------


def test_a_quiet_socket_is_pinged_at_the_first_sweep_after_its_silence_reaches_the_interval(
    server, clock
):
    protocol = open_socket(server)

    for second in range(2, 61, 2):
        sweep_at(server, clock, second)
    assert pings(protocol) == 0
    sweep_at(server, clock, 62)

    assert pings(protocol) == 1
    assert protocol.last_ping == T0 + 62
    # And again a whole interval after that ping, not before.
    for second in range(64, 123, 2):
        sweep_at(server, clock, second)
    assert pings(protocol) == 1
    sweep_at(server, clock, 124)
    assert pings(protocol) == 2


def test_a_socket_is_visited_only_when_something_can_be_due(server, clock):
    sockets = [open_socket(server) for _ in range(1000)]
    sweep_at(server, clock, 2)  # each new connection is looked at once, as daphne would
    assert {checks(s) for s in sockets} == {1}

    for second in range(4, 59, 2):
        sweep_at(server, clock, second)
    assert {checks(s) for s in sockets} == {1}  # daphne's own sweep: 29 visits each

    sweep_at(server, clock, 60)  # silent for exactly the interval: not yet (daphne: "> 60")
    sweep_at(server, clock, 62)
    assert {(checks(s), pings(s)) for s in sockets} == {(3, 1)}


def test_a_frame_from_the_socket_moves_its_ping_later(server, clock):
    protocol = open_socket(server)
    sweep_at(server, clock, 2)
    protocol.last_ping = T0 + 30  # daphne's onMessage: any frame counts as activity

    sweep_at(server, clock, 62)  # due by the old silence: looked at, found not quiet
    assert (checks(protocol), pings(protocol)) == (2, 0)
    for second in range(64, 89, 2):
        sweep_at(server, clock, second)
    assert (checks(protocol), pings(protocol)) == (2, 0)
    sweep_at(server, clock, 90)
    sweep_at(server, clock, 92)
    assert pings(protocol) == 1


def test_a_handshake_that_does_not_finish_is_rejected_at_the_connect_timeout(server, clock):
    server.websocket_connect_timeout = 20
    protocol = open_socket(server, state=WebSocketProtocol.STATE_CONNECTING)

    sweep_at(server, clock, 2)
    sweep_at(server, clock, 20)
    assert "reject" not in protocol.record.calls
    sweep_at(server, clock, 22)

    assert protocol.record.calls.count("reject") == 1


def test_a_socket_older_than_the_websocket_timeout_is_closed(server, clock):
    server.websocket_timeout = 100
    protocol = open_socket(server)
    for second in range(2, 101, 2):
        sweep_at(server, clock, second)
        protocol.last_ping = T0 + second  # chatty: never pinged
    assert "close" not in protocol.record.calls

    sweep_at(server, clock, 102)

    assert "close" in protocol.record.calls


def test_other_connections_are_checked_every_sweep_as_before(server, clock):
    class Request:  # an HTTP request: its own check_timeouts (http_timeout)
        def __init__(self):
            self.checked = 0

        def check_timeouts(self):
            self.checked += 1

    request = Request()
    server.protocol_connected(request)
    closing = open_socket(server, state=WebSocketProtocol.STATE_CLOSING)

    for second in range(2, 21, 2):
        sweep_at(server, clock, second)

    assert request.checked == 10
    assert checks(closing) == 10


def test_a_connection_gone_is_neither_checked_nor_kept_alive(server, clock):
    protocol = open_socket(server)
    record = protocol.record
    del server.connections[protocol]
    del protocol
    gc.collect()

    sweep_at(server, clock, 2)

    assert record.calls == []
    assert all(ref() is None for _, _, ref in server._portal_due)


# -- the application sweep -----------------------------------------------------------------------


def settle() -> None:
    """Runs the loop until done-callbacks have run."""
    loop = asyncio.get_event_loop()
    loop.run_until_complete(asyncio.sleep(0))
    loop.run_until_complete(asyncio.sleep(0))


def start_application(server, protocol, app) -> asyncio.Future:
    server.application = lambda scope, receive, send: app()
    server.create_application(protocol, {"type": "websocket"})
    return server.connections[protocol]["application_instance"]


def test_open_sockets_with_running_applications_are_not_visited(server, clock, monkeypatch):
    visited = []
    check = daphne_sweeps._check_application
    monkeypatch.setattr(
        daphne_sweeps, "_check_application", lambda s, p, d: (visited.append(p), check(s, p, d))
    )
    never = asyncio.get_event_loop().create_future()

    async def running():
        await never

    sockets = [open_socket(server) for _ in range(100)]
    for protocol in sockets:
        start_application(server, protocol, running)
    settle()

    server.application_checker()

    assert visited == []
    assert len(server.connections) == 100
    never.cancel()
    settle()


def test_a_finished_application_is_reaped_and_its_error_logged_and_handed_on(server, caplog):
    async def failing():
        raise ValueError("boom")

    protocol = open_socket(server)
    start_application(server, protocol, failing)
    settle()

    with caplog.at_level(logging.ERROR, logger="daphne.server"):
        server.application_checker()

    assert "application_instance" not in server.connections[protocol]
    assert protocol.record.calls[-1] == "exception boom"
    assert "Exception inside application: boom" in caplog.text
    assert protocol not in server._portal_attention  # nothing more to do while it is open

    server.protocol_disconnected(protocol)
    server.application_checker()
    assert protocol not in server.connections


def test_an_application_outliving_its_socket_is_cancelled_then_reaped(server, clock, caplog):
    server.application_close_timeout = 10
    never = asyncio.get_event_loop().create_future()

    async def stubborn():
        await never

    protocol = open_socket(server)
    application = start_application(server, protocol, stubborn)
    settle()
    server.protocol_disconnected(protocol)

    clock.move_to(T0 + 5)
    server.application_checker()
    assert not application.cancelled()
    clock.move_to(T0 + 11)
    with caplog.at_level(logging.WARNING, logger="daphne.server"):
        server.application_checker()
    settle()
    server.application_checker()

    assert application.cancelled()
    assert "took too long to shut down and was killed" in caplog.text
    assert protocol not in server.connections
    assert server._portal_attention == set()


def test_a_closed_socket_whose_application_ended_is_removed(server):
    async def quick():
        return None

    protocol = open_socket(server)
    start_application(server, protocol, quick)
    server.protocol_disconnected(protocol)
    settle()

    server.application_checker()

    assert protocol not in server.connections


def test_installed_once():
    assert Server.timeout_checker is daphne_sweeps.timeout_checker
    assert Server.application_checker is daphne_sweeps.application_checker
    connected = Server.protocol_connected
    daphne_sweeps.sweep_only_what_is_due()
    assert Server.protocol_connected is connected
