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
"""

import logging
import threading
import time
from collections.abc import Callable, Hashable

from django.db import connections

logger = logging.getLogger(__name__)


class Coalescer:
    def __init__(self, send: Callable[[Hashable, bool], None], window: Callable[[], float]):
        """`send(key, detail)` broadcasts; `window()` gives the window in seconds (0: off).
        `detail` is OR-ed over the requests one broadcast stands for."""
        self._send = send
        self._window = window
        self._lock = threading.Lock()
        self._last_sent: dict[Hashable, float] = {}
        self._scheduled: dict[Hashable, bool] = {}  # key -> detail, while a timer waits

    def request(self, key: Hashable, *, detail: bool = True) -> None:
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
