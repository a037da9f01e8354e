"""Failed logins slow the one guessing down and never lock the account's owner out
(portal/account_adapter.py; policy in docs/architecture.md, "Limits")."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from tests.factories import PASSWORD

STRANGER = "203.0.113.7"
OWNER = "198.51.100.20"
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_earlier_failures():
    cache.clear()  # allauth counts failures in the cache, which outlives a test
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _login(ip: str, login: str, password: str):
    return Client(REMOTE_ADDR=ip).post("/accounts/login/", {"login": login, "password": password})


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(member, clock):
    statuses = [_login(STRANGER, member.email, "wrong").status_code for _ in range(10)]
    owner = _login(OWNER, member.email, PASSWORD)

    assert statuses == [200] * 5 + [429] * 5
    assert owner.status_code == 302
    assert owner.url == "/"


def test_the_refusal_is_a_429_page_that_says_when_to_retry(member, clock):
    for _ in range(4):
        _login(STRANGER, member.email, "wrong")
    clock.shift(dt.timedelta(minutes=2))
    _login(STRANGER, member.email, "wrong")

    refused = _login(STRANGER, member.email, "wrong")

    # The oldest of the five failures leaves the window in three minutes.
    assert refused.status_code == 429
    assert refused["Retry-After"] == "180"
    assert refused.templates[0].name == "429.html"
    assert refused.content.decode().count("You can try again in 3 minutes.") == 1


def test_the_stranger_is_slowed_down_to_a_try_a_minute_not_locked_out(member, clock):
    for minute in range(5):
        clock.move_to(NOW + dt.timedelta(minutes=minute))
        _login(STRANGER, member.email, "wrong")
    assert _login(STRANGER, member.email, "wrong").status_code == 429

    # Five minutes after the first failure it leaves the window, and one more try is free.
    clock.move_to(NOW + dt.timedelta(minutes=5, seconds=1))

    assert _login(STRANGER, member.email, "wrong").status_code == 200
    assert _login(STRANGER, member.email, "wrong").status_code == 429


def test_one_address_trying_many_accounts_is_limited_per_minute(db, clock):
    statuses = [_login(STRANGER, f"someone{n}@example.com", "wrong").status_code for n in range(11)]

    assert statuses == [200] * 10 + [429]
    clock.shift(dt.timedelta(minutes=1, seconds=1))
    assert _login(STRANGER, "someone-else@example.com", "wrong").status_code == 200


def test_the_owners_own_mistakes_are_forgiven_by_a_success(member, clock):
    for _ in range(4):
        _login(OWNER, member.email, "wrong")

    assert _login(OWNER, member.email, PASSWORD).status_code == 302
    assert _login(OWNER, member.email, "wrong").status_code == 200
