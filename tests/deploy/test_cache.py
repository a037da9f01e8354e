"""The Redis cache carries on without Redis: misses, dropped writes, rate limits let through."""

import pytest
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
