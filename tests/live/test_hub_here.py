"""live/hub.py: frames a broadcast leaves to the processes holding their audience (`here`, the
organiser dashboard's panels on the counts) are rendered only where such a socket is, once per
burst, and reach only that audience."""

import asyncio
import threading

import pytest

from live import broadcast
from live.hub import hub, merge_here
from live.topics import Connection, counts_key
from rsvp import services as rsvp_services
from tests.live.conftest import run, signed_in
from tests.live.helpers import committed, communicator, live_process, next_frame, quiet, ws_path

pytestmark = pytest.mark.postgres_too

KEY = "counts:1"
HERE = {"render": "test", "event_id": 1, "audiences": ["dashboard"], "detail": True}


async def _until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


class Renderer:
    """A renderer for `here` that counts its calls, optionally held until released."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.hold: threading.Event | None = None
        self.started = threading.Event()

    def __call__(self, *, event_id: int, audiences: list[str], detail: bool) -> dict[str, str]:
        self.calls.append({"event_id": event_id, "audiences": audiences, "detail": detail})
        self.started.set()
        if self.hold is not None:
            self.hold.wait(5)
        return {audience: f"{audience} #{len(self.calls)}" for audience in audiences}


def _socket(texts: list[str], audience: str) -> Connection:
    async def send(message: dict) -> None:
        text = message.get("text", "")
        if 'id="live-online"' not in text:
            texts.append(text)

    return Connection(send=send, event_id=1, keys=(KEY,), audience=audience)


def _with_renderer(monkeypatch) -> Renderer:
    renderer = Renderer()
    monkeypatch.setitem(hub.renderers_here, "test", (renderer, lambda: 0))
    return renderer


def test_a_broadcast_renders_nothing_here_without_a_socket_of_the_audience(db, monkeypatch):
    renderer = _with_renderer(monkeypatch)
    room: list[str] = []

    async def body():
        await hub.attach(_socket(room, "public"))
        hub.accept(KEY, {"*": "counts v1", "dashboard": ""}, here=HERE)
        await _until(lambda: room)
        await asyncio.sleep(0.05)
        await hub.stop()

    run(body)
    assert renderer.calls == []
    assert room == ["counts v1"]


def test_a_socket_of_the_audience_gets_the_frame_rendered_here_and_the_room_does_not(
    db, monkeypatch
):
    renderer = _with_renderer(monkeypatch)
    room: list[str] = []
    organisers: list[str] = []
    dashboard: list[str] = []

    async def body():
        await hub.attach(_socket(room, "public"))
        await hub.attach(_socket(organisers, "organiser"))
        await hub.attach(_socket(dashboard, "dashboard"))
        hub.accept(KEY, {"*": "counts v1", "dashboard": ""}, here=HERE)
        await _until(lambda: dashboard)
        await asyncio.sleep(0.05)
        snapshot = hub.snapshot(KEY)[1]
        await hub.stop()
        return snapshot

    snapshot = run(body)
    assert renderer.calls == [{"event_id": 1, "audiences": ["dashboard"], "detail": True}]
    assert dashboard == ["dashboard #1"]  # not live's counts: its ids are not on that page
    # The merge is written to dashboards only: not to the room, nor to an organiser's live
    # page (the audience a dashboard extends).
    assert room == ["counts v1"]
    assert organisers == ["counts v1"]
    # The next socket to connect is given both without a render.
    assert snapshot == {"*": "counts v1", "dashboard": "dashboard #1"}


def test_broadcasts_during_a_render_join_the_next_one(db, monkeypatch):
    renderer = _with_renderer(monkeypatch)
    renderer.hold = threading.Event()
    dashboard: list[str] = []

    async def body():
        await hub.attach(_socket(dashboard, "dashboard"))
        hub.accept(KEY, {"*": "v1", "dashboard": ""}, here={**HERE, "detail": False})
        await asyncio.to_thread(renderer.started.wait, 5)
        for n in range(2, 7):  # five more while the first render runs
            hub.accept(KEY, {"*": f"v{n}", "dashboard": ""}, here={**HERE, "detail": n == 3})
        renderer.hold.set()
        await _until(lambda: len(renderer.calls) == 2 and dashboard[-1:] == ["dashboard #2"])
        await asyncio.sleep(0.05)
        await hub.stop()

    run(body)
    # One render for the five, with the chart if any of them asked for it.
    assert [call["detail"] for call in renderer.calls] == [False, True]
    assert dashboard == ["dashboard #1", "dashboard #2"]


def test_a_merge_with_no_frames_only_renders_here(db, monkeypatch):
    renderer = _with_renderer(monkeypatch)
    room: list[str] = []
    dashboard: list[str] = []

    async def body():
        await hub.attach(_socket(room, "public"))
        await hub.attach(_socket(dashboard, "dashboard"))
        hub.accept(KEY, {"*": "v1", "dashboard": ""})
        await _until(lambda: room)
        version = hub.versions[KEY]
        hub.accept(KEY, {}, merge=True, here=HERE)
        unchanged = hub.versions[KEY] == version  # nothing new for anyone until rendered
        await _until(lambda: dashboard)
        await asyncio.sleep(0.05)
        await hub.stop()
        return unchanged

    assert run(body) is True
    assert room == ["v1"]
    assert dashboard == ["dashboard #1"]
    assert len(renderer.calls) == 1


def test_a_dashboard_that_left_is_not_rendered_for(db, monkeypatch):
    renderer = _with_renderer(monkeypatch)
    texts: list[str] = []

    async def body():
        first, second = _socket(texts, "dashboard"), _socket(texts, "dashboard")
        await hub.attach(first)
        await hub.attach(second)
        hub.detach(first)
        hub.detach(first)  # twice (a refused frame, then the disconnect) counts once
        hub.accept(KEY, {"*": "v1", "dashboard": ""}, here=HERE)
        await _until(lambda: renderer.calls)
        hub.detach(second)
        await asyncio.sleep(0.05)
        hub.accept(KEY, {"*": "v2", "dashboard": ""}, here=HERE)
        await asyncio.sleep(0.1)
        await hub.stop()

    run(body)
    assert len(renderer.calls) == 1


def _failing(monkeypatch, outcomes: list) -> list[dict]:
    calls: list[dict] = []
    pending = iter(outcomes)

    def render(**kwargs):
        calls.append(kwargs)
        outcome = next(pending)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setitem(hub.renderers_here, "test", (render, lambda: 0))
    return calls


def test_a_failed_render_is_logged_and_tried_once_more(db, monkeypatch, caplog):
    _failing(monkeypatch, [RuntimeError("template broke"), {"dashboard": "fine"}])
    dashboard: list[str] = []

    async def body():
        await hub.attach(_socket(dashboard, "dashboard"))
        hub.accept(KEY, {"*": "v1", "dashboard": ""}, here=HERE)  # one change, no other
        await _until(lambda: dashboard)
        await hub.stop()

    run(body)
    assert "rendering frames here failed" in caplog.text
    assert dashboard == ["fine"]


def test_a_render_that_keeps_failing_is_tried_twice_then_waits_for_the_next_change(db, monkeypatch):
    calls = _failing(monkeypatch, [RuntimeError("down"), RuntimeError("down"), {"dashboard": "ok"}])
    dashboard: list[str] = []

    async def body():
        await hub.attach(_socket(dashboard, "dashboard"))
        hub.accept(KEY, {"*": "v1", "dashboard": ""}, here=HERE)
        await _until(lambda: len(calls) == 2)
        await asyncio.sleep(0.1)
        tried = len(calls)
        hub.accept(KEY, {"*": "v2", "dashboard": ""}, here=HERE)
        await _until(lambda: dashboard)
        await hub.stop()
        return tried

    assert run(body) == 2
    assert dashboard == ["ok"]


def test_renders_wait_out_the_window_and_stop_with_the_hub(db, monkeypatch):
    calls: list[int] = []
    third = threading.Event()
    stopped = threading.Event()

    def render(**kwargs):
        calls.append(1)
        if len(calls) == 3:  # hangs until the hub has stopped
            third.set()
            stopped.wait(5)
        return {"dashboard": f"dashboard #{len(calls)}"}

    monkeypatch.setitem(hub.renderers_here, "test", (render, lambda: 0.3))
    dashboard: list[str] = []

    async def body():
        await hub.attach(_socket(dashboard, "dashboard"))
        hub.accept(KEY, {"*": "v1", "dashboard": ""}, here=HERE)
        await _until(lambda: dashboard)
        for n in range(2, 5):  # inside the window: one render for the three, after it
            hub.accept(KEY, {"*": f"v{n}", "dashboard": ""}, here=HERE)
        within = len(calls)
        await _until(lambda: len(dashboard) == 2)
        hub.accept(KEY, {"*": "v5", "dashboard": ""}, here=HERE)
        await asyncio.to_thread(third.wait, 5)
        task = hub._here_tasks[KEY]
        await hub.stop()
        stopped.set()
        await asyncio.sleep(0.05)
        return within, task

    within, task = run(body)
    assert within == 1
    assert len(calls) == 3
    assert task.cancelled()
    # The hung render's result went nowhere: the hub had stopped.
    assert dashboard == ["dashboard #1", "dashboard #2"]


def test_a_render_task_that_ends_leaves_a_newer_tasks_entry(db, monkeypatch):
    """Guards against two renders of one key at once: after a new event loop the key has a new
    task, and the old loop's task ending must not drop it."""
    renderer = _with_renderer(monkeypatch)
    renderer.hold = threading.Event()
    dashboard: list[str] = []

    async def body():
        await hub.attach(_socket(dashboard, "dashboard"))
        hub.accept(KEY, {"*": "v1", "dashboard": ""}, here=HERE)
        await asyncio.to_thread(renderer.started.wait, 5)
        newer = asyncio.get_running_loop().create_future()  # stands in for the new loop's task
        hub._here_tasks[KEY] = newer
        renderer.hold.set()
        await _until(lambda: dashboard)
        await asyncio.sleep(0.05)  # the old task has ended
        kept = hub._here_tasks.get(KEY) is newer
        del hub._here_tasks[KEY]
        await hub.stop()
        return kept

    assert run(body) is True


def test_a_merge_left_to_render_here_blanks_that_audience_in_the_snapshot(db, monkeypatch):
    """Guards against a dashboard connecting to panels older than a change announced to a
    process that holds no dashboard (so renders none): it must render its own."""
    _with_renderer(monkeypatch)

    async def body():
        await hub.attach(_socket([], "public"))
        hub.accept(KEY, {"*": "v1", "dashboard": "panels before"})
        hub.accept(KEY, {}, merge=True, here=HERE)  # the question counts changed
        snapshot = hub.snapshot(KEY)[1]
        await hub.stop()
        return snapshot

    assert run(body) == {"*": "v1", "dashboard": ""}


def test_panels_remembered_for_a_connect_keep_the_snapshots_age(db):
    async def body():
        await hub._ensure_started()
        hub.accept(KEY, {"*": "v1", "dashboard": ""})
        born = hub.snapshots[KEY][0]
        version = hub.versions[KEY]
        await asyncio.sleep(0.02)
        hub.remember(KEY, {"dashboard": "panels"}, version=version, merge=True)
        kept = hub.snapshots[KEY]
        hub.remember(KEY, {"dashboard": "late"}, version=version - 1, merge=True)
        after_late = hub.snapshots[KEY]
        await hub.stop()
        return born, kept, after_late

    born, kept, after_late = run(body)
    assert kept == (born, {"*": "v1", "dashboard": "panels"})
    assert after_late == kept  # a render a broadcast overtook is not kept


def test_here_survives_the_redis_layers_serialiser():
    from channels_redis.serializers import registry

    serializer = registry.get_serializer("msgpack")
    message = {"type": "live.frames", "key": KEY, "frames": {"*": "x", "dashboard": ""},
               "revision": None, "here": HERE}  # fmt: skip
    assert serializer.deserialize(serializer.serialize(message)) == message


def test_here_folds_every_audience_and_keeps_detail_if_either_asked():
    quick = {"render": "counts", "event_id": 1, "audiences": ["a"], "detail": False}
    full = {"render": "counts", "event_id": 1, "audiences": ["b", "a"], "detail": True}
    assert merge_here(None, quick) == quick
    assert merge_here(quick, None) == quick
    assert merge_here(quick, full) == {**full, "audiences": ["a", "b"], "detail": True}
    assert merge_here(quick, quick)["detail"] is False


def test_a_waiting_message_keeps_what_it_left_to_be_rendered_here(db):
    async def body():
        await hub._ensure_started()
        hub._outbox.clear()
        base = {"key": KEY, "frames": {"*": "v1"}, "here": {**HERE, "detail": False}}
        merge = {"key": KEY, "frames": {}, "merge": True, "here": {**HERE, "audiences": ["x"]}}
        # The publisher is not given a turn between these (no await).
        hub._enqueue("g", base)
        hub._enqueue("g", merge)
        folded = dict(hub._outbox[("g", KEY)])
        hub._enqueue("g", {"key": KEY, "frames": {"*": "v2"}})
        replaced = dict(hub._outbox[("g", KEY)])
        await hub.stop()
        return folded, replaced

    folded, replaced = run(body)
    assert folded["frames"] == {"*": "v1"}
    assert folded["here"]["audiences"] == ["dashboard", "x"]
    assert folded["here"]["detail"] is True
    assert replaced["frames"] == {"*": "v2"}
    assert replaced["here"]["audiences"] == ["dashboard", "x"]


def test_a_dashboard_connecting_after_a_broadcast_with_none_open_gets_its_panels(
    event, organiser, member
):
    """The counts broadcast sent while no dashboard was open left the dashboard's frame empty
    in the hub's snapshot; a dashboard connecting afterwards must not be given that."""
    organiser_client = signed_in(organiser)

    async def body():
        async with live_process():
            room = communicator(ws_path(event))
            assert (await room.connect(timeout=5))[0]
            await next_frame(room)
            await committed(rsvp_services.rsvp_create, event=event, user=member)
            after = await next_frame(room)
            snapshot = hub.snapshot(counts_key(event.pk))[1]
            assert broadcast.counts_extras_missing(snapshot, "dashboard")
            dashboard = communicator(ws_path(event, view="dashboard"), client=organiser_client)
            assert (await dashboard.connect(timeout=5))[0]
            first = await next_frame(dashboard)
            room_quiet = await quiet(room)
            await dashboard.disconnect()
            await room.disconnect()
        return after, first, room_quiet

    after, first, room_quiet = run(body)
    assert after.count('id="live-counts"') == 1
    assert first.count('id="organise-rsvp-numbers"') == 1
    assert 'data-stat="going">1</dd>' in first
    assert first.count('id="live-counts"') == 0
    assert room_quiet is True


def test_only_a_dashboard_connect_renders_the_dashboards_panels(event, organiser, monkeypatch):
    calls = []
    original = broadcast.render_counts_extras

    def counting(**kwargs):
        calls.append(kwargs["audiences"])
        return original(**kwargs)

    monkeypatch.setattr(broadcast, "render_counts_extras", counting)
    organiser_client = signed_in(organiser)

    async def body():
        async with live_process():
            seen = []
            for client, view in ((None, "live"), (organiser_client, "live"),
                                 (organiser_client, "dashboard")):  # fmt: skip
                comm = communicator(ws_path(event, view=view), client=client)
                assert (await comm.connect(timeout=5))[0]
                await next_frame(comm)
                seen.append(list(calls))
                await comm.disconnect()
        return seen

    assert run(body) == [[], [], [["dashboard"]]]
