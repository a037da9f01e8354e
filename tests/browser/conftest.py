"""Playwright against Debian's Chromium (Playwright cannot download its own browser here)."""

import os
import re
import sqlite3
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.db import connection
from django.test import Client
from playwright.sync_api import Browser, Page

from bench import servers
from meetups.demo import load_demo
from tests.browser.daphne import copy_db

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright():
    """Playwright's sync API keeps an asyncio loop running in the main thread from its first
    test to the end of the session, so Django takes every later ORM call in this process (test
    set-up, the database's teardown) for async code. Those calls are plain synchronous code:
    allow them from the first browser test on. Browser tests run last (tests/conftest.py), so
    every other test keeps Django's async-safety check."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Quiet Chromium: this machine has no network beyond localhost.
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }  # fmt: skip


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def plain_http_cookies(settings):
    """live_server speaks plain HTTP: Secure cookies would never come back to it."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _silent_sockets_on_the_wsgi_live_server(request, monkeypatch):
    """pytest-django's `live_server` speaks WSGI: a page of it that opens a live socket (the
    event page does while live mode is on, as in the demo) would get a 404 handshake and a
    console error no user sees. For such tests, every browser context answers that server's
    `/ws/` URLs with Playwright's stand-in socket: open, and silent, as a room with nothing
    new to push. Pages served by daphne (tests/browser/daphne.py) keep their real sockets;
    what the sockets do is tested there."""
    if "live_server" not in request.fixturenames:
        return
    server = request.getfixturevalue("live_server")
    netloc = server.url.split("://", 1)[1]
    sockets = re.compile(rf"^wss?://{re.escape(netloc)}/ws/")
    new_context = Browser.new_context

    def with_silent_sockets(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        context.route_web_socket(sockets, lambda socket: None)
        return context

    monkeypatch.setattr(Browser, "new_context", with_silent_sockets)


@pytest.fixture
def contexts(transactional_db):
    """Browser contexts of one test, closed before the database is torn down so no request of
    theirs is still in flight in the live server."""
    opened = []
    yield opened
    for context in opened:
        context.close()


@pytest.fixture
def open_page(browser: Browser, live_server, contexts):
    """A page at `width`, signed in as `user` when given, collecting console and page errors
    in `page.errors` (context options, such as `timezone_id`, pass through)."""

    def open_(width: int, *, user=None, **options) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 900}, **options)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    return open_


def overflow(page: Page) -> int:
    """How far the page scrolls sideways (0 when nothing overflows)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture(scope="session")
def live_seed(migrated_db, tmp_path_factory) -> tuple[Path, dict]:
    """bench/live_seed.py's running event (on from an hour ago to five hours from now) with
    two signed-in members, written once per session: the database file and what the seed
    reported (slugs, session keys). `tests.browser.daphne.serve` serves a copy of it. The
    file is a copy of the session's `migrated_db` (tests/conftest.py)."""
    db = tmp_path_factory.mktemp("live-seed") / "db.sqlite3"
    copy_db(migrated_db, db)
    return db, servers.seed(db, users=2)


class _DemoSnapshot:
    """The test database with the demo loaded, held in memory (SQLite's backup API)."""

    def __init__(self, database):
        self.connection = database
        self.copy = sqlite3.connect(":memory:", check_same_thread=False)
        database.connection.backup(self.copy)

    def restore(self) -> None:
        """Put the test database back to the snapshot (about 10 ms), then forget what Django
        cached of rows the snapshot replaced (content types and the site, by id)."""
        self.connection.ensure_connection()
        self.copy.backup(self.connection.connection)
        ContentType.objects.clear_cache()
        Site.objects.clear_cache()


@pytest.fixture(scope="module")
def _demo_snapshot(django_db_setup, django_db_blocker):
    """`load_demo()` run once per module into the test database, kept as a snapshot, and the
    database put back as it was; None on a server database (PostgreSQL), where each test
    loads the demo itself. The demo's dates are relative to the day it is loaded."""
    if connection.vendor != "sqlite":
        yield None
        return
    with django_db_blocker.unblock():
        connection.ensure_connection()
        empty = _DemoSnapshot(connection)
        load_demo()
        snapshot = _DemoSnapshot(connection)
        empty.restore()
        empty.copy.close()
    yield snapshot
    snapshot.copy.close()


@pytest.fixture
def demo(transactional_db, _demo_snapshot):
    """The demo data (meetups/demo.py) in the test database, for pages served by
    `live_server`: restored from the module's snapshot instead of loaded per test (1.3 s at
    a load of 9, against about 10 ms); pytest-django's flush after the test empties it."""
    if _demo_snapshot is None:
        load_demo()
    else:
        _demo_snapshot.restore()
