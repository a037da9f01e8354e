"""Two real daphne processes sharing a real redis-server: a question posted through process A
reaches a websocket connected to process B.

The servers run against a migrated SQLite file (`migrated_db`, built once per session by
tests/conftest.py, copied per test) so they share the data; pytest's own test database is not
involved. Each daphne accepts on a socket bound before it starts, and redis-server listens on
a unix socket in the test's own directory: no port is picked free and then taken by someone
else before the server binds it.
"""

import asyncio
import shutil

import httpx
import pytest
import websockets

from bench import servers

pytestmark = pytest.mark.skipif(
    not (shutil.which("redis-server") or shutil.os.path.exists("/usr/bin/redis-server")),
    reason="needs redis-server (make servers)",
)


@pytest.fixture
def server_db(migrated_db, tmp_path):
    path = tmp_path / "db.sqlite3"
    shutil.copy(migrated_db, path)
    return path


@pytest.fixture
def redis_url(tmp_path):
    proc = servers.start_redis(socket_dir=tmp_path / "redis")
    yield proc.url
    servers.stop(proc)


def _cookies(user: dict) -> dict:
    return {"sessionid": user["session"], "csrftoken": user["csrf"]}


def test_question_posted_through_a_reaches_socket_on_b(server_db, redis_url, tmp_path):
    data = servers.seed(server_db, users=1)
    env = servers.server_env(server_db, redis_url=redis_url)
    proc_a = servers.start_daphne("portal.asgi:application", env=env, log=tmp_path / "a.log")
    try:
        proc_b = servers.start_daphne("portal.asgi:application", env=env, log=tmp_path / "b.log")
        try:
            received = asyncio.run(_post_on_a_listen_on_b(data, proc_a.port, proc_b.port))
        finally:
            servers.stop(proc_b)
    finally:
        servers.stop(proc_a)
    assert received.count("Posted through A, seen on B?") == 2  # and its vote label


async def _post_on_a_listen_on_b(data: dict, port_a: int, port_b: int) -> str:
    url = f"ws://127.0.0.1:{port_b}/ws/events/{data['event_id']}/live/?qa={data['talk_id']}"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{port_b}") as ws:
        # A presence frame ("online now") may come before the full state: wait for the state.
        state = await asyncio.wait_for(_frame_with(ws, 'id="qa-open"'), 30)
        assert state.count('id="qa-open"') == 1
        user = data["users"][0]
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port_a}", cookies=_cookies(user)
        ) as http:
            response = await http.post(
                f"/events/{data['slug']}/live/questions/",
                data={"text": "Posted through A, seen on B?", "qa": data["talk_slug"]},
                headers={"X-CSRFToken": user["csrf"], "HX-Request": "true"},
            )
        assert response.status_code == 200, response.text[:500]
        while True:
            frame = await asyncio.wait_for(ws.recv(), 30)
            if 'id="qa-open"' in frame:
                return frame


async def _frame_with(ws, marker: str) -> str:
    while True:
        frame = await ws.recv()
        if marker in frame:
            return frame


def test_foreign_origin_refused_by_real_server(server_db, tmp_path):
    data = servers.seed(server_db, users=0)
    env = servers.server_env(server_db)
    proc = servers.start_daphne("portal.asgi:application", env=env, log=tmp_path / "s.log")
    port = proc.port
    try:
        url = f"ws://127.0.0.1:{port}/ws/events/{data['event_id']}/live/"

        async def attempt(origin):
            try:
                async with websockets.connect(url, origin=origin):
                    return "open"
            except websockets.InvalidStatus as error:
                return error.response.status_code

        foreign = asyncio.run(attempt("http://evil.example"))
        own = asyncio.run(attempt(f"http://127.0.0.1:{port}"))
    finally:
        servers.stop(proc)
    assert foreign == 403
    assert own == "open"


def test_online_now_sums_sockets_across_processes(server_db, redis_url, tmp_path):
    data = servers.seed(server_db, users=0)
    env = servers.server_env(server_db, redis_url=redis_url, LIVE_PRESENCE_TICK_SECONDS="0.3")
    procs = []
    try:
        for name in ("a", "b"):
            log = tmp_path / f"{name}.log"
            procs.append(servers.start_daphne("portal.asgi:application", env=env, log=log))
        totals = asyncio.run(_online_on_each(data, [proc.port for proc in procs]))
    finally:
        for proc in procs:
            servers.stop(proc)
    assert totals == [2, 2]


async def _online_on_each(data: dict, ports: list[int]) -> list[int]:
    path = f"/ws/events/{data['event_id']}/live/?qa=event"
    sockets = [
        await websockets.connect(f"ws://127.0.0.1:{port}{path}", origin=f"http://127.0.0.1:{port}")
        for port in ports
    ]

    async def online(ws) -> int:
        while True:
            frame = await asyncio.wait_for(ws.recv(), 30)
            if 'id="live-online"' in frame:
                value = int(frame.split('tabular-nums">')[-1].split("<")[0])
                if value == 2:
                    return value

    try:
        return [await online(ws) for ws in sockets]
    finally:
        for ws in sockets:
            await ws.close()
