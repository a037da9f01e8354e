"""The Redis cache carries on without Redis: misses, dropped writes, rate limits let through."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis as redis_py
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.cache import caches
from django_ratelimit.core import is_ratelimited

from bench import servers
from portal.cache import ResilientRedisCache


@pytest.fixture
def redis():
    port = servers.free_port()
    proc = servers.start_redis(port=port)
    yield port, proc
    servers.stop(proc)


def _cache(port: int) -> ResilientRedisCache:
    return ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )


def test_it_is_django_s_redis_cache_while_redis_answers(redis):
    cache = _cache(redis[0])

    cache.set("a", 1)
    added = cache.add("a", 2)
    counted = cache.incr("a")

    assert (added, counted, cache.get("a"), cache.get_many(["a", "b"])) == (False, 2, 2, {"a": 2})


def test_an_unreachable_redis_is_a_miss_not_an_error(redis):
    port, proc = redis
    cache = _cache(port)
    cache.set("a", 1)
    servers.stop(proc)

    with pytest.raises(ValueError, match="the cache is unreachable"):
        cache.incr("a")
    assert cache.get("a", "default") == "default"
    assert cache.add("b", 1) is False
    assert cache.set("c", 1) is None
    assert cache.get_many(["a", "c"]) == {}
    assert cache.set_many({"d": 1, "e": 2}) == ["d", "e"]
    assert cache.delete("a") is False
    assert cache.has_key("a") is False


def test_rate_limits_hold_with_redis_and_let_requests_through_without(redis, settings, rf):
    port, proc = redis
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    request = rf.post("/")

    def limited() -> bool:
        return is_ratelimited(request, group="t", key="ip", rate="1/m", increment=True)

    with_redis = [limited(), limited()]
    servers.stop(proc)
    without = [limited(), limited()]
    caches["default"].close()

    assert with_redis == [False, True]
    assert without == [False, False]


def _connections_received(port: int) -> int:
    with redis_py.Redis(port=port) as client:
        return client.info("stats")["total_connections_received"]


def test_requests_share_one_connection_to_redis(redis, settings):
    """Under ASGI each request runs in an asyncio context of its own, where Django's `caches`
    makes a new cache instance: they must not each open a connection (portal/cache.py)."""
    port, _ = redis
    location = f"redis://127.0.0.1:{port}/0"
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": location,
                    "OPTIONS": options},
        "pages": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": location,
                  "OPTIONS": options, "KEY_PREFIX": "pages"},
    }  # fmt: skip
    thread = ThreadPoolExecutor(1)

    def request(n: int) -> tuple[tuple[int, int], int]:
        caches["default"].set(f"n{n}", n)
        caches["pages"].set(f"n{n}", -n)
        seen = caches["default"].get(f"n{n}"), caches["pages"].get(f"n{n}")
        return seen, id(caches["default"])

    async def serve(n: int) -> tuple[tuple[int, int], int]:
        async with ThreadSensitiveContext(executor=thread):
            return await sync_to_async(request, thread_sensitive=True)(n)

    async def twenty_requests():
        return [await asyncio.create_task(serve(n)) for n in range(20)]

    before = _connections_received(port)
    with thread:  # shut down after the requests
        results = asyncio.run(twenty_requests())
    opened = _connections_received(port) - before - 1  # less the one counting them

    assert [seen for seen, _ in results] == [(n, -n) for n in range(20)]
    assert len({instance for _, instance in results}) > 1  # Django's instances, one per context
    assert opened == 1


def test_the_shared_connection_recovers_when_redis_comes_back(redis):
    port, proc = redis
    cache = _cache(port)
    cache.set("a", 1)
    servers.stop(proc)
    assert cache.get("a", "gone") == "gone"

    again = servers.start_redis(port=port)
    try:
        cache.set("a", 2)
        assert _cache(port).get("a") == 2
    finally:
        servers.stop(again)
