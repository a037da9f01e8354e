"""One key's fan-out in progress, which a newer state can overtake (used by live/hub.py).

A fan-out writes a key's frames to its sockets a slice at a time. When a newer broadcast of
the key arrives before it is done, the sockets it has not reached yet are not written the
stale frames: they get the newer ones, first (they have waited longest), and then every
socket that did get the stale text gets the new one. So under overload each socket skips
intermediate states instead of queueing them, no socket ever gets an older state after a
newer one, and every socket ends on the latest state.
"""

from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from portal.shared_frames import SharedFrame


class Socket(Protocol):
    variant: str
    send_shared: Callable[[SharedFrame], Awaitable[None]]

    def frame_from(self, frames: dict[str, str]) -> str | None: ...


class FanOut:
    def __init__(self, frames: dict[str, str], sockets: Iterable[Socket]) -> None:
        self.frames = frames
        self.todo: deque[Socket] = deque(sockets)
        self.reached: set[Socket] = set()
        self.overtaken = False  # a newer state arrived before this one was written to all
        # One frame per variant, shared by every socket of that variant.
        self._shared: dict[str, SharedFrame | None] = {}

    @property
    def done(self) -> bool:
        return not self.todo

    def shared_frame_for(self, socket: Socket) -> SharedFrame | None:
        variant = socket.variant
        if variant not in self._shared:
            text = socket.frame_from(self.frames)
            self._shared[variant] = SharedFrame(text) if text else None
        return self._shared[variant]

    def supersede(self, frames: dict[str, str], sockets: Iterable[Socket]) -> None:
        """Newer frames of the same key. `sockets`: the key's sockets now (some may have
        attached since this fan-out began; they are written too)."""
        old, self.frames, self._shared = self.frames, frames, {}
        self.overtaken = True
        changed: dict[str, bool] = {}

        def changed_for(socket: Socket) -> bool:
            if socket.variant not in changed:
                changed[socket.variant] = socket.frame_from(frames) != socket.frame_from(old)
            return changed[socket.variant]

        waiting = set(self.todo)
        self.todo.extend(
            s for s in sockets if s not in waiting and (s not in self.reached or changed_for(s))
        )
        self.reached = set()

    async def send_slice(
        self, limit: int, *, alive: Callable[[Socket], bool], failed: Callable[[Socket], None]
    ) -> int:
        """Write the current frames to up to `limit` sockets still waiting; the count sent.
        `alive(socket)`: still subscribed (else skipped); `failed(socket)`: its send raised."""
        sent = 0
        for _ in range(min(limit, len(self.todo))):
            socket = self.todo.popleft()
            if not alive(socket):
                continue
            self.reached.add(socket)
            frame = self.shared_frame_for(socket)
            if frame is None:
                continue
            try:
                await socket.send_shared(frame)
                sent += 1
            except Exception:
                failed(socket)
        return sent
