"""The live websocket: validates who and what, registers with the hub, sends full state.

It only pushes. Writes go over HTTP; the only thing a client sends is a small JSON heartbeat
(`{"type": "heartbeat", ...}` from the htmx ws extension's `ws-send`). Anything else — not
JSON, not an object, binary, or bigger than LIVE_MAX_FRAME_BYTES — closes this one socket with
a 4xxx code and leaves everyone else alone. Nothing here raises into the server (which would
close with 1011).
"""

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from meetups.models import Event
from portal import observability
from portal.errors import ServiceError, not_found
from portal.numbers import parse_id
from portal.shared_frames import direct_writer

from . import broadcast, poll_broadcast, selectors
from .hub import hub
from .rules import can_moderate, can_present
from .topics import (
    Connection,
    counts_key,
    follow_key,
    poll_results_key,
    polls_key,
    qa_key,
    stage_key,
)

logger = logging.getLogger(__name__)

# A refused handshake closes with the refusal's own code (portal.errors: 4000 + its status, so
# 4404 for a room this person may not see); these are for frames that break the protocol.
CLOSE_MALFORMED = 4400
CLOSE_BINARY = 4415
CLOSE_TOO_BIG = 4009
MAX_QUERY_STRING = 200
# `?qa=stage`: the Q&A of whatever is on stage, moving with it (see hub.follow_key).
FOLLOW = "stage"


def max_frame_bytes() -> int:
    return int(getattr(settings, "LIVE_MAX_FRAME_BYTES", 4096))


# -- cheap connects ------------------------------------------------------------------------
# After a restart or a Wi-Fi blip thousands of anonymous screens connect within seconds. Each
# used to ask the database whether the event is public and, while the hub had no frames, to
# render the room's state itself. Now a connect whose answer this process already knows asks
# nothing, and one render per key serves every connect waiting for it.


@dataclass(frozen=True)
class _PublicRoom:
    """An event found public (not a draft) while this process's hub was in its group."""

    versions: dict  # the hub's per-key versions (a reset hub has a new dict)
    stage_version: int
    joined: float
    checked: float


# event id -> what a database check found; valid while nothing could have changed unseen.
_public_rooms: dict[int, _PublicRoom] = {}


# The audience of someone not signed in, by view, once the event is public (`live.rules`:
# nobody signed out may present or moderate, so the other views are refused by the database
# check as before).
ANONYMOUS_AUDIENCES = {"live": "public", "event": "event"}


def _anonymous_audience(user, talk_id, view: str) -> str | None:
    """The audience of a connect whose rules depend only on whether the event is public:
    nobody signed in, the room's own Q&A (a chosen talk is checked in the database)."""
    if user.is_authenticated or talk_id not in (None, FOLLOW):
        return None
    return ANONYMOUS_AUDIENCES.get(view)


def _known_public(event_id: int) -> bool:
    """This process knows the event is public right now without asking the database.

    Saving an event broadcasts its stage to every process's hub (live.signals), which bumps
    the key's version; a hub sees that only while it is in the event's layer group, so the
    answer holds while the hub has stayed in the group, with the same stage version, since
    before the check. A bound on age (LIVE_SNAPSHOT_SECONDS, as the hub's snapshots) covers a
    deletion, which broadcasts nothing."""
    room = _public_rooms.get(event_id)
    if room is None:
        return False
    fresh = time.monotonic() - room.checked < float(getattr(settings, "LIVE_SNAPSHOT_SECONDS", 30))
    if (
        fresh
        and room.versions is hub.versions
        and hub.versions.get(stage_key(event_id), 0) == room.stage_version
        and hub.joined.get(event_id) == room.joined
    ):
        return True
    _public_rooms.pop(event_id, None)
    return False


def _remember_public(event_id: int, *, stage_version: int, checked: float) -> None:
    """Called after a database check found the event public: keep the answer only if the hub
    was already in the event's group when the check began and no stage broadcast came since."""
    joined = hub.joined.get(event_id)
    if (
        joined is not None
        and joined <= checked
        and hub.versions.get(stage_key(event_id), 0) == stage_version
    ):
        _public_rooms[event_id] = _PublicRoom(hub.versions, stage_version, joined, checked)


# loop -> key -> work in progress that every connect needing it shares (a task belongs to one
# event loop).
_in_progress: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _shared(key: tuple, make: Callable[[], Awaitable], done: Callable | None = None):
    """Await `make()` once for every connect that asks for `key` while it runs; `done(result)`
    when it succeeds. A task of its own: when the connect that started it goes (daphne
    cancels a handshake's application once its socket has been closed for 10 s), the others
    still get the result, and do not end cancelled with their sockets open and stateless."""
    loop = asyncio.get_running_loop()
    table = _in_progress.setdefault(loop, {})
    task = table.get(key)
    if task is None:
        task = table[key] = loop.create_task(make())

        def finished(task: asyncio.Task) -> None:
            if table.get(key) is task:
                del table[key]
            if not task.cancelled() and task.exception() is None and done is not None:
                done(task.result())

        task.add_done_callback(finished)
    return asyncio.shield(task)


class LiveConsumer(AsyncWebsocketConsumer):
    connection: Connection | None = None
    # (stage version, time) of a database check that found the event public for anyone.
    _public_check: tuple[int, float] | None = None

    async def connect(self) -> None:
        try:
            event_id, talk_id, audience, sort = await self._validate()
        except ServiceError as error:
            await self._refuse_handshake(error)
            return
        except Exception:
            logger.exception("live socket: validating the connection failed")
            # Tell no more about a failure than about a room that is not there.
            await self._refuse_handshake(not_found())
            return
        await self.accept()
        self.connection = Connection(
            send=self.base_send,
            write_direct=direct_writer(self.base_send),
            event_id=event_id,
            keys=(
                stage_key(event_id),
                counts_key(event_id),
                self._qa_key(event_id, talk_id),
                polls_key(event_id),
                poll_results_key(event_id),
            )
            if audience != "event"
            else (stage_key(event_id),),  # the event page shows only the stage's #event-live
            audience=audience,
            sort=sort,
            counted=audience != "event",
        )
        observability.websocket_opened()
        # Register first, then send the state: a broadcast that lands in between is newer than
        # nothing and the state sent after it is at least as new.
        await hub.attach(self.connection)
        if self._public_check is not None:
            stage_version, checked = self._public_check
            _remember_public(event_id, stage_version=stage_version, checked=checked)
        await self._send_full_state(event_id, talk_id)

    async def __call__(self, scope, receive, send) -> None:
        """Channels' `AsyncConsumer.__call__` for a consumer with no channel layer, awaiting
        `receive` itself: Channels' `await_many_dispatch` makes a task and an `asyncio.wait`
        for every message, which for 10,000 screens' heartbeats is a measurable share of a
        core (docs/benchmarks.md, "The heartbeat's own path")."""
        self.scope = scope
        # Deliberately no channel layer per consumer: the hub holds one per process (hub.py).
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch without its `aclose_old_connections()` before every message: a
        hop into the one thread that runs the ORM (thread-sensitive sync_to_async), for each
        connect, heartbeat and disconnect, queued behind every render and check of a storm.
        This consumer reaches the database only through `database_sync_to_async`, which
        closes stale connections in that thread before and after each call."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict) -> None:
        # Channels' handler, without the same hop (this consumer joins no layer groups).
        await self.disconnect(message["code"])
        raise StopConsumer

    @staticmethod
    def _qa_key(event_id: int, talk_id: int | str | None) -> str:
        return follow_key(event_id) if talk_id == FOLLOW else qa_key(event_id, talk_id)

    async def _refuse_handshake(self, error: ServiceError) -> None:
        # Before accepting: the handshake answers 403 and nothing is registered.
        await self.close(code=error.close_code)

    async def _validate(self) -> tuple[int, int | str | None, str, str]:
        """(event id, talk id or FOLLOW, audience, sort); a ServiceError for a socket the URL
        does not name (a room, a Q&A, a view that is not there, for this person: NOT_FOUND)."""
        event_id = self.scope["url_route"]["kwargs"]["event_id"]
        raw = self.scope.get("query_string", b"")
        if len(raw) > MAX_QUERY_STRING:
            raise not_found("No such live room.")
        query = parse_qs(raw.decode("ascii", "replace"))
        scope_value = (query.get("qa") or ["event"])[0]
        sort = (query.get("sort") or ["top"])[0]
        view = (query.get("view") or ["live"])[0]
        if sort not in selectors.SORTS or view not in ("live", "presenter", "dashboard", "event"):
            raise not_found("No such view.")
        if scope_value == FOLLOW:
            talk_id = FOLLOW
        else:
            talk_id = None if scope_value == "event" else parse_id(scope_value)
        if talk_id is None and scope_value != "event":
            raise not_found("No such Q&A.")
        user = self.scope.get("user") or AnonymousUser()
        anonymous = _anonymous_audience(user, talk_id, view)
        if anonymous and _known_public(event_id):
            return event_id, talk_id, anonymous, sort
        if not anonymous:
            return event_id, talk_id, await self._audience(event_id, talk_id, view), sort
        # After a drop the hub has left the room's group, so every screen coming back asks;
        # thousands of checks queued in the one ORM thread outlast daphne's 5 s handshake
        # timeout. Anonymous screens of one view ask the same question: asked once at a time.
        audience, started = await _shared(
            ("public", event_id, view), partial(self._anonymous_check, event_id, talk_id, view)
        )
        if audience == anonymous:
            self._public_check = started
        return event_id, talk_id, audience, sort

    async def _anonymous_check(self, event_id: int, talk_id, view: str):
        """The audience of a signed-out screen, with (stage version, time) from before it was
        asked (see `_remember_public`)."""
        started = hub.versions.get(stage_key(event_id), 0), time.monotonic()
        return await self._audience(event_id, talk_id, view), started

    @database_sync_to_async
    def _audience(self, event_id: int, talk_id: int | str | None, view: str) -> str:
        """Which frames this person gets, by the live rules (`live.rules`): the organiser's
        (moderation lists, who asked anonymously) only for those who may moderate."""
        user = self.scope.get("user") or AnonymousUser()
        event = selectors.event_get_live_by_id(event_id=event_id, user=user)
        chosen = talk_id not in (None, FOLLOW)
        if chosen and not selectors.talk_is_at_event(event=event, talk_id=talk_id):
            raise not_found("No such talk at this event.")
        if view == "event":
            # The event page: only the stage's "Live now" slot (#event-live); not in "online now".
            return "event"
        if view == "presenter":
            if not can_present(user, event):
                raise not_found("No event found.")
            return "presenter"
        if view == "dashboard":
            # The organiser's dashboard (organise/) runs the room: the moderators' rule.
            if not can_moderate(user, event):
                raise not_found("No event found.")
            return "dashboard"
        return "organiser" if can_moderate(user, event) else "public"

    async def _send_full_state(self, event_id: int, talk_id: int | str | None) -> None:
        conn = self.connection
        renders = {
            key: render
            for key, render in (
                (stage_key(event_id), "stage"),
                (counts_key(event_id), "counts"),
                (self._qa_key(event_id, talk_id), "qa"),
                # The polls panel, then its results (an empty frame while no poll was opened).
                (polls_key(event_id), "polls"),
                (poll_results_key(event_id), "poll_results"),
            )
            if key in conn.keys
        }
        gathered = {
            key: await self._current(key, r, event_id, talk_id) for key, r in renders.items()
        }
        # A broadcast that landed while the state was gathered was written to this socket
        # already (it was attached first): send its state, never the older one after it.
        for _ in range(3):
            moved = [key for key, (version, _) in gathered.items() if hub.versions[key] != version]
            if not moved:
                break
            for key in moved:
                version, frames = hub.snapshot(key)
                if frames is None:  # no fresh snapshot to take it from: gather it again
                    version, frames = await self._current(key, renders[key], event_id, talk_id)
                gathered[key] = (version, frames)
        parts = []
        for _version, frames in gathered.values():
            text = conn.frame_from(frames)
            if text:
                parts.append(text)
        online = hub.online_fragment(event_id)
        if online and conn.counted:
            parts.append(online)
        try:
            await self.send(text_data="".join(parts))
        except Exception as error:
            # Gone before its state went out (in a storm, daphne gives up on a handshake it
            # could not finish in 5 s): its disconnect follows. One line, not the traceback
            # the server would format for each of hundreds of them.
            logger.info("live socket: closed before its state was sent (%r)", error)
            hub.detach(conn)

    async def _current(
        self, key: str, render: str, event_id: int, talk_id
    ) -> tuple[int, dict[str, str]]:
        """The key's version and frames: the hub's, or rendered once for every connect that
        needs them meanwhile (a storm of reconnects after a restart finds the hub empty)."""
        version, frames = hub.snapshot(key)
        if frames is None:
            # FOLLOW renders the talk on stage: the same frames for every socket of that key.
            frames = await _shared(
                ("render", key),
                partial(self._render, render, event_id, talk_id),
                lambda frames: hub.remember(key, frames, version=version),
            )
        audience = self.connection.audience
        if render == "counts" and broadcast.counts_extras_missing(frames, audience):
            # A dashboard's own panels: not rendered in this process since the last change (no
            # dashboard was here). Rendered now, this socket being attached, so they show at
            # least what is committed now (a counts render shared with an earlier connect may
            # be older); kept for the next dashboard unless a broadcast overtook them.
            extra = await database_sync_to_async(broadcast.render_counts_extras)(
                event_id=event_id, audiences=[audience], detail=False
            )
            frames = frames | extra
            hub.remember(key, extra, version=version, merge=True)
        return version, frames

    @database_sync_to_async
    def _render(self, what: str, event_id: int, talk_id: int | str | None) -> dict[str, str]:
        if what == "counts":
            return broadcast.render_counts_frames(event_id=event_id)
        event = Event.objects.get(pk=event_id)
        if what == "stage":
            return broadcast.render_stage_frames(event=event)
        if what == "polls":
            return poll_broadcast.render_poll_frames(event=event)
        if what == "poll_results":
            return poll_broadcast.render_poll_result_frames(event=event)
        if talk_id == FOLLOW:
            # One room read tells the talk on stage and serves the render, as in a broadcast.
            room = selectors.live_room(event_id=event_id)
            return broadcast.render_qa_frames(event=event, talk_id=room.current_talk_id, room=room)
        return broadcast.render_qa_frames(event=event, talk_id=talk_id)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.connection is None:
            return
        if bytes_data is not None:
            await self._refuse(CLOSE_BINARY)
            return
        if text_data is None or len(text_data.encode("utf-8")) > max_frame_bytes():
            await self._refuse(CLOSE_TOO_BIG if text_data else CLOSE_MALFORMED)
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self._refuse(CLOSE_MALFORMED)
            return
        if not isinstance(message, dict) or message.get("type") != "heartbeat":
            await self._refuse(CLOSE_MALFORMED)
            return
        hub.touch(self.connection)

    async def _refuse(self, code: int) -> None:
        hub.detach(self.connection)
        await self.close(code=code)

    async def disconnect(self, code) -> None:
        if self.connection is not None:
            observability.websocket_closed()
            hub.detach(self.connection)
            self.connection = None
