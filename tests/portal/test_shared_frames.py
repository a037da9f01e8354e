"""portal/shared_frames.py: a frame framed once is written to a daphne socket as the very bytes
daphne's own path writes, and only when that path would write them unchanged."""

import asyncio
from functools import partial

import pytest
from autobahn.websocket.protocol import WebSocketProtocol as Autobahn
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.internet.testing import StringTransport

from live.topics import Connection
from portal.shared_frames import SharedFrame, direct_writer

TEXTS = {
    "short": "<p>hi</p>",  # a length in the header's first byte
    "two-byte length": '<div id="qa">' + "x" * 6300 + "</div>",
    "eight-byte length": "y" * 70_000,
    "not ascii": "Zoë\u2019s talk — \u201cÜnïcode\u201d ✓" * 10,
}


@pytest.fixture
def daphne_socket():
    """An open websocket as daphne holds it, writing into a `StringTransport`, and the ASGI
    `send` daphne's `create_application` hands its application."""
    server = Server.__new__(Server)  # what create_application and handle_reply use of it
    server.connections = {}
    sends = []

    async def application(scope, receive, send):
        sends.append(send)

    server.application = application
    protocol = WebSocketFactory(server).buildProtocol(("127.0.0.1", 40000))
    transport = StringTransport()
    protocol.makeConnection(transport)
    protocol.state = Autobahn.STATE_OPEN
    protocol.client_addr = ["127.0.0.1", 40000]
    server.connections[protocol] = {}

    async def start():
        server.create_application(protocol, {"type": "websocket"})
        await server.connections[protocol]["application_instance"]

    asyncio.run(start())
    return server, protocol, transport, sends[0]


def _asgi_bytes(daphne_socket, text: str) -> bytes:
    _server, _protocol, transport, send = daphne_socket
    transport.clear()
    asyncio.run(send({"type": "websocket.send", "text": text}))
    return transport.value()


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_the_frame_is_written_as_the_bytes_daphne_writes(daphne_socket, text):
    through_asgi = _asgi_bytes(daphne_socket, text)
    _server, _protocol, transport, send = daphne_socket
    write = direct_writer(send)
    transport.clear()

    assert write is not None
    assert write(SharedFrame(text)) is True
    assert transport.value() == through_asgi
    assert through_asgi.endswith(text.encode())


def test_one_frame_is_framed_once_for_every_socket():
    frame = SharedFrame("<p>same for all</p>")

    assert frame.wire is frame.wire
    assert frame.message == {"type": "websocket.send", "text": "<p>same for all</p>"}


@pytest.mark.parametrize(
    "unusual",
    [
        "gone from daphne's connections",
        "disconnected",
        "still connecting",
        "closing",
        "something queued",
        "compressed",
        "fragmented",
        "masked",
        "over the size limit",
        "empty text",
        "changed inside",
    ],
)
def test_an_unusual_socket_is_left_to_daphnes_own_path(daphne_socket, unusual):
    server, protocol, transport, send = daphne_socket
    write = direct_writer(send)
    text = "<p>more than ten bytes</p>"
    match unusual:
        case "gone from daphne's connections":
            del server.connections[protocol]
        case "disconnected":
            server.connections[protocol]["disconnected"] = 1.0
        case "still connecting":
            protocol.state = Autobahn.STATE_CONNECTING
        case "closing":
            protocol.state = Autobahn.STATE_CLOSING
        case "something queued":
            protocol.send_queue.append((b"x", True))
        case "compressed":
            protocol._perMessageCompress = object()  # negotiated permessage-deflate
        case "fragmented":
            protocol.autoFragmentSize = 100
        case "masked":
            protocol.maskServerFrames = True
        case "over the size limit":
            protocol.maxMessagePayloadSize = 10
        case "empty text":
            text = ""
        case "changed inside":  # a later daphne or autobahn without an attribute read here
            del protocol.send_queue
    transport.clear()

    assert write(SharedFrame(text)) is False
    assert transport.value() == b""


def test_text_that_cannot_be_encoded_fails_as_daphnes_own_send_does(daphne_socket):
    _server, _protocol, transport, send = daphne_socket
    text = "half a pair: \ud800"

    with pytest.raises(UnicodeEncodeError):
        asyncio.run(send({"type": "websocket.send", "text": text}))
    frame = SharedFrame(text)  # building it does not fail; writing it does, per socket
    with pytest.raises(UnicodeEncodeError):
        direct_writer(send)(frame)
    assert transport.value() == b""


def test_a_subclass_of_daphnes_protocol_gets_no_writer(daphne_socket):
    server, protocol, _transport, _send = daphne_socket

    class Own(WebSocketProtocol):
        pass

    protocol.__class__ = Own

    assert direct_writer(partial(server.handle_reply, protocol)) is None


def test_another_servers_send_gets_no_writer():
    async def send(message):
        pass

    assert direct_writer(send) is None
    assert direct_writer(print) is None


def test_a_connection_writes_directly_or_else_sends_the_asgi_message():
    sent, written = [], []

    async def send(message):
        sent.append(message)

    def write_direct(frame):
        written.append(frame)
        return len(written) == 1  # the second write is refused: the ASGI message goes

    conn = Connection(send=send, event_id=1, keys=(), audience="public")
    with_writer = Connection(
        send=send, event_id=1, keys=(), audience="public", write_direct=write_direct
    )
    first, second = SharedFrame("a"), SharedFrame("b")

    asyncio.run(conn.send_shared(first))
    asyncio.run(with_writer.send_shared(first))
    asyncio.run(with_writer.send_shared(second))

    assert sent == [first.message, second.message]
    assert written == [first, second]
