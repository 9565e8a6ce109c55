"""The shared state in Redis: one sorted set per scope for the order-rate window, plain keys for the
generation tokens, both read and written by Lua scripts so each call is one atomic round trip.

The window is scored by Redis' own clock (TIME), so servers with skewed clocks agree. Keys carry the
deployment's CACHE_KEY_PREFIX, so two deployments sharing one Redis never see each other's state.
A token never set (or lost with a Redis restart) is created by the first reader with SET NX, so
every reader agrees on it and a writer's later replacement still moves it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import redis
from django.db import transaction

from limits.shared_state.base import WINDOW, Scope, SharedStateUnavailable
from limits.shared_state.database_state import recent_decision_times

# A window survives a Redis restart: Redis here keeps nothing on disk, so after a restart every window
# is empty while the last minute's orders are in the database. The key SINCE records when this Redis
# first served a window; for one window length after that, a window counts only once it has been
# rebuilt from the stored decisions (it then holds the member REBUILT, scored +inf so trimming keeps
# it). Past that minute every order in any window went through this Redis, and no rebuild is needed.
REBUILT = "rebuilt"

# KEYS: SINCE, the window of each scope, then the tokens. ARGV[1]: window in ms; ARGV[2]: a unique
# member prefix; ARGV[3]: how many KEYS are windows; ARGV[4]: a fresh token for tokens not set yet;
# ARGV[5..]: how many orders to add to each window. Returns {"ok", counts before adding..., token
# values...}, or {"rebuild", window indexes...} (nothing changed) when windows must be rebuilt first.
_WINDOW_AND_TOKENS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local windows = tonumber(ARGV[3])
if windows > 0 then
  local since = tonumber(redis.call('GET', KEYS[1]))
  if not since then
    since = now
    redis.call('SET', KEYS[1], since)
  end
  if now - since < window then
    local stale = {'rebuild'}
    for i = 1, windows do
      if not redis.call('ZSCORE', KEYS[i + 1], ARGV[5 + windows]) then
        stale[#stale + 1] = i
      end
    end
    if #stale > 1 then
      return stale
    end
  end
end
local out = {'ok'}
for i = 1, windows do
  local key = KEYS[i + 1]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if redis.call('ZSCORE', key, ARGV[5 + windows]) then
    count = count - 1
  end
  out[#out + 1] = count
  local n = tonumber(ARGV[i + 4])
  for j = 1, n do
    redis.call('ZADD', key, now, ARGV[2] .. ':' .. j)
  end
  redis.call('PEXPIRE', key, window + 1000)
end
for i = windows + 2, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if not value then
    redis.call('SET', KEYS[i], ARGV[4], 'NX')
    value = redis.call('GET', KEYS[i])
  end
  out[#out + 1] = value
end
return out
"""

# KEYS: windows to rebuild. ARGV[1]: window in ms; ARGV[2]: the REBUILT member; then per key the
# number of orders followed by their times (epoch ms). Replaces each window by those orders.
_REBUILD = """
local window = tonumber(ARGV[1])
local at = 3
for i = 1, #KEYS do
  local key = KEYS[i]
  redis.call('DEL', key)
  local n = tonumber(ARGV[at])
  for j = 1, n do
    redis.call('ZADD', key, tonumber(ARGV[at + j]), 'stored:' .. j)
  end
  at = at + n + 1
  redis.call('ZADD', key, '+inf', ARGV[2])
  redis.call('PEXPIRE', key, window + 1000)
end
return #KEYS
"""


class RedisSharedState:
    """SharedState in the Redis at `url`, keys under `prefix`."""

    def __init__(self, url: str, *, prefix: str) -> None:
        # Short timeouts: a check waits on this, and a Redis that does not answer must fail closed
        # quickly (503) rather than hold the check's locks.
        self._client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self._script = self._client.register_script(_WINDOW_AND_TOKENS)
        self._rebuild = self._client.register_script(_REBUILD)
        self._prefix = prefix

    def since_key(self) -> str:
        return f"{self._prefix}:rate:since"

    def window_key(self, scope: Scope) -> str:
        kind, pk = scope
        return f"{self._prefix}:rate:{kind}:{pk}"

    def token_key(self, name: str) -> str:
        return f"{self._prefix}:token:{name}"

    def window_and_tokens(
        self, added: Mapping[Scope, int], *, now: datetime, tokens: Sequence[str]
    ) -> tuple[dict[Scope, int], list[str]]:
        try:
            out = self._run(added, tokens)
            if out[0] == b"rebuild":
                # Stored decisions are dated by the servers' clocks, the window by Redis': close enough
                # for the one minute after a restart.
                stale = [list(added)[int(i) - 1] for i in out[1:]]
                self._rebuild_from(recent_decision_times(stale, since=now - WINDOW))
                out = self._run(added, tokens)
        except redis.RedisError as exc:
            raise SharedStateUnavailable(f"Redis unavailable: {exc}") from exc
        if out[0] != b"ok":
            raise SharedStateUnavailable("The order-rate window could not be rebuilt.")
        counts = {scope: int(count) for scope, count in zip(added, out[1 : 1 + len(added)], strict=True)}
        return counts, [value.decode() for value in out[1 + len(added) :]]

    def tokens(self, names: Sequence[str]) -> list[str]:
        return self.window_and_tokens({}, now=datetime.now(UTC), tokens=names)[1]

    def _run(self, added: Mapping[Scope, int], tokens: Sequence[str]) -> list[Any]:
        scopes = list(added)
        keys = [self.since_key(), *(self.window_key(s) for s in scopes), *(self.token_key(n) for n in tokens)]
        args: list[int | str] = [int(WINDOW.total_seconds() * 1000), uuid.uuid4().hex, len(scopes)]
        args += [uuid.uuid4().hex, *(added[s] for s in scopes), REBUILT]
        return list(self._script(keys=keys, args=args))

    def _rebuild_from(self, times: Mapping[Scope, Sequence[datetime]]) -> None:
        args: list[int | str] = [int(WINDOW.total_seconds() * 1000), REBUILT]
        for scope_times in times.values():
            args += [len(scope_times), *(int(t.timestamp() * 1000) for t in scope_times)]
        self._rebuild(keys=[self.window_key(s) for s in times], args=args)

    def replace_token(self, name: str) -> None:
        key, token = self.token_key(name), uuid.uuid4().hex

        def replace() -> None:
            try:
                self._client.set(key, token)
            except redis.RedisError as exc:
                raise SharedStateUnavailable(f"Redis unavailable: {exc}") from exc

        # After commit: replacing it before would let a reader cache the old rows under the new token.
        transaction.on_commit(replace)
