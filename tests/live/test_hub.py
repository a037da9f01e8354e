"""The per-process hub on its own, with plain ASGI `send` callables standing in for sockets."""

import asyncio

from live.hub import hub
from live.topics import Connection
from tests.live.conftest import run


async def _until(condition, timeout: float = 5.0) -> None:
    """Let the hub's tasks run until `condition()` holds: waiting on what is awaited, not a pause
    that is too short on a busy machine and too long on an idle one."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0)


def _socket(event_id: int, key: str, audience: str = "public", sort: str = "top"):
    texts: list[str] = []

    async def send(message: dict) -> None:
        if 'id="live-online"' not in message.get("text", ""):
            texts.append(message["text"])

    conn = Connection(send=send, event_id=event_id, keys=(key,), audience=audience, sort=sort)
    return conn, texts


def test_hub_writes_each_socket_its_variant_once(db):
    async def body():
        public, public_texts = _socket(1, "qa:1:event")
        staff, staff_texts = _socket(1, "qa:1:event", audience="organiser", sort="new")
        other, other_texts = _socket(2, "qa:2:event")
        for conn in (public, staff, other):
            await hub.attach(conn)
        sent = await hub.deliver("qa:1:event", {"public:top": "P", "organiser:new": "O"})
        await hub.stop()
        return sent, public_texts, staff_texts, other_texts

    assert run(body) == (2, ["P"], ["O"], [])


def test_hub_writes_only_the_newest_state_when_behind(db):
    async def body():
        conn, texts = _socket(1, "qa:1:event")
        await hub.attach(conn)
        # Two broadcasts of one key arrive before the hub could write the first.
        hub.accept("qa:1:event", {"*": "older state"})
        hub.accept("qa:1:event", {"*": "newest state"})
        await _until(lambda: "newest state" in texts)
        superseded, snapshot = hub.superseded, hub.snapshot("qa:1:event")[1]
        await hub.stop()
        return texts, superseded, snapshot

    texts, superseded, snapshot = run(body)
    assert texts == ["newest state"]
    assert superseded == 1
    assert snapshot == {"*": "newest state"}


def test_hub_forgets_a_socket_after_detach(db):
    async def body():
        conn, texts = _socket(1, "qa:1:event")
        await hub.attach(conn)
        hub.detach(conn)
        sent = await hub.deliver("qa:1:event", {"*": "nobody"})
        await hub.stop()
        return sent, texts

    assert run(body) == (0, [])


def test_hub_drops_a_frame_older_than_one_it_already_took(db):
    async def body():
        conn, texts = _socket(1, "qa:1:event")
        await hub.attach(conn)
        # Two processes committed revisions 7 then 8; their broadcasts arrive 8 first.
        hub.accept("qa:1:event", {"*": "revision 8"}, 8)
        await _until(lambda: texts == ["revision 8"])
        # Refused on arrival (never queued to be written), so nothing to wait for.
        hub.accept("qa:1:event", {"*": "revision 7"}, 7)
        hub.accept("stage:1", {"*": "other key, older number"}, 3)
        outdated, snapshot = hub.outdated, hub.snapshot("qa:1:event")[1]
        await hub.stop()
        return texts, outdated, snapshot

    texts, outdated, snapshot = run(body)
    assert texts == ["revision 8"]
    assert outdated == 1
    assert snapshot == {"*": "revision 8"}
