"""The room's polls on the live app's one-render broadcast (live/broadcast.py, live/hub.py).

Two keys per event, each carrying whole current state:

- `polls:<event>` — the polls panel (open polls with their answer forms, the latest closed
  ones), sent at once when a poll opens, closes or is revealed;
- `pollresults:<event>` — the results of the polls on that panel, sent on every ballot but
  coalesced like the counts (at most one broadcast per LIVE_POLL_COALESCE_SECONDS per event,
  and always one after the last ballot).

The panel is not re-sent on a ballot, so a person choosing an answer keeps their choice while
results move. Each is rendered once per audience: "public" (and any page of the room),
"organiser" (and the dashboard, which extends it) and "presenter". Results a poll keeps for its
reveal are rendered for organisers only; the public and presenter frames carry the number of
people who answered and nothing about the options.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from meetups.models import Event

from . import poll_selectors, selectors
from .broadcast import _stamp, in_background, publish
from .coalesce import Coalescer
from .models import Poll
from .topics import poll_results_key, polls_key

ROOM_AUDIENCES = ("public", "organiser")


def polls_url(event: Event) -> str:
    """The event's polls URL; each poll's vote and action URLs extend it (as live/urls.py)."""
    return reverse("live:poll_manage", kwargs={"slug": event.slug})


def presenter_polls(polls: list[Poll]) -> list[Poll]:
    return polls[: poll_selectors.PRESENTER_POLLS]


def _context(event: Event, polls: list[Poll], stamp: str) -> dict:
    return {
        "event": event,
        "polls": polls,
        "polls_url": polls_url(event),
        "read_only": selectors.qa_is_read_only(event=event),
        "stamp": stamp,
    }


def render_poll_frames(*, event: Event, stamp: str = "") -> dict[str, str]:
    """The polls panel for each audience; empty frames (nothing sent) while no poll was
    ever opened, so the room's pages need no panel before the first poll."""
    polls = poll_selectors.room_polls(event_id=event.pk)
    if not polls:
        return {"*": ""}
    base = _context(event, poll_selectors.mark_my_choices(polls, {}), stamp)
    frames = {
        audience: render_to_string(
            "live/polls.html#polls_panel", {**base, "audience": audience, "oob": True}
        )
        for audience in ROOM_AUDIENCES
    }
    frames["presenter"] = render_to_string(
        "live/polls.html#presenter_polls",
        {**base, "polls": presenter_polls(polls), "audience": "presenter", "oob": True},
    )
    return frames


def render_poll_result_frames(*, event: Event, stamp: str = "") -> dict[str, str]:
    """The results of the panel's polls for each audience, as out-of-band swaps by id."""
    polls = poll_selectors.room_polls(event_id=event.pk)
    if not polls:
        return {"*": ""}
    base = _context(event, polls, stamp)

    def results(audience: str, shown: list[Poll]) -> str:
        return "".join(
            render_to_string(
                "live/polls.html#poll_results_oob", {**base, "poll": poll, "audience": audience}
            )
            for poll in shown
        )

    frames = {audience: results(audience, polls) for audience in ROOM_AUDIENCES}
    frames["presenter"] = results("presenter", presenter_polls(polls))
    return frames


def polls_changed(*, event_id: int) -> None:
    """A poll opened, closed or was revealed: the panel and the results, to everyone, at once
    (the results too, so that a socket connecting next gets both from the same moment)."""
    stamp = _stamp()
    revision = selectors.live_revision(event_id=event_id)
    event = Event.objects.get(pk=event_id)
    frames = render_poll_frames(event=event, stamp=stamp)
    publish(event_id=event_id, key=polls_key(event_id), frames=frames, revision=revision)
    results = render_poll_result_frames(event=event, stamp=stamp)
    publish(event_id=event_id, key=poll_results_key(event_id), frames=results, revision=revision)


def _send_results(event_id: int, detail: bool) -> None:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return
    frames = render_poll_result_frames(event=event, stamp=_stamp())
    publish(event_id=event_id, key=poll_results_key(event_id), frames=frames)


# A rush of ballots becomes a few results broadcasts a second, not one per ballot.
_results = Coalescer(
    _send_results, window=lambda: settings.LIVE_POLL_COALESCE_SECONDS, background=in_background
)


def poll_results_changed(*, event_id: int) -> None:
    """Someone answered or changed their answer: the results, at once or (when ballots come
    faster than LIVE_POLL_COALESCE_SECONDS) once at the end of that window for all of them."""
    _results.request(event_id)
