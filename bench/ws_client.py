"""A lean websocket client for fan-out benchmarks: thousands of sockets on one core.

The `websockets` library decodes every 6 KB text frame to str and assembles it as a message
before the benchmark can look at it; at 2,000 clients that capped one core at about 12,000
frames a second, below what two portal workers deliver, so the load generator was measuring
itself (docs/benchmarks.md). This client speaks just enough RFC 6455 for the job: the opening
handshake, unmasked server frames parsed in place (the broadcast stamp is searched in the
first bytes of each text frame, nothing is decoded), pings answered, and a close frame.

With `track=True` it also keeps the content of the last stamped frame with every stamp taken
out, and when that content first arrived: whether a client ended on the final state is then
a comparison with what a socket opened at the end is sent, not a guess from stamps.
"""

import asyncio
import base64
import os
import re
import struct
import time
from collections.abc import Callable

STAMP = re.compile(rb'data-broadcast="(\d+)"')
STAMPS = re.compile(rb' data-broadcast="\d*"')
STAMP_WINDOW = 1500  # the stamp sits in the first element of every frame
OP_CONTINUATION, OP_TEXT, OP_CLOSE, OP_PING = 0x0, 0x1, 0x8, 0x9


def _masked_frame(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + body  # payloads < 126 bytes


class LeanWebSocket(asyncio.Protocol):
    def __init__(self, on_stamp: Callable[[int, int], None], track: bool = False):
        self.on_stamp = on_stamp  # (stamp, receive time in ns)
        self.track = track
        self.content: bytes | None = None  # the last stamped frame, stamps taken out
        self.content_since = 0  # when that content first arrived (ns)
        self.first_frame: bytes | None = None
        self.buffer = bytearray()
        self.pos = 0
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.frames = 0
        self.pings = 0  # pings answered

    @classmethod
    async def connect(
        cls,
        host: str,
        port: int,
        path: str,
        origin: str,
        on_stamp: Callable[[int, int], None],
        track: bool = False,
    ) -> "LeanWebSocket":
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(lambda: cls(on_stamp, track), host, port)
        key = base64.b64encode(os.urandom(16)).decode()
        protocol.transport.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
            ).encode()
        )
        await asyncio.wait_for(protocol.opened, 60)
        return protocol

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.time_ns()
        self.buffer += data
        if not self.opened.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buffer.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(bytes(self.buffer[:80]).decode()))
                self.transport.close()
                return
            self.pos = end + 4
            self.opened.set_result(None)
        self._parse(now)

    def _parse(self, now: int) -> None:
        buf, pos, size = self.buffer, self.pos, len(self.buffer)
        while size - pos >= 2:
            opcode, length, start = buf[pos] & 0x0F, buf[pos + 1] & 0x7F, pos + 2
            if length == 126:
                if size - pos < 4:
                    break
                (length,) = struct.unpack_from("!H", buf, pos + 2)
                start = pos + 4
            elif length == 127:
                if size - pos < 10:
                    break
                (length,) = struct.unpack_from("!Q", buf, pos + 2)
                start = pos + 10
            if size < start + length:
                break
            if opcode in (OP_TEXT, OP_CONTINUATION):
                self.frames += 1
                if self.first_frame is None:
                    self.first_frame = bytes(buf[start : start + length])
                match = STAMP.search(buf, start, min(start + length, start + STAMP_WINDOW))
                if match:
                    self.on_stamp(int(match[1]), now)
                    if self.track:
                        content = STAMPS.sub(b"", buf[start : start + length])
                        if content != self.content:
                            self.content, self.content_since = content, now
            elif opcode == OP_PING:
                self.pings += 1
                self.transport.write(_masked_frame(0xA, bytes(buf[start : start + length])))
            elif opcode == OP_CLOSE:
                self.transport.close()
            pos = start + length
        # Drop what was parsed once it is a good share of the buffer (not on every frame).
        if pos == size:
            del buf[:]
            pos = 0
        elif pos > 65536:
            del buf[:pos]
            pos = 0
        self.pos = pos

    async def close(self) -> None:
        if self.transport and not self.transport.is_closing():
            self.transport.write(_masked_frame(OP_CLOSE, struct.pack("!H", 1000)))
            try:
                await asyncio.wait_for(asyncio.shield(self.closed), 2)
            except TimeoutError:
                self.transport.close()
