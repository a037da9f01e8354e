"""How many HTTP requests this process is serving (from the ASGI call until the response).

The live hub reads it to decide whether its fan-out should pause: a pause exists only to let
requests through, on the event loop and in their threads (live/hub.py), so with none in
progress it would only make the fan-out late. Counted on the event loop by
portal/asgi_http.py, so no lock is needed.
"""

import contextlib

_in_progress = 0


def requests_in_progress() -> int:
    return _in_progress


@contextlib.contextmanager
def request_in_progress():
    global _in_progress
    _in_progress += 1
    try:
        yield
    finally:
        _in_progress -= 1
