"""Anonymous public pages from a shared cache, invalidated exactly by versioned keys.

Who gets a cached page: a GET (HEAD is a GET here, `portal.middleware.head_as_get`) with no
session cookie, no messages cookie, no Authorization header, not from htmx, to a view marked
`@cache_public_page`. Such a visitor is anonymous, so the page is the same for all of them.
Everyone else, signed-in people above all, is never served from the cache and never fills it.

What is stored: the whole response as it leaves the middleware chain (status 200, its headers,
its body), only if it sets no cookie (no CSRF cookie, so no token was rendered), varies on
nothing but Cookie, and carries no `csrfmiddlewaretoken` (checked on the body: a template that
starts rendering a form for anonymous visitors is refused here, never shared).

Exact invalidation, without scanning keys: a page's entry records the versions of what it shows
when it was rendered, and is served only while those are still the current versions.

- `site`: every page (group, venue, speaker and admin edits; an account anonymised);
- `lists`: home and the archive (any event's change: seats left, titles, talks, venues);
- `event:<id>`: that event's page and its talks' pages.

Writes call `page_cache_bump(event_id=...)` (or without an event: everything) in their service;
the bump happens after the transaction commits, so a request that read the old version may only
have stored its page under that old version, which nobody asks for any more. Versions are
random tokens, not counters: a version lost (evicted, Redis restarted) comes back as a new
token, never as an old one. A view names its versions before it reads anything: the fixed ones
in the decorator, the ones it learns (which event a slug is) with `page_depends_on`, which are
remembered per URL, so the next request reads them first. A render whose versions were not all
read first (the first one of a URL) is not stored.

Time alone also changes pages (an event starts, is live, ends and moves from upcoming to the
archive; RSVPs open and close at set times), with no write to bump anything: every entry lives
at most `PAGE_CACHE_SECONDS` (60 s), so such a change shows within a minute.

Signed-in requests are never stored, but read the same versions before the view, so a page can
keep its public parts under them (`page_version`; the event page's `{% cache %}` fragments)
and render only the personal parts per request.

The cache is `CACHES["pages"]`: Redis when `REDIS_URL` is set (shared by every process, so a
bump in one is seen by all), else local memory, which is per process: right for one process
(development, tests), wrong for several. See docs/pages-cache.md.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from functools import partial, wraps

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import resolve

from .personal_data import account_erasing

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
SITE = "site"
LISTS = "lists"
# How long the names of the versions a URL depends on are remembered (they rarely change).
DEPENDENCIES_SECONDS = 24 * 3600
# Query strings that may be cached: only parameters a view names, with short digit values
# (?page=3), so strangers cannot fill the cache with endless distinct URLs.
MAX_PARAM_DIGITS = 4
HIT_HEADER = "X-Page-Cache"
CSRF_FIELD = b"csrfmiddlewaretoken"

Middleware = Callable[[HttpRequest], HttpResponse]


def event_dependency(event_id: int) -> str:
    return f"event:{event_id}"


def _cache():
    return caches[CACHE_ALIAS]


def _version_key(name: str) -> str:
    return f"pagecache:v:{name}"


def _versions(names: Iterable[str], *, create: bool) -> dict[str, str | None]:
    """The current version of each name; with `create`, a missing one gets a new token."""
    cache = _cache()
    keys = {_version_key(name): name for name in names}
    found = cache.get_many(list(keys))
    missing = [key for key in keys if key not in found]
    if missing and create:
        for key in missing:
            cache.add(key, secrets.token_hex(8), timeout=None)
        found.update(cache.get_many(missing))  # another process may have added first
    return {name: found.get(key) for key, name in keys.items()}


def _bump(names: list[str]) -> None:
    _cache().set_many({_version_key(name): secrets.token_hex(8) for name in names}, timeout=None)


def page_cache_bump(*, event_id: int | None = None) -> None:
    """After the current transaction commits (at once outside one): with `event_id`, the next
    anonymous request for that event's page, its talks' pages, home or the archive renders them
    anew; without, every cached page is renewed."""
    names = [event_dependency(event_id), LISTS] if event_id is not None else [SITE]
    transaction.on_commit(partial(_bump, names), robust=True)


@receiver(post_save, sender=LogEntry, dispatch_uid="portal.pagecache.admin_edit")
def _admin_edit(sender, **kwargs) -> None:
    # The admin changes models without our services; it logs every change, so any of them
    # renews every page.
    page_cache_bump()


@receiver(account_erasing, dispatch_uid="portal.pagecache.account_erasing")
def _account_erasing(sender, **kwargs) -> None:
    # The person's name leaves the Q&A archive and lists it was shown in.
    page_cache_bump()


# Serving and storing ------------------------------------------------------------------------


def _tracked(request: HttpRequest) -> bool:
    """A page request whose versions are read (signed in or not): a GET, not from htmx."""
    return (
        settings.PAGE_CACHE_ENABLED
        and request.method == "GET"
        and "HTTP_HX_REQUEST" not in request.META
    )


def _anonymous(request: HttpRequest) -> bool:
    """No session, no messages, no token: the page is the same for every such visitor."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _page_key(request: HttpRequest) -> str | None:
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # answered 400 further in, as without the cache
    url = f"{request.scheme}://{host}{request.path}?{request.META.get('QUERY_STRING', '')}"
    return "pagecache:page:" + hashlib.sha256(url.encode()).hexdigest()


def _dependencies_key(page_key: str) -> str:
    return page_key.replace(":page:", ":deps:", 1)


class _PageRender:
    """A page request on its way through the view: the versions read before it ran, the ones
    the view said it shows, and whether its page may be shared (anonymous)."""

    __slots__ = ("key", "query_ok", "remembered", "shared", "shown", "versions")

    def __init__(self, key: str, remembered: list[str] | None, *, shared: bool):
        self.key = key
        self.remembered = remembered or []
        self.shared = shared
        self.versions: dict[str, str | None] | None = None
        self.shown: set[str] = set()
        self.query_ok = False

    def begin(self, request: HttpRequest, fixed: tuple[str, ...], params: tuple[str, ...]):
        self.query_ok = all(
            name in params and len(values) == 1 and _short_digits(values[0])
            for name, values in request.GET.lists()
        )
        self.shown = {SITE, *fixed}
        self.versions = _versions({*self.shown, *self.remembered}, create=True)
        if self.shared and self.query_ok:
            # Read by templates/base.html: leave out what is per visitor (the CSRF header).
            request.page_cache_shared = True

    def store(self, request: HttpRequest, response: HttpResponse) -> None:
        if self.versions is None or not self.query_ok:
            return
        if response.status_code != 200 or response.streaming:
            return
        cache = _cache()
        shown = sorted(self.shown)
        if shown != sorted(self.remembered):
            cache.set(_dependencies_key(self.key), shown, DEPENDENCIES_SECONDS)
        if not self.shared or not self.shown <= self.versions.keys():
            return
        if not _shareable(request, response):
            return
        entry = {
            "versions": {name: self.versions[name] for name in shown},
            "status": response.status_code,
            "headers": list(response.items()),
            "content": response.content,
        }
        cache.set(self.key, entry, settings.PAGE_CACHE_SECONDS)


def _short_digits(value: str) -> bool:
    return 0 < len(value) <= MAX_PARAM_DIGITS and value.isascii() and value.isdigit()


def _shareable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.cookies or request.user.is_authenticated:
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    if not vary <= {"cookie"}:
        return False
    if "no-store" in response.get("Cache-Control", "") or "private" in response.get(
        "Cache-Control", ""
    ):
        return False
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        return False  # a nonce is one response's own
    if CSRF_FIELD in response.content:
        logger.warning("page cache: %s renders a CSRF token for anonymous visitors", request.path)
        return False
    return True


def _from_entry(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response[HIT_HEADER] = "hit"
    return response


def _stored_page(key: str) -> tuple[dict | None, list[str] | None]:
    """The page stored under `key` if it is still current (None otherwise), and the names of
    the versions its URL was last seen to depend on."""
    found = _cache().get_many([key, _dependencies_key(key)])
    entry = found.get(key)
    if entry is not None and _versions(entry["versions"], create=False) != entry["versions"]:
        entry = None
    return entry, found.get(_dependencies_key(key))


def _hit(request: HttpRequest, entry: dict) -> HttpResponse:
    # The view that made it, for the request metrics and logs (no query).
    request.resolver_match = resolve(request.path_info)
    return _from_entry(entry)


def cached_page(request: HttpRequest) -> HttpResponse | None:
    """The stored page for a GET the cache may answer (anonymous, current versions), else
    None. For the server's front (portal/asgi_http.py), which answers it before a thread and
    the middleware chain; `page_cache` below does the same for every other way in."""
    if not (_tracked(request) and _anonymous(request)) or (key := _page_key(request)) is None:
        return None
    entry, _ = _stored_page(key)
    return _hit(request, entry) if entry is not None else None


def cache_in_process() -> bool:
    """Whether the pages cache is this process's memory, so reading it never waits on I/O."""
    return isinstance(_cache(), LocMemCache)


def page_cache(get_response: Middleware) -> Middleware:
    """Serves anonymous public pages from the cache; stores what `cache_public_page` views
    rendered. Sits inside the request id and HEAD handling, outside everything that adds
    headers, so a stored page carries them. For a signed-in page it only reads the versions
    its public fragments are kept under (`page_version`)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not _tracked(request) or (key := _page_key(request)) is None:
            return get_response(request)
        shared = _anonymous(request)
        if shared:
            entry, remembered = _stored_page(key)
            if entry is not None:
                return _hit(request, entry)
        else:
            remembered = _cache().get(_dependencies_key(key))
        render = _PageRender(key, remembered, shared=shared)
        request._page_render = render
        response = get_response(request)
        render.store(request, response)
        return response

    return middleware


def cache_public_page(*fixed: str, params: tuple[str, ...] = ()):
    """Marks a public page view cacheable for anonymous visitors (and its versions readable for
    fragments, `page_version`). `fixed` names the versions it always shows (`LISTS`; `SITE`
    always), `params` the query parameters that may be cached."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            render = getattr(request, "_page_render", None)
            if render is not None:
                render.begin(request, fixed, params)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def page_depends_on(request: HttpRequest, *names: str) -> None:
    """The page being rendered shows these versions (`event_dependency(event.pk)`)."""
    render = getattr(request, "_page_render", None)
    if render is not None:
        render.shown.update(names)


def page_version(request: HttpRequest, *names: str) -> str | None:
    """One token for the current versions of `names`, read before the view ran, to key a public
    fragment of the page by (`{% cache ... version using="pages" %}`); None when they were not
    all read first (the URL's first render), and then the fragment is rendered, not kept."""
    render = getattr(request, "_page_render", None)
    if render is None or render.versions is None:
        return None
    tokens = [render.versions.get(name) for name in names]
    if not all(tokens):
        return None
    return ".".join(tokens)


def page_part[T](name: str, version: str | None, compute: Callable[[], T]) -> T:
    """Data of a page's public part (the same for every viewer, e.g. an event's seats and RSVP
    settings), computed once per `version` (`page_version`) and kept at most
    `PAGE_CACHE_SECONDS`, like a `{% cache %}` fragment; `name` says whose (`f"...:{event.pk}"`).
    Without a version (not read first, cache off) it is computed and not kept. Never for what
    depends on the viewer."""
    if version is None:
        return compute()
    cache = _cache()
    key = f"pagecache:part:{name}:{version}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, settings.PAGE_CACHE_SECONDS)
    return found
