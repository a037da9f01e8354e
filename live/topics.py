"""What a live socket listens to and who it is: the topic keys the hub files sockets and
frames under, the channel-layer group of an event, and a socket's `Connection` (its audience
picks its frame of each broadcast). Shared by the hub, the consumer and the broadcasts."""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from portal.shared_frames import SharedFrame, Writer


def event_group(event_id: int) -> str:
    return f"live.event.{int(event_id)}"


def stage_key(event_id: int) -> str:
    return f"stage:{int(event_id)}"


def counts_key(event_id: int) -> str:
    return f"counts:{int(event_id)}"


def qa_key(event_id: int, talk_id: int | None) -> str:
    return f"qa:{int(event_id)}:{'event' if talk_id is None else int(talk_id)}"


def follow_key(event_id: int) -> str:
    """The Q&A of whatever is on stage (a talk, or the event between talks): pages opened
    without choosing a Q&A follow the stage, so a talk switch brings them the new talk's."""
    return f"qa:{int(event_id)}:stage"


def polls_key(event_id: int) -> str:
    """The room's polls: which are open or recently closed, with their questions and options."""
    return f"polls:{int(event_id)}"


def poll_results_key(event_id: int) -> str:
    """The results of the room's polls (coalesced during a voting rush, as the counts are)."""
    return f"pollresults:{int(event_id)}"


# An organiser's dashboard socket gets the organiser frames of every key, plus, where a
# broadcast carries one, a "dashboard" frame of its own (the counts with the RSVP panels).
AUDIENCE_EXTENDS = {"dashboard": ("organiser",)}


@dataclass(eq=False)
class Connection:
    send: Callable[[dict], Awaitable[None]]
    event_id: int
    keys: tuple[str, ...]
    audience: str
    sort: str = "top"
    last_seen: float = field(default_factory=time.monotonic)
    # Shown in "online now" (an event page's socket, waiting for live mode, is not).
    counted: bool = True
    # Writes a frame shared with other sockets without ASGI, where the server allows it.
    write_direct: Writer | None = None

    @property
    def variant(self) -> str:
        return f"{self.audience}:{self.sort}"

    async def send_shared(self, frame: SharedFrame) -> None:
        """Write a frame that other sockets get too: framed once where the server allows
        (portal/shared_frames.py), else as an ASGI message."""
        if self.write_direct is None or not self.write_direct(frame):
            await self.send(frame.message)

    def frame_from(self, frames: dict[str, str]) -> str | None:
        """This socket's text among a broadcast's frames: audience:sort, audience, then the
        audience it extends (a dashboard sees what organisers see, plus its own), or all."""
        for audience in (self.audience, *AUDIENCE_EXTENDS.get(self.audience, ())):
            for name in (f"{audience}:{self.sort}", audience):
                if name in frames:
                    # An empty frame: nothing of this broadcast is on that audience's page.
                    return frames[name] or None
        return frames.get("*")
