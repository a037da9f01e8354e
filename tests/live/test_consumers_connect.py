"""What a connect costs: anonymous screens without database work, one render per key.

The rules stay the database's: an event saved (unpublished) or a process that left the event's
group asks again, and a session cookie still means the signed-in person's frames.
"""

import asyncio
import json
import threading
from functools import partial

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from live import services
from live.hub import hub
from live.models import LiveState
from live.topics import counts_key, qa_key
from meetups.models import Event
from organise.services.events import event_unpublish
from tests.live.conftest import run, signed_in
from tests.live.helpers import (
    committed,
    communicator,
    live_process,
    next_frame,
    only_presence,
    quiet,
    ws_path,
)

pytestmark = pytest.mark.postgres_too


async def _open(path, **kwargs):
    comm = communicator(path, **kwargs)
    connected, code = await comm.connect(timeout=5)
    return comm, connected, code


def test_anonymous_connect_asks_nothing_once_the_event_is_known_public(running_event):
    path = ws_path(running_event, qa="stage")

    async def connect_in_turn(n: int):
        async with live_process():
            comms, states = [], []
            for _ in range(n):
                comm, connected, _ = await _open(path)
                assert connected
                states.append(await next_frame(comm))
                comms.append(comm)
            for comm in comms:
                await comm.disconnect()
        return states

    with CaptureQueriesContext(connection) as two:
        run(partial(connect_in_turn, 2))
    with CaptureQueriesContext(connection) as five:
        states = run(partial(connect_in_turn, 5))

    assert [state.count('id="live-stage"') for state in states] == [1] * 5
    # The first connect checks the event before the hub is in its group (not remembered) and
    # renders the state; the second checks after (remembered); the next three ask nothing.
    assert len(two.captured_queries) > 0
    assert len(five.captured_queries) == len(two.captured_queries)


def test_unpublishing_refuses_the_next_anonymous_connect(running_event, organiser):
    path = ws_path(running_event, qa="stage")

    async def body():
        async with live_process():
            watching, *_ = await _open(path)
            await next_frame(watching)
            known, *_ = await _open(path)
            await next_frame(known)
            await committed(event_unpublish, event=running_event, user=organiser)
            _, connected, code = await _open(path)
            for comm in (watching, known):
                await comm.disconnect()
        return connected, code

    assert run(body) == (False, 4404)


def test_a_process_that_left_the_group_asks_the_database_again(running_event):
    """Out of the event's group, a hub hears no stage broadcast; an unpublish done meanwhile
    (here without any broadcast at all) must still refuse the next anonymous screen."""
    path = ws_path(running_event, qa="stage")

    async def body():
        async with live_process():
            for _ in range(2):
                comm, *_ = await _open(path)
                await next_frame(comm)
                await comm.disconnect()
            await asyncio.sleep(0.05)
            await hub.presence_tick()  # the last socket went: the hub leaves the group
            left = running_event.pk not in hub.joined
            await Event.objects.filter(pk=running_event.pk).aupdate(status=Event.Status.DRAFT)
            _, connected, code = await _open(path)
        return left, connected, code

    assert run(body) == (True, False, 4404)


def test_concurrent_connects_to_an_empty_hub_render_each_key_once(running_event, talk, member):
    """After a restart the hub has no frames; the screens coming back share one render."""
    services.question_create(event=running_event, talk=None, author=member, text="Shared?")
    path = ws_path(running_event, qa="event")

    def questions_read(queries) -> int:
        return sum(1 for q in queries if 'FROM "live_question"' in q["sql"])

    async def connect_many(n: int):
        async with live_process():
            comms = [communicator(path) for _ in range(n)]
            await asyncio.gather(*(c.connect(timeout=5) for c in comms))
            states = [await next_frame(c) for c in comms]
            for c in comms:
                await c.disconnect()
        return states

    with CaptureQueriesContext(connection) as one:
        (alone,) = run(partial(connect_many, 1))
    with CaptureQueriesContext(connection) as six:
        many = run(partial(connect_many, 6))

    assert [state.count("Shared?") for state in many] == [2] * 6
    assert alone.count("Shared?") == 2
    assert questions_read(six.captured_queries) == questions_read(one.captured_queries)
    assert questions_read(one.captured_queries) > 0


def test_a_session_cookie_still_gets_the_signed_in_persons_frames(running_event, organiser):
    """Anonymous screens skip the user lookup only when they carry no session cookie."""
    client = signed_in(organiser)
    path = ws_path(running_event, qa="stage")

    async def body():
        async with live_process():
            for _ in range(2):  # make the anonymous answer known first
                comm, *_ = await _open(path)
                await next_frame(comm)
                await comm.disconnect()
            comm, connected, _ = await _open(path, client=client)
            state = await next_frame(comm)
            await comm.disconnect()
        return connected, state

    connected, state = run(body)
    assert connected is True
    assert state.count('id="qa-queue"') == 1  # the organiser's moderation list


def test_screens_connect_and_beat_while_the_database_thread_is_busy(running_event):
    """Channels' dispatch hopped into the ORM's one thread before every message; a connect
    or heartbeat that needs no database must not queue behind a storm's renders there."""
    path = ws_path(running_event, qa="stage")
    release = threading.Event()

    async def body():
        async with live_process():
            warm = [await _open(path) for _ in range(2)]  # the second remembers "public"
            for comm, *_ in warm:
                await next_frame(comm)
            busy = asyncio.ensure_future(sync_to_async(release.wait)())  # the ORM's thread
            try:
                known = set(hub.by_event[running_event.pk])
                comm, connected, _ = await _open(path)
                state = await next_frame(comm)
                (conn,) = hub.by_event[running_event.pk] - known
                before = conn.last_seen
                await comm.send_to(text_data=json.dumps({"type": "heartbeat"}))
                async with asyncio.timeout(5):
                    while conn.last_seen == before:
                        await asyncio.sleep(0.01)
                await comm.disconnect()
                async with asyncio.timeout(5):
                    while conn in hub.by_event[running_event.pk]:
                        await asyncio.sleep(0.01)
                all_while_busy = not busy.done()
            finally:
                release.set()
                await busy
            for each, *_ in warm:
                await each.disconnect()
        return connected, state, all_while_busy

    connected, state, all_while_busy = run(body)
    assert (connected, state.count('id="live-stage"'), all_while_busy) == (True, 1, True)


def test_a_socket_gone_before_its_state_is_sent_ends_quietly(running_event):
    """In a storm daphne gives up on handshakes it could not finish in time; sending to such
    a socket raises. The consumer ends normally (the server formatted a traceback for each)."""
    from portal.asgi import application

    scope = {
        "type": "websocket", "path": ws_path(running_event, qa="stage"), "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"origin", b"http://testserver")],
    }  # fmt: skip
    scope["path"], _, query = scope["path"].partition("?")
    scope["query_string"] = query.encode()
    sent = []

    async def body():
        inbox = asyncio.Queue()
        await inbox.put({"type": "websocket.connect"})

        async def send(message):
            sent.append(message["type"])
            if message["type"] == "websocket.send":
                if inbox.empty():
                    await inbox.put({"type": "websocket.disconnect", "code": 1006})
                raise RuntimeError("Attempt to send on a closed protocol")  # as daphne's

        async with live_process():
            await asyncio.wait_for(application(scope, inbox.get, send), 5)
            return dict(hub.by_event)

    assert run(body) == {running_event.pk: set()}
    # (The hub's first "online now" may reach it too, before the state: its failure is quiet.)
    assert (sent[0], set(sent[1:])) == ("websocket.accept", {"websocket.send"})


def test_concurrent_anonymous_connects_check_the_event_once(running_event):
    """A room coming back after a drop (the hub out of its group): the screens arriving
    together share one database check of the event instead of queueing one each."""
    path = ws_path(running_event, qa="stage")

    def events_read(queries) -> int:
        return sum(1 for q in queries if 'FROM "meetups_event"' in q["sql"])

    async def connect_many(n: int):
        async with live_process():
            comms = [communicator(path) for _ in range(n)]
            opened = await asyncio.gather(*(c.connect(timeout=5) for c in comms))
            states = [await next_frame(c) for c in comms]
            for comm in comms:
                await comm.disconnect()
        return [ok for ok, _ in opened], states

    with CaptureQueriesContext(connection) as one:
        run(partial(connect_many, 1))
    with CaptureQueriesContext(connection) as six:
        opened, states = run(partial(connect_many, 6))

    assert opened == [True] * 6
    assert [state.count('id="live-stage"') for state in states] == [1] * 6
    assert events_read(one.captured_queries) > 0
    assert events_read(six.captured_queries) == events_read(one.captured_queries)


def test_a_heartbeat_reaches_the_consumer_without_a_task_per_message(running_event):
    """10,000 screens send about 200 heartbeats a second to one worker: the consumer awaits
    its messages itself (Channels' loop made a task and an `asyncio.wait` for each)."""
    path = ws_path(running_event, qa="stage")

    async def body():
        loop = asyncio.get_running_loop()
        made = []

        def counting_factory(loop, coro, **kwargs):
            made.append(getattr(coro, "__qualname__", repr(coro)))
            return asyncio.Task(coro, loop=loop, **kwargs)

        async with live_process():
            comm, connected, _ = await _open(path)
            await next_frame(comm)
            (conn,) = hub.by_event[running_event.pk]
            loop.set_task_factory(counting_factory)
            try:
                for _ in range(20):
                    before = conn.last_seen
                    await comm.send_to(text_data=json.dumps({"type": "heartbeat"}))
                    async with asyncio.timeout(5):
                        while conn.last_seen == before:
                            await asyncio.sleep(0)
            finally:
                loop.set_task_factory(None)
            await comm.disconnect()
        return connected, made

    connected, made = run(body)
    assert (connected, made) == (True, [])


def test_a_screen_following_the_stage_gets_its_talks_qa_from_one_room_read(
    running_event, talk, member
):
    """Guards: the talk on stage read with its talk and pinned question's author, only to
    learn its id, and then the room read again for the render (as a broadcast reads it once)."""
    services.question_create(event=running_event, talk=talk, author=member, text="On stage?")
    assert LiveState.objects.filter(event=running_event).update(current_talk=talk) == 1

    async def connect():
        async with live_process():
            comm = communicator(ws_path(running_event, qa="stage"))
            assert (await comm.connect(timeout=5))[0]
            state = await next_frame(comm)
            await comm.disconnect()
        return state

    with CaptureQueriesContext(connection) as queries:
        state = run(connect)
    assert state.count("On stage?") == 2  # the question and its vote label
    live_state_reads = [q["sql"] for q in queries if 'FROM "live_livestate"' in q["sql"]]
    # The stage's own read (with the talk and pinned question), and one room read for the Q&A.
    assert len(live_state_reads) == 2, live_state_reads


def test_a_broadcast_goes_through_the_servers_direct_writer_where_it_has_one(
    running_event, monkeypatch
):
    """A socket whose server can take a frame framed once (daphne: portal/shared_frames.py)
    gets the hub's fan-out that way, not as an ASGI message; its own state still comes as one."""
    written: list[str] = []

    def direct_writer(send):
        def write(frame) -> bool:
            written.append(frame.message["text"])
            return True

        return write

    monkeypatch.setattr("live.consumers.direct_writer", direct_writer)
    path = ws_path(running_event, qa="stage")

    async def body():
        async with live_process():
            comm, connected, _ = await _open(path)
            assert connected
            state = await next_frame(comm)
            sent = await hub.deliver(counts_key(running_event.pk), {"*": "<p>new counts</p>"})
            nothing_else = await quiet(comm)
            await comm.disconnect()
        return state, sent, nothing_else

    state, sent, nothing_else = run(body)

    assert 'id="live-stage"' in state
    assert sent == 1
    # ("online now" is a shared frame too, pushed when the hub's presence tick comes round.)
    assert [text for text in written if 'id="live-online"' not in text] == ["<p>new counts</p>"]
    assert nothing_else  # not also sent as an ASGI message


def test_a_broadcast_during_the_connects_render_is_not_followed_by_the_older_state(
    running_event, monkeypatch
):
    """Guards against a screen ending on stale state: the socket is attached before its state
    is gathered, so a broadcast landing meanwhile is written to it first; the state gathered
    before that must not be sent after it."""
    from live import broadcast

    key = qa_key(running_event.pk, None)
    original = broadcast.render_qa_frames

    def render_then_a_broadcast_lands(**kwargs):
        frames = original(**kwargs)
        landed = threading.Event()

        def newer():
            hub.accept(key, {"*": "NEWER STATE"})
            landed.set()

        hub.loop.call_soon_threadsafe(newer)
        assert landed.wait(5)
        return frames

    monkeypatch.setattr(broadcast, "render_qa_frames", render_then_a_broadcast_lands)

    async def body():
        async with live_process():
            comm, connected, _ = await _open(ws_path(running_event))
            assert connected
            frames = [await next_frame(comm)]
            while not await comm.receive_nothing(timeout=0.5):
                frames.append(await comm.receive_from())
            await comm.disconnect()
        return frames

    frames = [frame for frame in run(body) if not only_presence(frame)]
    assert "NEWER STATE" in frames[-1]
    assert frames[-1].count('id="qa-open"') == 0  # the older Q&A lists did not come after it
