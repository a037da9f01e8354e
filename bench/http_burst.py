"""A lean HTTP/1.1 load generator for bursts: N keep-alive connections, one request each.

httpx's async pool spends more CPU per request than the server it measures once hundreds of
connections are open (its pool is scanned for every request). On a 2-core machine where the
load generator and the server share the CPUs, that cost lands on the server's figures. This
client writes a pre-built request on an open socket and reads the status line, headers and
Content-Length body: nothing else. `Pool` shares a few such connections among many open-loop
requests, each waiting for a free connection (as a browser's per-host limit would).
"""

import asyncio
import time
from dataclasses import dataclass


@dataclass
class Reply:
    status: int
    body: bytes
    seconds: float


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self.reader = reader
        self.writer = writer
        self.host = host

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    def build(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    async def send(self, request: bytes) -> Reply:
        start = time.perf_counter()
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        body = await self.reader.readexactly(length)
        return Reply(int(status_line.split()[1]), body, time.perf_counter() - start)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


class Pool:
    """`size` keep-alive connections to one server; `send` waits for a free one.

    A connection the server closed (or that broke mid-reply) is replaced and the error raised
    for that request only; the others go on."""

    def __init__(self, host: str, port: int, size: int):
        self.host, self.port, self.size = host, port, size
        self.free: asyncio.LifoQueue[Connection] = asyncio.LifoQueue()

    async def open(self) -> "Pool":
        for conn in await asyncio.gather(
            *(Connection.open(self.host, self.port) for _ in range(self.size))
        ):
            self.free.put_nowait(conn)
        return self

    async def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> Reply:
        conn = await self.free.get()
        try:
            reply = await conn.send(conn.build(method, path, headers, body))
        except (OSError, asyncio.IncompleteReadError):
            conn.writer.close()
            self.free.put_nowait(await Connection.open(self.host, self.port))
            raise
        self.free.put_nowait(conn)
        return reply

    async def close(self) -> None:
        while not self.free.empty():
            await self.free.get_nowait().close()
