"""Live app fixtures: a clean hub, layer and rate-limit cache per test, and a running event."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.core.cache import cache
from django.db import connection
from django.test import Client

from live import qa_items
from live.hub import hub
from tests.factories import PASSWORD, make_event, make_talk, make_user


@pytest.fixture(autouse=True)
def _fresh_live_process(settings):
    """Each test starts like a fresh server process: no hub state, empty layer, no limits."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.LIVE_PRESENCE_DEBOUNCE_SECONDS = 0.01
    channel_layers.backends.clear()
    cache.clear()
    qa_items.forget_all()
    hub._reset(None)
    yield
    if hub.loop is not None and not hub.loop.is_closed():
        # The test's loop already ended; drop its tasks with it.
        pass
    hub._reset(None)
    channel_layers.backends.clear()


@pytest.fixture
def running_event(group):
    """An event on right now (started an hour ago, two hours long) with two talks."""
    event = make_event(group=group, starts_in=-timedelta(hours=1), title="SyDjango Live")
    make_talk(event=event, title="Async Django", slug="async-django", order=1)
    make_talk(event=event, title="HTMX in anger", slug="htmx-in-anger", order=2)
    return event


@pytest.fixture
def talk(running_event):
    return running_event.talks.get(slug="async-django")


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def member_client(member) -> Client:
    return signed_in(member)


@pytest.fixture
def organiser_client(organiser) -> Client:
    return signed_in(organiser)


@pytest.fixture
def other_member(db):
    return make_user(username="other")


def run(coro_fn):
    """Run an async test body on a fresh loop (ORM calls inside go through sync_to_async)."""
    return async_to_sync(coro_fn)()


@contextmanager
def right_after_first(table: str, write, *, statement: str = "SELECT"):
    """Run `write()` right after the first `statement` (SELECT, DELETE) from `table`: another
    request's write landing between this request's read (or write) and its next statement."""
    done = []

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not done and sql.startswith(statement) and f'FROM "{table}"' in sql:
            done.append(sql)
            write()
        return result

    with connection.execute_wrapper(wrapper):
        yield
    assert len(done) == 1
