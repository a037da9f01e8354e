"""One text frame written to many websockets, framed once (the live hub's fan-out).

Through ASGI, daphne frames every message for every socket: its `handle_reply`, the UTF-8
encoding, autobahn's `sendMessage` (its checks, the frame header, a debug line formatted
whether or not it is logged). For a broadcast to a room of 2,000 that is about 20 µs of Python
per socket (docs/benchmarks.md, "A broadcast framed once"). autobahn, which daphne speaks
websockets with, has an API for this case: `PreparedMessage` frames a payload once and
`sendPreparedMessage` writes the same bytes to each connection. Here a socket that daphne
serves gets those bytes straight onto its transport, when it is in the state where daphne's
path would write them unchanged: open, uncompressed, unfragmented, unmasked, nothing queued,
not disconnected, the frame not empty and within the size limit. Any other socket, and any
other server, gets the ASGI message, as before.
"""

from collections.abc import Callable
from functools import partial


class SharedFrame:
    """A text frame for many sockets: its ASGI message, and its websocket bytes, built once
    (when a socket first needs them: text that cannot be encoded fails there, per socket, as
    it does in daphne's `send`)."""

    __slots__ = ("_payload", "_wire", "message")

    def __init__(self, text: str) -> None:
        self.message = {"type": "websocket.send", "text": text}
        self._payload: bytes | None = None
        self._wire: bytes | None = None

    @property
    def payload(self) -> bytes:
        if self._payload is None:
            self._payload = self.message["text"].encode()
        return self._payload

    @property
    def wire(self) -> bytes:
        """The frame as a server sends it: final, text, unmasked."""
        if self._wire is None:
            from autobahn.websocket.protocol import PreparedMessage

            self._wire = PreparedMessage(
                self.payload, isBinary=False, applyMask=False, doNotCompress=True
            ).payloadHybi
        return self._wire


Writer = Callable[[SharedFrame], bool]


def direct_writer(send) -> Writer | None:
    """For an ASGI `send` of a daphne websocket: a function that writes a shared frame's bytes
    to its transport and says whether it did (False: use `send`). None for any other server."""
    try:
        from daphne.server import Server
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # served by something other than daphne
        return None
    if not (
        isinstance(send, partial)
        and getattr(send.func, "__func__", None) is Server.handle_reply
        and len(send.args) == 1
        and type(send.args[0]) is WebSocketProtocol  # not a subclass sending its own way
        and not send.keywords
    ):
        return None
    server, protocol = send.func.__self__, send.args[0]
    connections = server.connections

    def write(frame: SharedFrame) -> bool:
        try:
            state = connections.get(protocol)
            if (
                state is None  # daphne's own send drops the message then
                or state.get("disconnected")
                or protocol.state != WebSocketProtocol.STATE_OPEN
                or protocol.send_queue
                or protocol._perMessageCompress is not None
                or protocol.autoFragmentSize
                or protocol.maskServerFrames
                or not frame.message["text"]  # daphne sends nothing for empty text
                or 0 < protocol.maxMessagePayloadSize < len(frame.payload)
            ):
                return False
        except AttributeError:  # daphne or autobahn changed inside: their own path, then
            return False
        protocol.transport.write(frame.wire)
        return True

    return write
