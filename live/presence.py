"""How many screens are watching an event, across every server process.

Each process counts its own live sockets (those that sent a heartbeat within the TTL) and
reports that number under its process id with an expiry. The total is the sum over processes
whose report has not expired, so a process that dies stops counting within one TTL, and a
browser that vanishes without closing stops counting once its heartbeats stop.

With REDIS_URL the reports live in Redis (a sorted set of process ids scored by expiry, and a
hash of their counts, updated by one Lua script); without it, in this process's memory.
"""

import time

from django.conf import settings

_REPORT_SCRIPT = """
local zset, hash = KEYS[1], KEYS[2]
local proc, count, now, expires, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
if tonumber(count) > 0 then
  redis.call('ZADD', zset, expires, proc)
  redis.call('HSET', hash, proc, count)
else
  redis.call('ZREM', zset, proc)
  redis.call('HDEL', hash, proc)
end
local dead = redis.call('ZRANGEBYSCORE', zset, '-inf', now)
for _, p in ipairs(dead) do redis.call('HDEL', hash, p) end
redis.call('ZREMRANGEBYSCORE', zset, '-inf', now)
local total = 0
for _, c in ipairs(redis.call('HVALS', hash)) do total = total + tonumber(c) end
redis.call('EXPIRE', zset, ttl)
redis.call('EXPIRE', hash, ttl)
return total
"""


class MemoryPresence:
    """One process: its own count is the total."""

    def __init__(self) -> None:
        self._counts: dict[int, int] = {}

    async def report(self, *, event_id: int, process_id: str, count: int, ttl: float) -> int:
        self._counts[event_id] = count
        return count

    async def close(self) -> None:
        pass


class RedisPresence:
    def __init__(self, url: str) -> None:
        import redis.asyncio

        self._redis = redis.asyncio.from_url(url)
        self._script = self._redis.register_script(_REPORT_SCRIPT)

    async def report(self, *, event_id: int, process_id: str, count: int, ttl: float) -> int:
        now = time.time()
        total = await self._script(
            keys=[f"live:online:{event_id}:procs", f"live:online:{event_id}:counts"],
            args=[process_id, count, now, now + ttl, max(1, int(ttl * 2))],
        )
        return int(total)

    async def close(self) -> None:
        await self._redis.aclose()


def make_presence() -> MemoryPresence | RedisPresence:
    url = getattr(settings, "REDIS_URL", "")
    return RedisPresence(url) if url else MemoryPresence()
