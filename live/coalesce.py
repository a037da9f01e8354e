"""At most one broadcast per key per window, and always one after the last change.

During an RSVP rush (hundreds of RSVPs a second for one event) each attendance change used to
render and publish the counts from the request that made it: one render per RSVP, costing
about as much as the RSVP itself. A counts frame carries the whole current state, so one frame
that reflects several changes loses nothing.

`Coalescer.request(key)` runs the broadcast at once when the key has not been broadcast
within the window (a lone change shows at once, from the request that made it). Otherwise it
schedules one broadcast at the end of the window on a timer thread, and requests made before
it fires join it. That broadcast starts after every joined change has committed, so the last
change is always shown, at most one window late.

With `background()` true (LIVE_BROADCAST_IN_BACKGROUND, on in servers), no broadcast runs in
the caller's thread: `request` only marks the key, and one worker thread per coalescer renders
and publishes, so a request answers right after its commit however busy the process is. While
a key's broadcast is being rendered, requests for it join the next one, which starts when the
current one is done (and the window is over): under overload renders run back to back, each
reflecting every change committed before it began, instead of queueing one per change.
"""

import logging
import threading
import time
from collections.abc import Callable, Hashable

from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)


class Coalescer:
    def __init__(
        self,
        send: Callable[[Hashable, bool], None],
        window: Callable[[], float],
        background: Callable[[], bool] = lambda: False,
    ):
        """`send(key, detail)` broadcasts; `window()` gives the window in seconds (0: off);
        `background()`: send from this coalescer's worker thread, never the caller's.
        `detail` is OR-ed over the requests one broadcast stands for."""
        self._send = send
        self._window = window
        self._background = background
        self._lock = threading.Lock()
        self._last_sent: dict[Hashable, float] = {}
        self._scheduled: dict[Hashable, bool] = {}  # key -> detail, while a timer waits
        self._ready = threading.Condition(self._lock)
        self._dirty: dict[Hashable, bool] = {}  # key -> detail, for the worker thread
        self._worker: threading.Thread | None = None

    def request(self, key: Hashable, *, detail: bool = True) -> None:
        if self._background():
            self._request_in_background(key, detail)
            return
        window = self._window()
        if window <= 0:
            self._send(key, detail)
            return
        with self._lock:
            if key in self._scheduled:
                self._scheduled[key] = self._scheduled[key] or detail
                return
            now = time.monotonic()
            wait = self._last_sent.get(key, float("-inf")) + window - now
            if wait > 0:
                self._scheduled[key] = detail
                timer = threading.Timer(wait, self._fire, args=(key,))
                timer.daemon = True
                timer.start()
                return
            self._last_sent[key] = now
        self._send(key, detail)

    def _fire(self, key: Hashable) -> None:
        with self._lock:
            detail = self._scheduled.pop(key)
            self._last_sent[key] = time.monotonic()
        try:
            self._send(key, detail)
        except Exception:
            logger.exception("live: a coalesced broadcast for %s failed", key)
        finally:
            # This timer thread's own database connection (if the send opened one).
            connections.close_all()

    def _request_in_background(self, key: Hashable, detail: bool) -> None:
        with self._ready:
            self._dirty[key] = self._dirty.get(key, False) or detail
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._work, name="live-broadcast", daemon=True
                )
                self._worker.start()
            self._ready.notify()

    def _next_due(self) -> tuple[Hashable, bool]:
        """Wait (holding the lock) until a marked key's window is over; take it."""
        while True:
            now, window = time.monotonic(), self._window()
            if self._dirty:
                key = min(self._dirty, key=lambda k: self._last_sent.get(k, float("-inf")))
                wait = self._last_sent.get(key, float("-inf")) + window - now
                if wait <= 0:
                    self._last_sent[key] = now
                    return key, self._dirty.pop(key)
                self._ready.wait(wait)
            else:
                self._ready.wait()

    def _work(self) -> None:
        while True:
            with self._ready:
                key, detail = self._next_due()
            try:
                self._send(key, detail)
            except Exception:
                logger.exception("live: a background broadcast for %s failed", key)
            finally:
                # As at the end of a request: drop a connection past its age or broken.
                close_old_connections()
