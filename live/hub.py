"""The per-process fan-out hub: one channel-layer message per process, not one per socket.

Stock Channels fan-out (`group_send` to a group holding every consumer) costs a layer message,
a queue hop and a dispatch in each consumer per broadcast; at 2,000 sockets that per-consumer
work, not the network, is what falls behind. Here the consumers never join the layer. Each
process runs one hub, which

- keeps an in-process registry of live sockets by topic key (`stage:<event>`,
  `counts:<event>`, `qa:<event>:<talk id or "event">`) holding each socket's raw ASGI `send`;
- joins the layer group `live.event.<id>` once per event it has sockets for, with its own
  channel, and runs one task that receives from that channel;
- on a `live.frames` message, writes the already-rendered frame for each socket's audience
  (public, organiser, presenter) straight to that socket's `send`;
- remembers the last frames per key, so a (re)connecting socket gets the full current state
  without rendering it again;
- renders the frames a broadcast leaves to the processes holding their audience (`here`: the
  organiser dashboard's panels on the counts), only when it holds such a socket, and merges
  them in (an RSVP rush with no dashboard open renders none);
- counts its sockets for presence (see live/presence.py) every tick, closes sockets whose
  heartbeats stopped, and pushes "online now" to its own sockets when the total changes, at
  most once per LIVE_ONLINE_PUSH_SECONDS per event (rendered once, one frame for all).

See docs/live.md for the whole design and the figures.
"""

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.template.loader import render_to_string

from portal.http_load import requests_in_progress
from portal.shared_frames import SharedFrame

from .fanout import FanOut
from .presence import make_presence
from .topics import Connection, event_group

logger = logging.getLogger(__name__)

# Close codes (4000-4999 are the application's own; never 1011).
CLOSE_HEARTBEAT_TIMEOUT = 4408
# Sockets written between yields to the event loop during a fan-out: small enough that
# requests, the layer and a newer broadcast are taken in while 2,000 sockets are written.
FAN_OUT_SLICE = 100
# Behind (a fan-out was overtaken by a newer state) while HTTP requests are in progress
# (portal/http_load.py), the loop writes sockets for at most FAN_OUT_BUSY_SECONDS at a
# stretch, then sleeps FAN_OUT_BREATHER_SECONDS: an event loop that never sleeps holds the
# GIL, and the request threads (each query gives it up and must wait to get it back) would
# answer POSTs in seconds. Otherwise it never pauses: with no request in progress a pause
# only halves the rate of writes, and a fan-out overtaken once by chance stays behind
# (docs/benchmarks.md, "The pause only while requests are in progress").
FAN_OUT_BUSY_SECONDS = 0.02
FAN_OUT_BREATHER_SECONDS = 0.02
# "Online now" goes to a room's screens at most once per this many seconds (a setting of the
# same name): while a room reconnects, the count changes every tick, and each push is a write
# to every screen. The first change after a quiet spell goes out at the next tick.
ONLINE_PUSH_SECONDS = 5.0


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


class Hub:
    def __init__(self) -> None:
        self.process_id = uuid.uuid4().hex[:16]
        # name -> (render(event_id=, audiences=, detail=) -> {audience: html}, window seconds):
        # what a broadcast's `here` asks for (see accept); set by the modules that render.
        self.renderers_here: dict[
            str, tuple[Callable[..., dict[str, str]], Callable[[], float]]
        ] = {}
        self._reset(None)

    def add_renderer_here(
        self, name: str, render: Callable[..., dict[str, str]], *, window: Callable[[], float]
    ) -> None:
        """Frames for audiences a broadcast leaves to the processes that hold them: each such
        process renders them for its own sockets, at most once per `window()` seconds a key."""
        self.renderers_here[name] = (render, window)

    def _reset(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.loop = loop
        self.subscribers: dict[str, set[Connection]] = defaultdict(set)
        # key -> how many of its sockets here are of each audience
        self.audiences: dict[str, Counter[str]] = defaultdict(Counter)
        self.by_event: dict[int, set[Connection]] = defaultdict(set)
        self.snapshots: dict[str, tuple[float, dict[str, str]]] = {}
        self.versions: dict[str, int] = defaultdict(int)
        self.revisions: dict[str, int] = {}
        self.outdated = 0
        # event -> the "online now" total last pushed, its rendered frame, and when
        self.online_shown: dict[int, int] = {}
        self.online_frames: dict[int, dict] = {}
        self.online_pushed: dict[int, float] = {}
        # When a change held back by LIVE_ONLINE_PUSH_SECONDS may go out (the tick wakes then).
        self.online_due: float | None = None
        self.joined: dict[int, float] = {}
        self.channel: str | None = None
        self.presence = None
        self._tasks: list[asyncio.Task] = []
        self._wake: asyncio.Event | None = None
        self._start_lock: asyncio.Lock | None = None
        # key -> its fan-out in progress (a newer broadcast overtakes it, see live/fanout.py)
        self._fans: dict[str, FanOut] = {}
        self._has_pending: asyncio.Event | None = None
        # (group, key) -> the newest message not yet published (see _enqueue)
        self._outbox: dict[tuple[str, str], dict] | None = None
        self._outbox_ready: asyncio.Event | None = None
        self.superseded = 0
        # key -> (the broadcast's `here`, merged) still to render; key -> the task rendering it
        self._here_wanted: dict[str, dict] = {}
        self._here_tasks: dict[str, asyncio.Task] = {}

    # -- lifecycle ------------------------------------------------------------------------

    async def _ensure_started(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            # A new event loop (a test, or a server restart in-process): start afresh.
            self._reset(loop)
            self._start_lock = asyncio.Lock()
            self._wake = asyncio.Event()
            self._has_pending = asyncio.Event()
            self._outbox = {}
            self._outbox_ready = asyncio.Event()
        if self.channel is not None:
            return
        async with self._start_lock:
            if self.channel is not None:
                return
            layer = get_channel_layer()
            self.presence = make_presence()
            self.channel = await layer.new_channel()
            self._tasks = [
                loop.create_task(coro)
                for coro in (self._listen(), self._deliver_loop(), self._publish_loop(),
                             self._tick_loop())
            ]  # fmt: skip

    async def stop(self) -> None:
        """Stop this loop's tasks (tests call it; a server process just exits)."""
        tasks = [*self._tasks, *self._here_tasks.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.presence is not None:
            await self.presence.close()
        self._reset(None)

    # -- sockets --------------------------------------------------------------------------

    async def attach(self, conn: Connection) -> None:
        await self._ensure_started()
        for key in conn.keys:
            if conn not in self.subscribers[key]:
                self.subscribers[key].add(conn)
                self.audiences[key][conn.audience] += 1
        self.by_event[conn.event_id].add(conn)
        if conn.event_id not in self.joined:
            self.joined[conn.event_id] = time.monotonic()
            await get_channel_layer().group_add(event_group(conn.event_id), self.channel)
        self._wake.set()

    def detach(self, conn: Connection) -> None:
        for key in conn.keys:
            subs = self.subscribers.get(key)
            if subs is not None and conn in subs:
                subs.discard(conn)
                audiences = self.audiences[key]
                audiences[conn.audience] -= 1
                if audiences[conn.audience] <= 0:
                    del audiences[conn.audience]
                if not subs:
                    del self.subscribers[key]
                    del self.audiences[key]
        conns = self.by_event.get(conn.event_id)
        if conns is not None and conn in conns:
            conns.discard(conn)
            if self._wake is not None:
                self._wake.set()

    def touch(self, conn: Connection) -> None:
        conn.last_seen = time.monotonic()

    # -- state for (re)connects -----------------------------------------------------------

    def snapshot(self, key: str) -> tuple[int, dict[str, str] | None]:
        """The current version of `key` and its last frames, if fresh enough to reuse."""
        version = self.versions[key]
        cached = self.snapshots.get(key)
        if cached and time.monotonic() - cached[0] < _setting("LIVE_SNAPSHOT_SECONDS", 30):
            return version, cached[1]
        return version, None

    def remember(
        self, key: str, frames: dict[str, str], *, version: int, merge: bool = False
    ) -> None:
        """Keep frames rendered for a connect, unless a broadcast overtook the render.
        `merge`: frames of some audiences only, added to the snapshot without renewing its
        age (the rest of it is no newer)."""
        if self.versions[key] != version:
            return
        if not merge:
            self.snapshots[key] = (time.monotonic(), frames)
        elif (cached := self.snapshots.get(key)) is not None:
            self.snapshots[key] = (cached[0], {**cached[1], **frames})

    def online_fragment(self, event_id: int) -> str | None:
        """The "online now" frame the room's screens were last sent (rendered once per push)."""
        message = self.online_frames.get(event_id)
        return message["text"] if message else None

    # -- fan-out --------------------------------------------------------------------------

    def publish_threadsafe(self, group: str, message: dict) -> bool:
        """Hand a layer message to this process's loop without waiting (False: no loop here).

        Called from request and broadcast threads after commit, so they do not wait for a
        fan-out in progress. One publisher task sends them in order, so a newer state never
        overtakes an older one from this process; an older one still waiting is dropped.
        """
        loop = self.loop
        if loop is None or self._outbox is None or loop.is_closed() or not loop.is_running():
            return False
        try:
            if asyncio.get_running_loop() is loop:
                self._enqueue(group, message)
                return True
        except RuntimeError:
            pass
        loop.call_soon_threadsafe(self._enqueue, group, message)
        return True

    def _enqueue(self, group: str, message: dict) -> None:
        """Queue a message to publish; one still waiting for the same key is replaced by it.

        Frames are whole state, so when this process renders faster than it can publish
        (its loop busy writing sockets), only the newest state of a key goes out: a backlog
        here would make every later broadcast late by all of it. A merge (new state for some
        audiences only) is folded into the message it meets, keeping the rest of that one; what
        either leaves to be rendered where its audience is (`here`) is kept too.
        """
        slot = (group, message.get("key", ""))
        waiting = self._outbox.get(slot)
        if waiting is not None:
            if message.get("merge"):
                frames = {**waiting["frames"], **message["frames"]}
                message = {**waiting, "frames": frames, "here": message.get("here")}
            here = merge_here(waiting.get("here"), message.get("here"))
            if here is not None:
                message = {**message, "here": here}
        self._outbox[slot] = message
        self._outbox_ready.set()

    async def _publish_loop(self) -> None:
        layer = get_channel_layer()
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self._outbox:
                slot = next(iter(self._outbox))
                message = self._outbox.pop(slot)
                await self._publish(layer, slot[0], message)

    async def _publish(self, layer, group: str, message: dict) -> None:
        # Once more on failure: after Redis restarts, the first send meets the pooled
        # connection Redis closed and fails; the retry opens a new one (docs/deploy.md).
        for attempt in (1, 2):
            try:
                await layer.group_send(group, message)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                if attempt == 2:
                    logger.exception("live hub: publishing to the channel layer failed")

    async def _listen(self) -> None:
        layer = get_channel_layer()
        while True:
            try:
                message = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live hub: receiving from the channel layer failed")
                await asyncio.sleep(0.5)
                continue
            if message.get("type") == "live.frames":
                self.accept(
                    message["key"],
                    message["frames"],
                    message.get("revision"),
                    merge=bool(message.get("merge")),
                    here=message.get("here"),
                )

    def accept(
        self,
        key: str,
        frames: dict[str, str],
        revision: int | None = None,
        *,
        merge: bool = False,
        here: dict | None = None,
    ) -> None:
        """Take a broadcast: it is the key's state now; write it out as soon as possible.

        Frames are whole state, so if an older broadcast of the same key is still being
        written (the process fell behind), the sockets it has not reached get only the newer
        one (live/fanout.py): every socket still ends on the latest state, never gets an older
        one after a newer, and a slow moment does not snowball into seconds of backlog.

        With several processes, broadcasts can arrive out of commit order: a frame whose
        revision is older than one this hub already took for the key is dropped.

        `merge`: the frames are new state for some audiences only (the dashboard's question
        counts, carried on the counts key): they replace those audiences' frames in the key's
        state, and only sockets of those audiences are written to.

        `here`: audiences whose frames this broadcast leaves to the processes holding them
        (`{"render": name, "event_id": id, "audiences": [...], "detail": bool}`, see
        `add_renderer_here`); rendered here if any of this key's sockets here is of one.
        """
        if revision is not None:
            if revision < self.revisions.get(key, -1):
                self.outdated += 1
                return
            self.revisions[key] = revision
        if here is not None:
            cached = self.snapshots.get(key)
            if cached is not None:
                # What `here` leaves to be rendered is out of date in the snapshot, whether or
                # not this process renders it: a socket connecting meanwhile renders its own.
                blank = dict.fromkeys(here.get("audiences", ()), "")
                self.snapshots[key] = (cached[0], {**cached[1], **blank})
            self._want_here(key, here)
        if merge and not frames:
            return  # only audiences rendered where they are had new state
        self.versions[key] += 1
        fan = self._fans.get(key)
        if merge:
            cached = self.snapshots.get(key)
            if cached is not None:
                self.snapshots[key] = (cached[0], {**cached[1], **frames})
            if fan is not None:
                frames = {**fan.frames, **frames}
        else:
            self.snapshots[key] = (time.monotonic(), frames)
        subscribers = self.subscribers.get(key, ())
        if fan is None:
            self._fans[key] = FanOut(frames, subscribers)
        else:
            # A fan-out of this key is still under way: it goes on with the newer frames.
            fan.supersede(frames, subscribers)
            self.superseded += 1
        self._has_pending.set()

    def _want_here(self, key: str, here: dict) -> None:
        """Render `here` (see accept) for this process's sockets of `key`, if it has any of its
        audiences: after whatever is rendering now, so it shows what is committed by then."""
        present = self.audiences.get(key)
        audiences = [a for a in here.get("audiences", ()) if present and present[a] > 0]
        if not audiences or here.get("render") not in self.renderers_here or self.loop is None:
            return
        wanted = {**here, "audiences": audiences}
        self._here_wanted[key] = merge_here(self._here_wanted.get(key), wanted)
        if key not in self._here_tasks:
            self._here_tasks[key] = self.loop.create_task(self._render_here(key))

    async def _render_here(self, key: str) -> None:
        """Render what broadcasts of `key` left to this process, then merge it in as a
        broadcast would; those arriving meanwhile join the next render, one per window. A
        render that fails is logged and tried once more after the window."""
        me = asyncio.current_task()
        try:
            while (here := self._here_wanted.pop(key, None)) is not None:
                window = 0.0
                try:
                    render, window_of = self.renderers_here[here["render"]]
                    window = window_of()
                    frames = await database_sync_to_async(render)(
                        event_id=here["event_id"],
                        audiences=here["audiences"],
                        detail=bool(here.get("detail", True)),
                    )
                    if frames:
                        self.accept(key, frames, merge=True)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("live hub: rendering frames here failed")
                    if not here.get("retried"):
                        retry = {**here, "retried": True}
                        self._here_wanted[key] = merge_here(retry, self._here_wanted.get(key))
                await asyncio.sleep(window)
        finally:
            # Only its own entry: after a new event loop, the key may have a new task (and an
            # old loop's task may be closed with no loop running).
            if self._here_tasks.get(key) is me:
                del self._here_tasks[key]

    async def _deliver_loop(self) -> None:
        """Write the keys' fan-outs a slice at a time, taking turns between keys (a key that
        changes without pause does not hold up the others), yielding after each slice."""
        while True:
            await self._has_pending.wait()
            self._has_pending.clear()
            busy_since = time.monotonic()
            while self._fans:
                for key, fan in list(self._fans.items()):
                    try:
                        await self._send_slice(key, fan)
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        logger.exception("live hub: fan-out failed")
                        fan.todo.clear()
                    if fan.done and self._fans.get(key) is fan:
                        del self._fans[key]
                    if self._should_pause(busy_since):
                        await asyncio.sleep(FAN_OUT_BREATHER_SECONDS)
                        busy_since = time.monotonic()
                    else:
                        # Let requests, the layer and newer broadcasts in between slices.
                        await asyncio.sleep(0)

    def _should_pause(self, busy_since: float) -> bool:
        return (
            time.monotonic() - busy_since >= FAN_OUT_BUSY_SECONDS
            and requests_in_progress() > 0
            and any(f.overtaken for f in self._fans.values())
        )

    async def _send_slice(self, key: str, fan: FanOut, limit: int = FAN_OUT_SLICE) -> int:
        subscribers = self.subscribers.get(key, ())

        def failed(conn: Connection) -> None:
            logger.warning("live hub: dropping a socket that failed to send", exc_info=True)
            self.detach(conn)

        return await fan.send_slice(limit, alive=subscribers.__contains__, failed=failed)

    async def deliver(self, key: str, frames: dict[str, str]) -> int:
        """Take a broadcast and write it to every local socket of `key` right away."""
        self.versions[key] += 1
        self.snapshots[key] = (time.monotonic(), frames)
        fan, sent = FanOut(frames, self.subscribers.get(key, ())), 0
        while not fan.done:
            sent += await self._send_slice(key, fan)
            if not fan.done:
                await asyncio.sleep(0)
        return sent

    # -- presence -------------------------------------------------------------------------

    async def _tick_loop(self) -> None:
        while True:
            tick = _setting("LIVE_PRESENCE_TICK_SECONDS", 2)
            if self.online_due is not None:
                # A held-back "online now" is due before the next tick: wake for it.
                tick = max(0.0, min(tick, self.online_due - time.monotonic()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=tick)
                # Coalesce a burst of connects into one update.
                await asyncio.sleep(min(tick, _setting("LIVE_PRESENCE_DEBOUNCE_SECONDS", 0.5)))
            self._wake.clear()
            try:
                await self.presence_tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live hub: presence tick failed")

    async def presence_tick(self) -> None:
        ttl = _setting("LIVE_PRESENCE_TTL_SECONDS", 150)
        now = time.monotonic()
        self.online_due = None
        for event_id in list(self.by_event.keys() | self.online_shown.keys()):
            conns = self.by_event.get(event_id, set())
            for conn in [c for c in conns if now - c.last_seen > ttl]:
                # Its heartbeats stopped: the browser is gone (or asleep); stop counting it.
                self.detach(conn)
                with contextlib.suppress(Exception):
                    await conn.send({"type": "websocket.close", "code": CLOSE_HEARTBEAT_TIMEOUT})
            local = sum(1 for c in conns if c.counted)
            total = await self.presence.report(
                event_id=event_id, process_id=self.process_id, count=local, ttl=ttl
            )
            if not local and not self.by_event.get(event_id):
                # Still empty after the report's await (a socket may have attached meanwhile).
                self.by_event.pop(event_id, None)
                self.online_shown.pop(event_id, None)
                self.online_frames.pop(event_id, None)
                self.online_pushed.pop(event_id, None)
                if event_id in self.joined:
                    del self.joined[event_id]
                    await get_channel_layer().group_discard(event_group(event_id), self.channel)
                continue
            if not local:
                continue
            if now - self.joined.get(event_id, now) > 3600:
                # Layer groups expire (channels_redis: a day); renew membership hourly.
                self.joined[event_id] = now
                await get_channel_layer().group_add(event_group(event_id), self.channel)
            if self.online_shown.get(event_id) != total:
                await self._push_online(event_id, total, now)

    async def _push_online(self, event_id: int, total: int, now: float) -> None:
        """Write "online now" to the room's counted screens: one render, one shared message,
        at most once per LIVE_ONLINE_PUSH_SECONDS (a change within that waits for its end;
        only the total then current goes out)."""
        pushed = self.online_pushed.get(event_id)
        if pushed is not None:
            due = pushed + _setting("LIVE_ONLINE_PUSH_SECONDS", ONLINE_PUSH_SECONDS)
            if now < due:
                self.online_due = due if self.online_due is None else min(self.online_due, due)
                return
        text = render_to_string("live/fragments.html#online", {"online": total})
        frame = SharedFrame(text)
        self.online_shown[event_id] = total
        self.online_frames[event_id] = frame.message
        self.online_pushed[event_id] = now
        screens = [c for c in self.by_event.get(event_id, ()) if c.counted]
        for start in range(0, len(screens), FAN_OUT_SLICE):
            if start:
                # Let requests and broadcasts in between slices, as a fan-out does.
                await asyncio.sleep(0)
            for conn in screens[start : start + FAN_OUT_SLICE]:
                with contextlib.suppress(Exception):
                    await conn.send_shared(frame)


def merge_here(first: dict | None, second: dict | None) -> dict | None:
    """Two broadcasts' `here` as one render: every audience of either, with detail if either
    asked for it."""
    if first is None or second is None:
        return second if first is None else first
    audiences = list(dict.fromkeys([*first["audiences"], *second["audiences"]]))
    detail = bool(first.get("detail", True) or second.get("detail", True))
    return {**second, "audiences": audiences, "detail": detail}


hub = Hub()
