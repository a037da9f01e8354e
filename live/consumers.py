"""The live websocket: validates who and what, registers with the hub, sends full state.

It only pushes. Writes go over HTTP; the only thing a client sends is a small JSON heartbeat
(`{"type": "heartbeat", ...}` from the htmx ws extension's `ws-send`). Anything else — not
JSON, not an object, binary, or bigger than LIVE_MAX_FRAME_BYTES — closes this one socket with
a 4xxx code and leaves everyone else alone. Nothing here raises into the server (which would
close with 1011).
"""

import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from meetups.models import Event, Talk
from meetups.rules import is_group_organiser

from . import broadcast, selectors
from .hub import Connection, counts_key, hub, qa_key, stage_key

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_MALFORMED = 4400
CLOSE_BINARY = 4415
CLOSE_TOO_BIG = 4009
MAX_QUERY_STRING = 200


def max_frame_bytes() -> int:
    return int(getattr(settings, "LIVE_MAX_FRAME_BYTES", 4096))


class LiveConsumer(AsyncWebsocketConsumer):
    # Deliberately no channel layer per consumer: the hub holds one per process (live/hub.py).
    channel_layer_alias = "live-consumers-use-the-hub"

    connection: Connection | None = None

    async def connect(self) -> None:
        try:
            params = await self._validate()
        except Exception:
            logger.exception("live socket: validating the connection failed")
            params = None
        if params is None:
            # Refuse before accepting: the handshake answers 403; nothing is registered.
            await self.close(code=CLOSE_NOT_FOUND)
            return
        event_id, talk_id, audience, sort = params
        await self.accept()
        self.connection = Connection(
            send=self.base_send,
            event_id=event_id,
            keys=(stage_key(event_id), counts_key(event_id), qa_key(event_id, talk_id)),
            audience=audience,
            sort=sort,
        )
        # Register first, then send the state: a broadcast that lands in between is newer than
        # nothing and the state sent after it is at least as new.
        await hub.attach(self.connection)
        await self._send_full_state(event_id, talk_id)

    async def _validate(self) -> tuple[int, int | None, str, str] | None:
        event_id = self.scope["url_route"]["kwargs"]["event_id"]
        raw = self.scope.get("query_string", b"")
        if len(raw) > MAX_QUERY_STRING:
            return None
        query = parse_qs(raw.decode("ascii", "replace"))
        scope_value = (query.get("qa") or ["event"])[0]
        sort = (query.get("sort") or ["top"])[0]
        view = (query.get("view") or ["live"])[0]
        if sort not in selectors.SORTS or view not in ("live", "presenter", "dashboard"):
            return None
        if scope_value == "event":
            talk_id = None
        elif scope_value.isdigit():
            talk_id = int(scope_value)
        else:
            return None
        found = await self._lookup(event_id, talk_id)
        if found is None:
            return None
        organiser = found
        if view == "dashboard" and not organiser:
            return None
        if view in ("presenter", "dashboard"):
            audience = view
        else:
            audience = "organiser" if organiser else "public"
        return event_id, talk_id, audience, sort

    @database_sync_to_async
    def _lookup(self, event_id: int, talk_id: int | None) -> bool | None:
        """None if the event (or talk) is not there for this user; else whether an organiser."""
        event = Event.objects.select_related("group").filter(pk=event_id).first()
        if event is None:
            return None
        user = self.scope.get("user")
        organiser = bool(user is not None and is_group_organiser(user, event))
        if event.status == Event.Status.DRAFT and not organiser:
            return None
        if talk_id is not None and not Talk.objects.filter(pk=talk_id, event=event).exists():
            return None
        return organiser

    async def _send_full_state(self, event_id: int, talk_id: int | None) -> None:
        conn = self.connection
        parts = []
        for key, render in (
            (stage_key(event_id), "stage"),
            (counts_key(event_id), "counts"),
            (qa_key(event_id, talk_id), "qa"),
        ):
            version, frames = hub.snapshot(key)
            if frames is None:
                frames = await self._render(render, event_id, talk_id)
                hub.remember(key, frames, version=version)
            text = conn.frame_from(frames)
            if text:
                parts.append(text)
        online = hub.online_fragment(event_id)
        if online:
            parts.append(online)
        await self.send(text_data="".join(parts))

    @database_sync_to_async
    def _render(self, what: str, event_id: int, talk_id: int | None) -> dict[str, str]:
        if what == "counts":
            return broadcast.render_counts_frames(event_id=event_id, detail=False)
        event = Event.objects.get(pk=event_id)
        if what == "stage":
            return broadcast.render_stage_frames(event=event)
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
            hub.detach(self.connection)
            self.connection = None
