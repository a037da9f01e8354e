"""Stop daphne's HTTP requests parsing form bodies the application never sees.

Daphne's request class is Twisted's `http.Request`, which, once a POST body has arrived,
parses a form body into `request.args`: a multipart one with the `email` package, holding about
twelve times the body in memory at once (a 50 MiB upload took a daphne process to 700 MB and a
200 MiB one to 2.7 GB, before the application had read a byte: docs/benchmarks.md, "Request
size"). Daphne never reads `request.args`; Django parses the body itself, within the limits of
portal/limits.py. Twisted offers the switch as a constructor argument, which daphne does not
pass on, so it is set here, once, when portal/asgi.py is imported.
"""

import functools


def disable_form_parsing() -> None:
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:  # served by something other than daphne
        return
    original = WebRequest.__init__
    if getattr(original, "portal_no_form_parsing", False):
        return

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        kwargs["parsePOSTFormSubmission"] = False
        original(self, *args, **kwargs)

    __init__.portal_no_form_parsing = True
    WebRequest.__init__ = __init__
