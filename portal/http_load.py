"""How many HTTP requests this process is serving (from the ASGI call until the response).

The live hub reads it to decide whether its fan-out should pause: a pause exists only to let
requests through, on the event loop and in their threads (live/hub.py), so with none in
progress it would only make the fan-out late. portal/asgi_http.py keeps the count. A server
process has one event loop; the lock is for tests, which may serve from loops in several
threads.
"""

import contextlib
import threading

_in_progress = 0
_lock = threading.Lock()


def requests_in_progress() -> int:
    return _in_progress


@contextlib.contextmanager
def request_in_progress():
    global _in_progress
    with _lock:
        _in_progress += 1
    try:
        yield
    finally:
        with _lock:
            _in_progress -= 1
