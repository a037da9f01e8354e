"""Suite-wide fixtures.

Databases: tests run on SQLite (the embedded default). Tests marked `postgres` run only when
PORTAL_TEST_DB=postgres, in a second pytest run (see the Makefile) whose whole database is a
real PostgreSQL server that the suite starts itself.
"""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache, caches
from django.tasks import task_backends
from django.tasks.backends.base import BaseTaskBackend
from hypothesis import Phase
from hypothesis import settings as hypothesis_settings
from hypothesis.database import DirectoryBasedExampleDatabase

from bench import servers
from tests import factories
from tests.api.fuzzing import IN_XDIST_WORKER, fuzz_runs, selected_roles  # noqa: F401 - a fixture
from tests.databases import USE_POSTGRES

# Hypothesis: `ci` (the default, `make test`) is derandomised, so a run explores the same
# examples every time and a failure reproduces; `explore` (`make test-explore`) searches far
# longer with a fresh seed and keeps every failing example in .hypothesis/ to replay first.
hypothesis_settings.register_profile(
    "ci", derandomize=True, max_examples=40, deadline=None, database=None, print_blob=True
)
hypothesis_settings.register_profile(
    "explore",
    max_examples=1000,
    deadline=None,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    print_blob=True,
)
# `mutation` (`make mutation`, docs/testing.md): the fixed examples of `ci`, but a failure is not
# shrunk to its smallest form: a mutant only needs to be caught, and shrinking takes minutes.
hypothesis_settings.register_profile(
    "mutation",
    parent=hypothesis_settings.get_profile("ci"),
    phases=[Phase.explicit, Phase.generate],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PORTAL_TEST_DB=postgres (run by `make test`)")
    for item in items:
        if "postgres" in item.keywords and not USE_POSTGRES:
            item.add_marker(skip_pg)
        if USE_POSTGRES and _reaches_the_orm_from_an_event_loop(item):
            # Channels' database_sync_to_async closes "old" connections around every call, and
            # the connection inside a test's transaction counts as one: on PostgreSQL the test
            # loses its data mid-way (SQLite's in-memory database ignores the close). Channels'
            # own advice: such tests run in transaction mode.
            item.add_marker(pytest.mark.django_db(transaction=True), append=False)
    # Browser tests last: Playwright's sync API keeps an asyncio loop running in the main
    # thread from its first test to the end of the session, which breaks asyncio.run() and
    # async_to_sync() in any test that comes after it.
    items.sort(key=lambda item: "/tests/browser/" in str(item.path))


# What a test uses to reach consumers and the hub from an event loop.
_EVENT_LOOP_HELPERS = frozenset(
    ("WebsocketCommunicator", "communicator", "live_process", "committed", "run",
     "database_sync_to_async")
)  # fmt: skip


def _reaches_the_orm_from_an_event_loop(item) -> bool:
    """The test calls one of those helpers (in its body, a function nested in it, or a function
    of its module it calls), and its module has it: a test that only shares a module with such
    tests keeps its transaction (its on_commit work, and so its query counts, stay as in the
    SQLite pass)."""
    module, function = getattr(item, "module", None), getattr(item, "function", None)
    if module is None or function is None:
        return False
    # Hypothesis wraps a test in a function of its own: the test's code is its inner_test.
    function = getattr(getattr(function, "hypothesis", None), "inner_test", function)
    codes, seen, names = [function.__code__], set(), set()
    while codes:
        code = codes.pop()
        if code in seen:
            continue
        seen.add(code)
        names.update(code.co_names)
        codes.extend(const for const in code.co_consts if hasattr(const, "co_names"))
        for name in code.co_names:
            called = getattr(module, name, None)
            if getattr(called, "__module__", None) == module.__name__ and hasattr(
                called, "__code__"
            ):
                codes.append(called.__code__)
    return any(hasattr(module, name) for name in names & _EVENT_LOOP_HELPERS)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # django-ratelimit counts in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_page_cache(settings):
    # Cached pages and their versions (portal/pagecache.py) outlive a test's database. Off
    # unless a test asks for `page_cache`: most tests change rows with factories, which (unlike
    # the services) do not renew the pages that show them.
    settings.PAGE_CACHE_ENABLED = False
    caches["pages"].clear()
    yield
    if "pages" in settings.CACHES:  # a test may have replaced CACHES (tests/deploy/test_cache.py)
        caches["pages"].clear()


@pytest.fixture
def page_cache(settings):
    """The anonymous page cache on, as deployed (tests/portal/test_pagecache*.py)."""
    settings.PAGE_CACHE_ENABLED = True
    return caches["pages"]


@pytest.fixture
def stopped_clock():
    """The clock stopped at the instant the test starts (time-machine). Rate limits count in
    windows of the wall clock (django-ratelimit), so a test that spends a budget would see the
    window roll over if the clock crossed its boundary mid-test; stopped, it cannot. Move on
    with `stopped_clock.shift(seconds)`."""
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


class _RefusingTaskBackend(BaseTaskBackend):
    """A task queue that is down (its database or broker unreachable): enqueueing raises."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("the task queue is down")


@pytest.fixture
def queue_down():
    """Every task enqueued while this is active fails, as with a real queue that is down."""
    previous = task_backends["default"]
    task_backends["default"] = _RefusingTaskBackend(alias="default", params={})
    yield
    task_backends["default"] = previous


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """A SQLite file migrated once per session (`manage.py migrate` in its own process) for
    the tests that serve the portal from real servers (daphne, the journeys, schemathesis):
    each copies it rather than migrating its own, 7 s on a quiet machine and 25 s under load."""
    path = tmp_path_factory.mktemp("migrated") / "template.sqlite3"
    servers.migrate(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def _api_fuzzing_beside_the_suite(request):
    """When a selected test checks the API fuzzing (tests/api/test_schemathesis.py), its passes
    start with the session's first test and run in the background (tests/api/fuzzing.py).
    Not in a pytest-xdist worker: every worker collects every test, and only the one given
    the fuzzing's tests may start its passes (they ask for them first, tests/api/conftest.py)."""
    if selected_roles(request.session) and not IN_XDIST_WORKER:
        request.getfixturevalue("fuzz_runs")


@pytest.fixture(scope="session")
def pg_server():
    from tests.pg_server import running_postgres

    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request):
    if not USE_POSTGRES:
        return
    from django.conf import settings

    server = request.getfixturevalue("pg_server")
    db = settings.DATABASES["default"]
    db.update(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "portal",
            "USER": server.user,
            "PASSWORD": "",
            "HOST": server.host,
            "PORT": str(server.port),
            "OPTIONS": {},
            "CONN_MAX_AGE": 0,
            "TEST": {**db.get("TEST", {}), "NAME": "test_portal"},
        }
    )
    # Django built the default connection from the SQLite settings at start-up; rebuild it.
    from django.db import connections

    connections.close_all()
    connections.settings = connections.configure_settings(settings.DATABASES)
    del connections["default"]


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests serve from the finders instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def group(db):
    return factories.make_group()


@pytest.fixture
def organiser(group):
    user = factories.make_user(username="organiser")
    group.organisers.add(user)
    return user


@pytest.fixture
def member(db):
    return factories.make_user(username="member")


@pytest.fixture
def event(group):
    """A published event a week from now."""
    return factories.make_event(group=group)


@pytest.fixture
def past_event(group):
    return factories.make_event(group=group, starts_in=-timedelta(days=30))
