"""Browser-like live sockets and actions for the fault tests.

`LiveClient` is one open live page: its socket through nginx, reconnecting after a close the
way the htmx ws extension does (here after a fixed RECONNECT_DELAY rather than htmx's random
0-1 s, so the figures measure the stack, not the dice). It keeps every frame with its time.
`act` performs one write a person makes through nginx and says whether it was acknowledged.
"""

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

import httpx
import websockets

RECONNECT_DELAY = 0.25


@dataclass
class LiveClient:
    stack: object
    frames: list[tuple[float, str]] = field(default_factory=list)
    connects: list[float] = field(default_factory=list)
    closes: list[float] = field(default_factory=list)
    stopped: bool = False
    task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self.stopped = True
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _run(self) -> None:
        while not self.stopped:
            try:
                ws = await self.stack.open_socket()
            except (OSError, websockets.InvalidHandshake, TimeoutError):
                await asyncio.sleep(RECONNECT_DELAY)
                continue
            self.connects.append(time.monotonic())
            try:
                async for frame in ws:
                    self.frames.append((time.monotonic(), frame))
            except websockets.ConnectionClosed:
                pass
            finally:
                await ws.close()
            self.closes.append(time.monotonic())
            await asyncio.sleep(RECONNECT_DELAY)

    def last(self, marker: str) -> str | None:
        for _, frame in reversed(self.frames):
            if marker in frame:
                return frame
        return None

    def first_after(self, moment: float, marker: str) -> float | None:
        """When the first frame holding `marker` arrived after `moment`."""
        for at, frame in self.frames:
            if at > moment and marker in frame:
                return at
        return None

    async def wait_for(self, marker: str, *, after: float = 0.0, timeout: float = 20) -> float:
        deadline = time.monotonic() + timeout
        while (at := self.first_after(after, marker)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no frame with {marker!r}")
            await asyncio.sleep(0.02)
        return at


@dataclass
class Action:
    kind: str  # "rsvp", "question" or "vote"
    member: dict
    text: str = ""  # the question asked
    question_id: int | None = None  # the question voted for
    status: int | None = None
    acknowledged: bool = False
    error: str = ""


def act(stack, action: Action) -> Action:
    """One write through nginx, as htmx sends it; acknowledged = the page said it was done."""
    data = stack.data
    base = f"/events/{data['slug']}"
    if action.kind == "rsvp":
        path, form, done = f"{base}/rsvp/going/", {"guests": "0"}, None
    elif action.kind == "question":
        path, form, done = (
            f"{base}/live/questions/",
            {"text": action.text, "qa": data["talk_slug"]},
            None,
        )
    else:
        path, form, done = f"{base}/live/questions/{action.question_id}/vote/", {}, "Upvoted."
    try:
        with stack.client(action.member) as browser:
            answer = browser.post(path, data=form, headers={"HX-Request": "true"})
    except httpx.HTTPError as error:
        action.error = repr(error)
        return action
    action.status = answer.status_code
    action.acknowledged = answer.status_code == 200 and (done is None or done in answer.text)
    return action
