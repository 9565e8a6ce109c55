"""The order-rate window (`max_orders_per_minute`), shared by every process and server.

With REDIS_URL set, each scope (strategy, account, group) has a sorted set of the orders checked in
the last 60 seconds, scored by Redis' own clock (TIME) so that servers with skewed clocks agree. One
Lua script trims, counts and adds for every scope of a check atomically, so two concurrent checks
always see different counts. Every checked order counts, accepted or not (the engine counts the same
way within a basket); idempotent replays do not, since they are not new orders.

Without REDIS_URL (the SQLite demo) the window is the OrderRateTick table, written inside the
check's transaction: the check holds its scope locks (a write lock on SQLite), so counting and
adding are serialised the same way. A Redis that cannot be reached raises RateUnavailable, which the
API answers with 503: the check fails closed.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import redis
from django.conf import settings

from limits.models.checks import OrderRateTick

WINDOW = timedelta(seconds=60)

# KEYS: one sorted set per scope, then keys only read (the limits' generation tokens, see
# limits_source.py: read in the same round trip); ARGV[1]: window in ms; ARGV[2]: a unique member
# prefix; ARGV[3]: how many KEYS are windows; ARGV[4..]: how many orders to add to each window.
# Returns the count in each window before adding, then the value of each read key (nil if absent).
_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local windows = tonumber(ARGV[3])
local out = {}
for i = 1, windows do
  local key = KEYS[i]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  out[i] = redis.call('ZCARD', key)
  local n = tonumber(ARGV[i + 3])
  for j = 1, n do
    redis.call('ZADD', key, now, ARGV[2] .. ':' .. j)
  end
  redis.call('PEXPIRE', key, window + 1000)
end
for i = windows + 1, #KEYS do
  out[i] = redis.call('GET', KEYS[i])
end
return out
"""


class RateUnavailable(RuntimeError):
    """The shared order-rate store cannot be reached: no order may be accepted."""


_local = threading.local()


def redis_url() -> str:
    """RISK_RATE_REDIS_URL if set (a Redis of its own for the window), else REDIS_URL; "" = no Redis."""
    return str(getattr(settings, "RISK_RATE_REDIS_URL", "") or settings.REDIS_URL)


def _client() -> tuple[redis.Redis, Any]:
    """A Redis client and the registered script, per thread and URL (tests switch URLs)."""
    url = redis_url()
    cached = getattr(_local, "client", None)
    if cached is None or cached[0] != url:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        cached = (url, client, client.register_script(_LUA))
        _local.client = cached
    return cached[1], cached[2]


def scope_key(kind: str, scope_id: int) -> str:
    # The prefix is a setting so that test runs sharing one Redis do not count each other's orders.
    prefix = getattr(settings, "RISK_RATE_KEY_PREFIX", "rp:rate")
    return f"{prefix}:{kind}:{scope_id}"


def count_add_and_read(
    added: Mapping[str, int], *, now: datetime, read: Sequence[str] = ()
) -> tuple[dict[str, int], list[bytes | None]]:
    """For each scope key, the orders in its window before this check; then add `added[key]` orders.
    Also the raw values of the Redis keys `read`, from the same round trip (limits_source.py asks
    only when the cache shares the window's Redis).

    Must be called inside the check's transaction, after the scope locks (the database fallback
    relies on them).
    """
    keys: list[str] = list(added)
    if not redis_url():
        if read:
            raise ValueError("Keys can only be read along with the window when it lives in Redis.")
        return _count_and_add_db(added, now=now), []
    if not keys and not read:
        return {}, []
    _, script = _client()
    try:
        out = script(
            keys=[*keys, *read],
            args=[int(WINDOW.total_seconds() * 1000), uuid.uuid4().hex, len(keys), *added.values()],
        )
    except redis.RedisError as exc:
        raise RateUnavailable(f"Order-rate store unavailable: {exc}") from exc
    counts = {key: int(count) for key, count in zip(keys, out[: len(keys)], strict=True)}
    return counts, list(out[len(keys) :])


def _count_and_add_db(added: Mapping[str, int], *, now: datetime) -> dict[str, int]:
    since = now - WINDOW
    counts: dict[str, int] = {}
    for key in added:
        # Old ticks are deleted as we go, so the table stays at most a minute of orders deep.
        OrderRateTick.objects.filter(scope_key=key, at__lte=since).delete()
        counts[key] = OrderRateTick.objects.filter(scope_key=key).count()
    OrderRateTick.objects.bulk_create(
        [OrderRateTick(scope_key=key, at=now) for key, n in added.items() for _ in range(n)]
    )
    return counts
