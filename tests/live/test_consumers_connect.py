"""What a connect costs: anonymous screens without database work, one render per key.

The rules stay the database's: an event saved (unpublished) or a process that left the event's
group asks again, and a session cookie still means the signed-in person's frames.
"""

import asyncio
from functools import partial

from django.db import connection
from django.test.utils import CaptureQueriesContext

from live import services
from live.hub import hub
from meetups.models import Event
from organise.services.events import event_unpublish
from tests.live.conftest import run, signed_in
from tests.live.helpers import committed, communicator, live_process, next_frame, ws_path


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
