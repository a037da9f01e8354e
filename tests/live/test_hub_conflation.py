"""live/hub.py + live/fanout.py under overload: a fan-out that a newer state overtakes stops
writing the stale frames, and every socket ends on the newest state, in order."""

import asyncio
import contextlib
import time

import pytest

from live import hub as hub_module
from live.hub import FAN_OUT_SLICE, hub
from live.topics import Connection
from portal.http_load import request_in_progress
from tests.live.conftest import run

KEY = "qa:1:event"


async def _until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0)


class Room:
    """Sockets that record what they are sent, and a hook run at the n-th write to any of
    them: the seam where a newer broadcast lands in the middle of a fan-out."""

    def __init__(self) -> None:
        self.texts: dict[Connection, list[str]] = {}
        self.writes = 0
        self.at_write: dict[int, object] = {}
        self.write_seconds = 0.0  # how long each write holds the event loop

    def socket(self, audience: str = "public", key: str = KEY) -> Connection:
        texts: list[str] = []

        async def send(message: dict) -> None:
            text = message.get("text", "")
            if 'id="live-online"' in text:
                return
            texts.append(text)
            self.writes += 1
            if self.write_seconds:
                time.sleep(self.write_seconds)
            hook = self.at_write.pop(self.writes, None)
            if hook is not None:
                hook()

        conn = Connection(send=send, event_id=1, keys=(key,), audience=audience)
        self.texts[conn] = texts
        return conn

    async def attach(self, count: int, audience: str = "public") -> list[Connection]:
        conns = [self.socket(audience) for _ in range(count)]
        for conn in conns:
            await hub.attach(conn)
        return conns


def test_a_superseded_frame_is_not_written_to_sockets_it_has_not_reached(db):
    room = Room()

    async def body():
        await room.attach(250)
        # The newer state arrives after the 50th socket was written the older one.
        room.at_write[50] = lambda: hub.accept(KEY, {"*": "v2"})
        hub.accept(KEY, {"*": "v1"})
        await _until(lambda: all(t and t[-1] == "v2" for t in room.texts.values()))
        superseded = hub.superseded
        await hub.stop()
        return superseded

    assert run(body) == 1
    histories = sorted(tuple(t) for t in room.texts.values())
    assert histories.count(("v1", "v2")) == 50
    assert histories.count(("v2",)) == 200
    assert len(histories) == 250
    assert room.writes == 300  # not 500: 200 sockets were never written the stale frame


def test_every_socket_ends_on_the_newest_state_in_order_under_constant_supersession(db):
    room = Room()
    versions = [f"v{i:02d}" for i in range(1, 13)]

    async def body():
        await room.attach(2 * FAN_OUT_SLICE + 37)
        # A newer state every 70 writes: faster than one whole fan-out (237 sockets).
        for n, version in enumerate(versions[1:], 1):
            room.at_write[70 * n] = lambda v=version: hub.accept(KEY, {"*": v})
        hub.accept(KEY, {"*": versions[0]})
        await _until(lambda: all(t and t[-1] == versions[-1] for t in room.texts.values()))
        await asyncio.sleep(0)  # nothing further is queued: the fan-out is done
        done = hub._fans == {}
        await hub.stop()
        return done

    assert run(body) is True
    for texts in room.texts.values():
        assert texts[-1] == versions[-1]
        assert texts == sorted(set(texts))  # each version at most once, never an older after
    # The writes until the last state arrived, then that state once to each socket: not 12
    # versions x 237 sockets (2,844).
    assert room.writes == 70 * 11 + 237


def test_a_socket_attached_during_a_fan_out_gets_the_state_that_overtakes_it(db):
    room = Room()
    late = room.socket()

    async def body():
        await room.attach(150)

        def newer() -> None:
            hub.subscribers[KEY].add(late)  # attached meanwhile (as hub.attach does)
            hub.accept(KEY, {"*": "v2"})

        room.at_write[10] = newer
        hub.accept(KEY, {"*": "v1"})
        await _until(lambda: all(t and t[-1] == "v2" for t in room.texts.values()))
        await hub.stop()

    run(body)
    assert room.texts[late] == ["v2"]


def test_a_merge_during_a_fan_out_rewrites_only_the_audiences_it_changes(db):
    room = Room()

    async def body():
        public = await room.attach(120)
        dashboards = await room.attach(120, audience="dashboard")
        # Dashboard-only state (question counts) lands after 60 writes of the full counts.
        room.at_write[60] = lambda: hub.accept(KEY, {"dashboard": "dash 2"}, merge=True)
        hub.accept(KEY, {"*": "counts 1", "dashboard": "dash 1"})
        await _until(lambda: all(room.texts[c][-1:] == ["dash 2"] for c in dashboards))
        await _until(lambda: all(room.texts[c] for c in public))
        snapshot = hub.snapshot(KEY)[1]
        await hub.stop()
        return public, dashboards, snapshot

    public, dashboards, snapshot = run(body)
    assert [room.texts[c] for c in public] == [["counts 1"]] * 120
    for conn in dashboards:
        assert room.texts[conn] in (["dash 1", "dash 2"], ["dash 2"])
    assert snapshot == {"*": "counts 1", "dashboard": "dash 2"}


def test_a_key_that_keeps_changing_does_not_hold_up_another_key(db):
    room = Room()
    other = "stage:1"

    async def body():
        await room.attach(300)
        stage_conns = [room.socket(key=other) for _ in range(5)]
        for conn in stage_conns:
            await hub.attach(conn)
        for n in range(1, 40):
            room.at_write[50 * n] = lambda n=n: hub.accept(KEY, {"*": f"q{n:02d}"})
        hub.accept(KEY, {"*": "q00"})
        hub.accept(other, {"*": "stage"})
        # The stage frame goes out within the Q&A fan-out's first slices, not after it.
        await _until(lambda: all(room.texts[c] == ["stage"] for c in stage_conns))
        writes_then = room.writes
        await _until(lambda: hub._fans == {}, timeout=10)
        await hub.stop()
        return writes_then

    assert run(body) <= 2 * FAN_OUT_SLICE + 5


def test_only_the_newest_state_of_a_key_waits_to_be_published(db):
    room = Room()

    async def body():
        (conn,) = await room.attach(1)
        group = "live.event.1"
        # Three states and a dashboard-only merge handed over before the publisher ran.
        for text in ("one", "two", "three"):
            hub.publish_threadsafe(
                group, {"type": "live.frames", "key": KEY, "frames": {"*": text}}
            )
        merge = {"type": "live.frames", "key": KEY, "frames": {"dashboard": "d"}, "merge": True}
        hub.publish_threadsafe(group, merge)
        hub.publish_threadsafe(
            group, {"type": "live.frames", "key": "stage:1", "frames": {"*": "stage"}}
        )
        waiting = {slot: message["frames"] for slot, message in hub._outbox.items()}
        await _until(lambda: room.texts[conn] == ["three"])
        await hub.stop()
        return waiting

    assert run(body) == {
        ("live.event.1", KEY): {"*": "three", "dashboard": "d"},
        ("live.event.1", "stage:1"): {"*": "stage"},
    }


@pytest.mark.parametrize("requests", [0, 1])
def test_behind_the_fan_out_pauses_only_while_requests_are_in_progress(db, monkeypatch, requests):
    """A pause hands the GIL and the loop to requests; with none in progress it would only
    make the fan-out late, and keep it behind once a newer state overtook it by chance."""
    room = Room()
    room.write_seconds = 0.001  # a slice of 100 writes takes longer than FAN_OUT_BUSY_SECONDS
    breather = 0.0137
    monkeypatch.setattr(hub_module, "FAN_OUT_BREATHER_SECONDS", breather)
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds, *args, **kwargs):
        if seconds == breather:
            pauses.append(seconds)
        return await real_sleep(seconds, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", sleep)

    async def body():
        await room.attach(3 * FAN_OUT_SLICE)
        room.at_write[20] = lambda: hub.accept(KEY, {"*": "v2"})  # overtaken: behind
        with contextlib.ExitStack() as stack:
            for _ in range(requests):
                stack.enter_context(request_in_progress())
            hub.accept(KEY, {"*": "v1"})
            await _until(lambda: all(t and t[-1] == "v2" for t in room.texts.values()))
        await hub.stop()

    run(body)
    assert room.writes == 20 + 3 * FAN_OUT_SLICE  # v1 to 20 sockets, then v2 to all
    if requests:
        assert len(pauses) >= 2
    else:
        assert pauses == []
