"""Django's Redis cache, but a Redis that is down (restarting) is a cache miss, not a 500.

The cache holds rate-limit counters (django-ratelimit, allauth) and nothing a page cannot do
without, so while Redis is unreachable reads miss, writes are dropped, `add` adds nothing and
`incr` raises ValueError (which django-ratelimit takes as "no count"; with
RATELIMIT_FAIL_OPEN the request is let through). Each process logs the outage at most once
every LOG_EVERY_SECONDS.

One client, with one connection pool, serves every instance of the same Redis and options in
a process. Django makes a cache instance per thread *and per asyncio context* (its `caches` is
an asgiref Local), so under ASGI each request got an instance of its own, a pool of its own
and a new TCP connection to Redis with its handshake (Django ticket #33625). In a profile of
the overload round of bench/live_fanout.py that was about a tenth of a vote's time.
redis-py's pool is thread-safe.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import BusyLoadingError, ConnectionError, TimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (ConnectionError, TimeoutError, BusyLoadingError)
LOG_EVERY_SECONDS = 10.0


def _tolerant(fallback):
    """Answer `fallback(*args)` instead of raising when Redis cannot be reached."""

    def wrap(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE:
                self._log_outage(method.__name__)
                return fallback(*args, **kwargs)

        return wrapper

    return wrap


def _raise_value_error(*args, **kwargs):
    raise ValueError("the cache is unreachable")


_clients: dict[tuple[tuple[str, ...], str], RedisCacheClient] = {}
_clients_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    _last_logged = float("-inf")

    @functools.cached_property
    def _cache(self) -> RedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _clients_lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]

    def _log_outage(self, operation: str) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY_SECONDS:
            ResilientRedisCache._last_logged = now
            logger.warning("cache: Redis is unreachable (%s); carrying on without it", operation)

    add = _tolerant(lambda *a, **k: False)(RedisCache.add)
    get = _tolerant(lambda key, default=None, *a, **k: default)(RedisCache.get)
    set = _tolerant(lambda *a, **k: None)(RedisCache.set)
    touch = _tolerant(lambda *a, **k: False)(RedisCache.touch)
    delete = _tolerant(lambda *a, **k: False)(RedisCache.delete)
    get_many = _tolerant(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _tolerant(lambda *a, **k: False)(RedisCache.has_key)
    incr = _tolerant(_raise_value_error)(RedisCache.incr)
    set_many = _tolerant(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _tolerant(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _tolerant(lambda *a, **k: False)(RedisCache.clear)
