"""Cached anonymous pages answered on the event loop, before a thread and the middleware chain.

A page from the cache (portal/pagecache.py) needs no database, no session and no view, yet
through Django's handler it still waited for a thread, crossed to it and back and sent the
request signals: 1.59 ms of CPU a hit, against 0.42 ms for a bare ASGI app sending the same
bytes, and 0.92-0.98 ms here (docs/benchmarks.md, "The page cache's front"). Here the HTTP
handler (portal/asgi_http.py) asks the cache first, on the event loop, with the same rule as
the middleware (`cached_page`: who may be served, the key, the versions still current); a hit
passes only the middleware that stands outside the page cache in MIDDLEWARE (the health paths,
the request id with its log line and metrics, HEAD without a body), so it is answered exactly
as the middleware would answer it.
A miss, and every other request, takes a thread and the whole chain as before.

Only when the cache is in this process's memory: with Redis, reading it is a network call,
which must not hold the event loop (and the websockets on it); the middleware serves those
hits on a thread. Django's request_started/request_finished signals are not sent for a hit:
their receivers close database connections and caches of the thread they run on, and a hit
opens none.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from . import pagecache

PAGE_CACHE_MIDDLEWARE = "portal.pagecache.page_cache"

Handler = Callable[[HttpRequest], HttpResponse]


def _answer_prepared(request: HttpRequest) -> HttpResponse:
    return request._page_cache_hit


def _outer_chain() -> Handler | None:
    """The middleware in front of the page cache, around `_answer_prepared`; None when the page
    cache is not in MIDDLEWARE."""
    names = list(settings.MIDDLEWARE)
    if PAGE_CACHE_MIDDLEWARE not in names:
        return None
    handler = convert_exception_to_response(_answer_prepared)
    for name in reversed(names[: names.index(PAGE_CACHE_MIDDLEWARE)]):
        handler = convert_exception_to_response(import_string(name)(handler))
    return handler


class CachedPagesFront:
    def __init__(self):
        self.chain = _outer_chain()

    def may_answer(self, method: str) -> bool:
        """Whether a request with `method` could be answered here at all; asked first, so a
        deployment whose cache is in Redis builds no request for the front to look at."""
        return (
            method in ("GET", "HEAD")
            and self.chain is not None
            and settings.PAGE_CACHE_ENABLED
            and pagecache.cache_in_process()
        )

    def respond(self, request: HttpRequest) -> HttpResponse | None:
        """For a request `may_answer` let through: the response when the cache holds its
        current page, else None (nothing was sent, logged or counted: the request goes the
        whole way)."""
        method = request.method
        request.method = "GET"  # the cache's rule is asked as head_as_get would ask it
        try:
            hit = pagecache.cached_page(request)
        finally:
            request.method = method
        if hit is None:
            return None
        request._page_cache_hit = hit
        return self.chain(request)
