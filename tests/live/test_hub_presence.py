""" "Online now" during a reconnect storm: at most one push per LIVE_ONLINE_PUSH_SECONDS per
room, only when the total shown changes, rendered once and sent as one shared frame."""

import asyncio

import pytest

from live.hub import hub
from live.topics import Connection
from tests.live.conftest import run

EVENT = 7


@pytest.fixture
def held_back(settings):
    """A 5 s push interval; the hub's own tick loop never ticks (the test ticks)."""
    settings.LIVE_ONLINE_PUSH_SECONDS = 5
    settings.LIVE_PRESENCE_TICK_SECONDS = 600
    settings.LIVE_PRESENCE_DEBOUNCE_SECONDS = 600


def _screen(sent: list, *, counted: bool = True) -> Connection:
    """A socket recording the "online now" messages it is sent (the message objects)."""

    async def send(message: dict) -> None:
        sent.append(message)

    return Connection(
        send=send, event_id=EVENT, keys=(f"stage:{EVENT}",), audience="public", counted=counted
    )


def _shown(messages: list) -> list[str]:
    return [m["text"].split('tabular-nums">')[1].split("<")[0] for m in messages]


def _interval_passed() -> None:
    """As if LIVE_ONLINE_PUSH_SECONDS went by since the last push (the hub reads monotonic)."""
    hub.online_pushed[EVENT] -= 5


def test_a_room_reconnecting_is_sent_online_now_once_per_interval(db, held_back):
    async def body():
        first, later = [[] for _ in range(10)], [[] for _ in range(40)]
        for sent in first:
            await hub.attach(_screen(sent))
        await hub.presence_tick()  # the first count goes out at once
        frame_in_window = []
        for batch in range(4):  # four more ticks while the room keeps coming back
            for sent in later[batch * 10 : (batch + 1) * 10]:
                await hub.attach(_screen(sent))
            await hub.presence_tick()
            frame_in_window.append(hub.online_fragment(EVENT))
        due = hub.online_due
        _interval_passed()
        await hub.presence_tick()
        await hub.stop()
        return first, later, frame_in_window, due

    first, later, frame_in_window, due = run(body)
    assert [_shown(sent) for sent in first] == [["10", "50"]] * 10
    assert [_shown(sent) for sent in later] == [["50"]] * 40
    # One rendered frame per push, the same message object for every screen.
    assert len({id(sent[-1]) for sent in first + later}) == 1
    # A screen connecting inside the window is given the count last pushed to the room.
    assert [_shown([{"text": text}]) for text in frame_in_window] == [["10"]] * 4
    assert due is not None


def test_online_now_is_not_pushed_again_when_the_total_is_unchanged(db, held_back):
    async def body():
        sent, gone = [], []
        stays = _screen(sent)
        leaves = _screen(gone)
        for conn in (stays, leaves, _screen([]), _screen([])):
            await hub.attach(conn)
        await hub.presence_tick()
        hub.detach(leaves)
        await hub.attach(_screen([]))  # one left, one came: still 4 on screen
        _interval_passed()
        await hub.presence_tick()
        due = hub.online_due
        await hub.stop()
        return sent, due

    sent, due = run(body)
    assert _shown(sent) == ["4"]
    assert due is None


def test_event_page_sockets_are_neither_counted_nor_sent_online_now(db, held_back):
    async def body():
        room, event_page = [], []
        await hub.attach(_screen(room))
        await hub.attach(_screen(event_page, counted=False))
        await hub.presence_tick()
        await hub.stop()
        return room, event_page

    room, event_page = run(body)
    assert (_shown(room), event_page) == (["1"], [])


def test_a_held_back_count_goes_out_when_due_without_waiting_for_a_tick(db, settings):
    settings.LIVE_ONLINE_PUSH_SECONDS = 0.3
    settings.LIVE_PRESENCE_TICK_SECONDS = 600  # only wakes (connects) and due pushes tick
    settings.LIVE_PRESENCE_DEBOUNCE_SECONDS = 0.01

    async def body():
        sent = []
        await hub.attach(_screen(sent))
        async with asyncio.timeout(5):
            while not sent:
                await asyncio.sleep(0.01)
            await hub.attach(_screen([]))  # held back: 0.3 s have not passed
            while len(sent) < 2:
                await asyncio.sleep(0.01)
        await hub.stop()
        return sent

    assert _shown(run(body)) == ["1", "2"]
