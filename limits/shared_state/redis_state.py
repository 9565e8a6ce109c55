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
from datetime import datetime

import redis
from django.db import transaction

from limits.shared_state.base import WINDOW, Scope, SharedStateUnavailable

# KEYS: the window of each scope, then the tokens. ARGV[1]: window in ms; ARGV[2]: a unique member
# prefix; ARGV[3]: how many KEYS are windows; ARGV[4]: a fresh token for tokens not set yet;
# ARGV[5..]: how many orders to add to each window. Returns each window's count before adding, then
# each token's value.
_WINDOW_AND_TOKENS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local windows = tonumber(ARGV[3])
local out = {}
for i = 1, windows do
  local key = KEYS[i]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  out[i] = redis.call('ZCARD', key)
  local n = tonumber(ARGV[i + 4])
  for j = 1, n do
    redis.call('ZADD', key, now, ARGV[2] .. ':' .. j)
  end
  redis.call('PEXPIRE', key, window + 1000)
end
for i = windows + 1, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if not value then
    redis.call('SET', KEYS[i], ARGV[4], 'NX')
    value = redis.call('GET', KEYS[i])
  end
  out[i] = value
end
return out
"""


class RedisSharedState:
    """SharedState in the Redis at `url`, keys under `prefix`."""

    def __init__(self, url: str, *, prefix: str) -> None:
        # Short timeouts: a check waits on this, and a Redis that does not answer must fail closed
        # quickly (503) rather than hold the check's locks.
        self._client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self._script = self._client.register_script(_WINDOW_AND_TOKENS)
        self._prefix = prefix

    def window_key(self, scope: Scope) -> str:
        kind, pk = scope
        return f"{self._prefix}:rate:{kind}:{pk}"

    def token_key(self, name: str) -> str:
        return f"{self._prefix}:token:{name}"

    def window_and_tokens(
        self, added: Mapping[Scope, int], *, now: datetime, tokens: Sequence[str]
    ) -> tuple[dict[Scope, int], list[str]]:
        # `now` is not used: the window runs on Redis' clock, which every server shares.
        return self._run(added, tokens)

    def tokens(self, names: Sequence[str]) -> list[str]:
        return self._run({}, names)[1]

    def _run(self, added: Mapping[Scope, int], tokens: Sequence[str]) -> tuple[dict[Scope, int], list[str]]:
        scopes = list(added)
        if not scopes and not tokens:
            return {}, []
        keys = [self.window_key(s) for s in scopes] + [self.token_key(n) for n in tokens]
        args: list[int | str] = [
            int(WINDOW.total_seconds() * 1000),
            uuid.uuid4().hex,
            len(scopes),
            uuid.uuid4().hex,
        ]
        try:
            out = self._script(keys=keys, args=[*args, *(added[s] for s in scopes)])
        except redis.RedisError as exc:
            raise SharedStateUnavailable(f"Redis unavailable: {exc}") from exc
        counts = {scope: int(count) for scope, count in zip(scopes, out[: len(scopes)], strict=True)}
        return counts, [value.decode() for value in out[len(scopes) :]]

    def replace_token(self, name: str) -> None:
        key, token = self.token_key(name), uuid.uuid4().hex

        def replace() -> None:
            try:
                self._client.set(key, token)
            except redis.RedisError as exc:
                raise SharedStateUnavailable(f"Redis unavailable: {exc}") from exc

        # After commit: replacing it before would let a reader cache the old rows under the new token.
        transaction.on_commit(replace)
