"""Response rules every page follows, whatever its view does.

- HEAD answers as GET does, without the body. Most views are `require_GET` (which refuses
  HEAD with a 405), so this middleware, ahead of Django's own in MIDDLEWARE, shows every view
  a GET and drops the body on the way out; the middleware inside it (CommonMiddleware's
  Content-Length included) sees the GET's response.
- A response made for a signed-in user (a session, or a personal API token) is
  `Cache-Control: private, no-store` unless its view set Cache-Control itself: such a page may
  carry personal data (a ticket, my events, a profile, proposals, the organiser's pages), and
  no cache, shared or the browser's, should keep it. Anonymous pages are left as they are.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

Middleware = Callable[[HttpRequest], HttpResponse]


def head_as_get(get_response: Middleware) -> Middleware:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return get_response(request)
        request.method = "GET"
        try:
            response = get_response(request)
        finally:
            request.method = "HEAD"
        if response.streaming:
            response.streaming_content = []  # its file is still closed with the response
        else:
            response.content = b""
        return response

    return middleware


def private_when_signed_in(get_response: Middleware) -> Middleware:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response

    return middleware
