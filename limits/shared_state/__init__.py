"""The shared state of a deployment (order-rate window, generation tokens), chosen by a setting.

settings.RISK_SHARED_STATE:
- "redis" (the default when REDIS_URL is set): the window is a sorted set per scope and the tokens are
  plain keys in the Redis of REDIS_URL, under CACHE_KEY_PREFIX; the check reads both in one round trip.
- "database" (the default without REDIS_URL): the window counts the stored decisions of the last
  minute and the tokens are rows of GenerationToken, replaced in the writer's own transaction. Shared
  by every process that shares the database, so PostgreSQL alone serves several servers correctly.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from limits.shared_state.base import WINDOW, Scope, SharedState, SharedStateUnavailable
from limits.shared_state.database_state import DatabaseSharedState
from limits.shared_state.redis_state import RedisSharedState

__all__ = ["WINDOW", "Scope", "SharedState", "SharedStateUnavailable", "shared_state"]


def shared_state() -> SharedState:
    """The configured implementation (one per process and configuration)."""
    return _build(settings.RISK_SHARED_STATE, settings.REDIS_URL, settings.CACHE_KEY_PREFIX)


@lru_cache(maxsize=8)
def _build(kind: str, redis_url: str, prefix: str) -> SharedState:
    if kind == "redis":
        if not redis_url:
            raise ImproperlyConfigured("RISK_SHARED_STATE=redis needs REDIS_URL.")
        return RedisSharedState(redis_url, prefix=prefix)
    if kind == "database":
        return DatabaseSharedState()
    raise ImproperlyConfigured(f"RISK_SHARED_STATE must be 'redis' or 'database', not {kind!r}.")
