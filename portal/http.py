"""Redirects and login that work the same for htmx and for plain browsers.

htmx follows a 302 inside the fetch and would swap the next page into a fragment, so an htmx
request gets `HX-Redirect` (a full navigation) instead; a plain request gets the 302.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event


def htmx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to `url`: a client redirect for htmx, a 302 otherwise."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def login_redirect(request: HttpRequest, back: str | None = None) -> HttpResponse:
    """To the login page, returning to `back` (default: the page the person is on; for htmx,
    the page in the address bar rather than the fragment's URL)."""
    if back is None:
        back = (request.htmx and request.htmx.current_url_abs_path) or request.get_full_path()
    return htmx_redirect(request, f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}")


def login_required(view):
    """Django's login_required, answering htmx with a client redirect to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        return login_redirect(request)

    return wrapper


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` the request names, if it stays on this site; else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def announce(response: HttpResponse, message: str) -> HttpResponse:
    """Have screen readers announce `message` once the response is swapped in: the `announce`
    client event, which portal/a11y.js writes into the page's lasting #announcer region."""
    return trigger_client_event(response, "announce", {"message": message})
