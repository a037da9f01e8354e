"""Render a change once, then hand it to every process's hub through the channel layer.

Services call `*_changed` from `transaction.on_commit`. Each call renders the fragments for
each audience (public and organiser, each sorted by votes and by newest, and the presenter)
exactly once, from the same partials the pages use, and sends one layer message to the
event's group, which holds one channel per server process (see live/hub.py). In a server
(LIVE_BROADCAST_IN_BACKGROUND) the Q&A, counts and poll results are rendered by a worker
thread, not the request that committed, and changes made during a render join the next one
(live/coalesce.py).
"""

import time
from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from meetups.models import Event
from portal import observability
from rsvp.selectors import event_attendance_counts

from . import qa_items, selectors
from .coalesce import Coalescer
from .hub import hub
from .topics import counts_key, event_group, follow_key, qa_key, stage_key

PRESENTER_TOP = 5


def qa_url(event: Event) -> str:
    """The event's questions URL; each question's vote and moderation URLs extend it."""
    return reverse("live:question_create", kwargs={"slug": event.slug})


def _stamp() -> str:
    # Identifies one broadcast in its frames (the benchmark and debugging use it).
    return str(time.time_ns())


def publish(
    *,
    event_id: int,
    key: str,
    frames: dict[str, str],
    revision: int | None = None,
    merge: bool = False,
    here: dict | None = None,
) -> None:
    """One layer message to the event's group: one per process that has sockets for it.
    `merge`: new state for the audiences in `frames` only; `here`: audiences each process
    renders for its own sockets (see Hub.accept)."""
    layer = get_channel_layer()
    if layer is None:
        return
    group = event_group(event_id)
    message = {"type": "live.frames", "key": key, "frames": frames, "revision": revision}
    if merge:
        message["merge"] = True
    if here is not None:
        message["here"] = here
    observability.broadcast_sent(key)
    # In a server process the hub's loop sends it without this request waiting for it; a
    # process with no sockets (a worker, a shell) sends it here.
    if not hub.publish_threadsafe(group, message):
        async_to_sync(layer.group_send)(group, message)


def render_qa_frames(
    *, event: Event, talk_id: int | None, stamp: str = "", room: selectors.Room | None = None
) -> dict[str, str]:
    """The Q&A lists of one scope for every audience and sort order, with the scope's title
    (a page that follows the stage shows whichever talk's Q&A it was last sent). `room`: the
    live state already read for this broadcast."""
    room = room or selectors.live_room(event_id=event.pk)
    questions = selectors.qa_questions(event_id=event.pk, talk_id=talk_id)
    pinned_id = room.pinned_question_id
    read_only = selectors.qa_is_read_only(event=event)
    talk = selectors.talk_of_event(event=event, talk_id=talk_id) if talk_id else None
    base = {
        "event": event,
        "talk": talk,
        "qa_url": qa_url(event),
        "read_only": read_only,
        "voting_open": not read_only,
        "my_votes": frozenset(),
        "stamp": stamp,
        "pinned_id": pinned_id,
    }
    states = {sort: selectors.qa_state(questions=questions, sort=sort) for sort in selectors.SORTS}
    frames = {
        "presenter": render_to_string(
            "live/fragments.html#presenter_frame",
            {
                **base,
                "top": [q for q in states["top"].open if q.pk != pinned_id][:PRESENTER_TOP],
                "audience": "presenter",
            },
        )
    }
    open_ids = {q.pk for q in states["top"].open}
    for audience in ("public", "organiser"):
        # Each question's markup per audience, shared by both sort orders and rendered only
        # when that question changed (live/qa_items.py).
        for question in questions:
            can_vote = not read_only and question.pk in open_ids
            question.item_html = qa_items.question_item(
                question, {**base, "can_vote": can_vote, "audience": audience}
            )
        for sort, qa in states.items():
            frames[f"{audience}:{sort}"] = render_to_string(
                "live/fragments.html#qa_frame",
                {**base, "qa": qa, "sort": sort, "audience": audience},
            )
    return frames


def render_stage_frames(*, event: Event, stamp: str = "") -> dict[str, str]:
    """The stage (current talk, pinned question) and whether the Q&A takes questions, for
    each audience: the live page's heading and notice, the presenter's stage, and the
    dashboard's stage card alone (it has no heading of ours: every id pushed must exist)."""
    state = selectors.live_state_get(event=event)
    context = {
        "event": event,
        "live": state,
        "stamp": stamp,
        "qa_url": qa_url(event),
        "read_only": selectors.qa_is_read_only(event=event),
        "running": selectors.event_is_running(event=event),
    }
    status = render_to_string("live/fragments.html#live_status", context)
    organiser = render_to_string("live/fragments.html#stage", {**context, "audience": "organiser"})
    return {
        "public": render_to_string("live/fragments.html#stage", {**context, "audience": "public"})
        + status,
        "organiser": organiser + status,
        "dashboard": organiser,
        "presenter": render_to_string("live/fragments.html#presenter_stage", context),
        "event": render_to_string("live/fragments.html#event_live", context),  # event pages
    }


# Fragments other apps add to the counts for an audience of their own (the organiser dashboard
# adds its RSVP and door panels for "dashboard" sockets): audience -> render(event_id=,
# detail=) -> html, "" for nothing. A broadcast does not render them: it carries an empty frame
# for each such audience (its sockets get nothing of live's counts, whose ids are not on their
# page) and leaves them to the processes that hold such a socket (Hub.add_renderer_here), so an
# RSVP rush with no dashboard open renders none. `detail` is False where an extra should skip
# its costly parts (a socket's connect, or a change that cannot have moved them): the chart.
_counts_extras: dict[str, Callable[..., str]] = {}


def add_counts_extra(audience: str, render: Callable[..., str]) -> None:
    _counts_extras[audience] = render


def render_counts_extras(
    *, event_id: int, audiences: Iterable[str], detail: bool = True
) -> dict[str, str]:
    return {
        audience: _counts_extras[audience](event_id=event_id, detail=detail)
        for audience in audiences
        if audience in _counts_extras
    }


hub.add_renderer_here(
    "counts", render_counts_extras, window=lambda: settings.LIVE_COUNTS_COALESCE_SECONDS
)


def render_counts_frames(*, event_id: int, stamp: str = "") -> dict[str, str]:
    """Live's counts for everyone; each extra audience's frame empty, to be rendered where
    its sockets are (`counts_here`)."""
    counts = event_attendance_counts(event_id=event_id)
    everyone = render_to_string("live/fragments.html#counts", {"counts": counts, "stamp": stamp})
    # The projector shows no counts (and has no #live-counts for htmx to swap).
    return {"*": everyone, "presenter": ""} | dict.fromkeys(_counts_extras, "")


def counts_extras_missing(frames: dict[str, str], audience: str) -> bool:
    """True if `frames` (the counts') lack this extra audience's own frame, not rendered yet."""
    return audience in _counts_extras and not frames.get(audience)


def counts_here(event_id: int, detail: bool) -> dict | None:
    """The counts' `here` (Hub.accept): their extras, for the processes that show them."""
    if not _counts_extras:
        return None
    return {"render": "counts", "event_id": event_id, "audiences": [*_counts_extras],
            "detail": detail}  # fmt: skip


def in_background() -> bool:
    return bool(settings.LIVE_BROADCAST_IN_BACKGROUND)


def _send_qa(key: tuple[int, int | None], detail: bool) -> None:
    event_id, talk_id = key
    stamp = _stamp()
    room = selectors.live_room(event_id=event_id)
    event = selectors.event_for_broadcast(event_id=event_id)
    frames = render_qa_frames(event=event, talk_id=talk_id, stamp=stamp, room=room)
    revision = room.revision
    publish(event_id=event_id, key=qa_key(event_id, talk_id), frames=frames, revision=revision)
    if room.current_talk_id == talk_id:
        publish(event_id=event_id, key=follow_key(event_id), frames=frames, revision=revision)


# A burst of votes on one Q&A: renders run back to back in the background, each showing every
# vote committed before it began, instead of one render per vote in the voter's request.
_qa = Coalescer(_send_qa, window=lambda: 0, background=in_background)


def qa_changed(*, event_id: int, talk_id: int | None) -> None:
    """Broadcast one Q&A's whole current state to everyone watching it (rendered once; also
    to the pages that follow the stage when this is the Q&A on stage). In a server, from a
    worker thread once the one in progress is done (live/coalesce.py)."""
    _qa.request((event_id, talk_id))


def stage_changed(*, event_id: int, talk_switched: bool = False) -> None:
    """Broadcast the current talk, the pinned question and whether questions are taken;
    after a talk switch, also the new talk's Q&A to the pages that follow the stage."""
    stamp = _stamp()
    room = selectors.live_room(event_id=event_id)
    revision = room.revision
    event = Event.objects.get(pk=event_id)
    frames = render_stage_frames(event=event, stamp=stamp)
    publish(event_id=event_id, key=stage_key(event_id), frames=frames, revision=revision)
    if talk_switched:
        qa = render_qa_frames(event=event, talk_id=room.current_talk_id, stamp=stamp, room=room)
        publish(event_id=event_id, key=follow_key(event_id), frames=qa, revision=revision)


def _send_counts(event_id: int, detail: bool) -> None:
    publish(
        event_id=event_id,
        key=counts_key(event_id),
        frames=render_counts_frames(event_id=event_id, stamp=_stamp()),
        here=counts_here(event_id, detail),
    )


def question_counts_changed(*, event_id: int) -> None:
    """Questions were asked or moderated: the counts extras (the organiser dashboard's "asked",
    "answered", its summary) are re-rendered for their own audiences only, where those are;
    live's counts did not change, so the room's sockets get nothing."""
    here = counts_here(event_id, detail=False)
    if here is not None:
        publish(event_id=event_id, key=counts_key(event_id), frames={}, merge=True, here=here)


# A rush of RSVPs for one event becomes a few counts broadcasts a second, not one per RSVP.
_counts = Coalescer(
    _send_counts, window=lambda: settings.LIVE_COUNTS_COALESCE_SECONDS, background=in_background
)


def counts_changed(*, event_id: int, detail: bool = True) -> None:
    """Broadcast going / checked-in counts (sent when the RSVP app says attendance changed):
    at once, or when changes come faster than LIVE_COUNTS_COALESCE_SECONDS, once at the end
    of that window for all of them (live/coalesce.py)."""
    _counts.request(event_id, detail=detail)
