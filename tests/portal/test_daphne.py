"""The request-size and websocket guards against a real daphne (bench/servers.py), where
browsers meet them: over real sockets, with daphne's own request handling in front.

The server runs against a migrated SQLite file (built once per session, `migrated_db` in
tests/conftest.py, copied per test).
"""

import asyncio
import shutil
import socket
from pathlib import Path

import pytest
import websockets

from bench import servers

MIB = 1024 * 1024


@pytest.fixture
def server_db(migrated_db, tmp_path):
    path = tmp_path / "db.sqlite3"
    shutil.copy(migrated_db, path)
    return path


@pytest.fixture
def daphne(server_db, tmp_path):
    """A running daphne: (port, pid, its log file)."""
    log = tmp_path / "daphne.log"
    # DEBUG, so the pages' {% static %} needs no collectstatic (a deployment runs it).
    env = servers.server_env(server_db, debug=True)
    proc = servers.start_daphne("portal.asgi:application", env=env, log=log)
    yield proc.port, proc.pid, log
    servers.stop(proc)


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _multipart_post(port: int, size: int) -> int:
    """POST a multipart body of `size` bytes over a raw socket; the response status, once the
    server has sent the whole response and closed the connection (it is done with the body)."""
    head = (
        b'--xyz\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n"
    )
    tail = b"\r\n--xyz--\r\n"
    length = len(head) + size + len(tail)
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s" % (port, length, head)
        )
        block = b"x" * MIB
        for _ in range(size // MIB):
            sock.sendall(block)
        sock.sendall(tail)
        response = sock.makefile("rb").read()  # to the end: `Connection: close`
        return int(response.split(maxsplit=2)[1])


def test_an_oversized_upload_costs_daphne_little_more_than_the_body(daphne):
    port, pid, _log = daphne
    _multipart_post(port, MIB)  # warm up: first imports and templates
    before = _peak_mib(pid)

    status = _multipart_post(port, 40 * MIB)

    # Stock daphne parsed the form in memory first (about 12x the body: 500 MiB here), then
    # Django spooled it. Daphne still hands the application the whole body in 8 KiB messages.
    assert status == 413
    assert _peak_mib(pid) - before < 80


def _seed_organiser(server_db) -> dict:
    return servers.seed(server_db, users=0)


async def _handshake(url: str, *, origin: str, cookie: str | None = None):
    headers = {"Cookie": cookie} if cookie else None
    try:
        async with websockets.connect(url, origin=origin, additional_headers=headers) as ws:
            while True:  # the full state, not a presence update that may come first
                frame = await asyncio.wait_for(ws.recv(), 30)
                if 'id="qa-open"' in frame:
                    return frame
    except websockets.InvalidStatus as error:
        return error.response.status_code


def test_another_port_of_the_same_host_gets_no_organiser_socket(server_db, daphne):
    port, _pid, log = daphne
    data = _seed_organiser(server_db)
    url = f"ws://127.0.0.1:{port}/ws/events/{data['event_id']}/live/?view=dashboard"
    cookie = f"sessionid={data['organiser']['session']}"

    other_port = asyncio.run(_handshake(url, origin=f"http://127.0.0.1:{port + 1}", cookie=cookie))
    own = asyncio.run(_handshake(url, origin=f"http://127.0.0.1:{port}", cookie=cookie))

    assert other_port == 403
    assert own.count('id="qa-queue"') == 1  # what the other port's page would have received
    assert log.read_text().count("Traceback") == 0


def test_an_unknown_path_fails_the_handshake_with_403_and_no_traceback(daphne):
    port, _pid, log = daphne

    status = asyncio.run(
        _handshake(f"ws://127.0.0.1:{port}/ws/nothing/here/", origin=f"http://127.0.0.1:{port}")
    )

    assert status == 403
    lines = log.read_text().splitlines()
    assert lines.count("Websocket refused: /ws/nothing/here/ (no such websocket route)") == 1
    assert log.read_text().count("Traceback") == 0
