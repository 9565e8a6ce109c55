"""Effective limits of a check's scopes: the shared cache of limits.selectors, plus a per-process copy.

limits.selectors caches effective limits per scope in the shared cache under a generation token that
every limit change replaces after commit (limits/cache.py). Fetching them costs a Redis round trip
and an unpickle per check; instead, when the order-rate window lives in the same Redis as the cache,
the rate script also returns the scopes' current generation tokens (rate.count_add_and_read), and
each process keeps the engine limits it built for a scope under the token it saw *before* loading
them. A token that has moved since is a miss and reloads from the shared cache, so a limit change is
seen by the next check on every process; entries holding an override also lapse at its expiry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.cache import cache

from limits.cache import generation_key
from limits.checks import rate
from limits.checks.snapshot import Locked, ScopeLimits
from limits.engine.snapshot import Limits
from limits.selectors import effective_limits_of_scopes

Scope = tuple[str, int]

# scope -> (generation token as stored, engine limits, end of validity or None)
_local: dict[Scope, tuple[bytes, Limits, datetime | None]] = {}


def check_scopes(locked: Locked) -> list[Scope]:
    """Every scope whose limits the check evaluates: the account, the named strategies, the groups."""
    return [
        ("account", locked.account.id),
        *(("strategy", row.id) for row in locked.strategies.values()),
        *(("group", row.id) for row in locked.groups),
    ]


def generation_keys(scopes: Sequence[Scope]) -> list[str]:
    """The cache's own keys of the scopes' generation tokens, when the rate window's Redis holds
    them (then they are read in the rate script's round trip); else none."""
    cache_config = settings.CACHES["default"]
    shared = (
        cache_config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        and cache_config.get("LOCATION") == rate.redis_url()
    )
    if not shared:
        return []
    return [cache.make_and_validate_key(generation_key(kind, pk)) for kind, pk in scopes]


def scope_limits(
    locked: Locked, scopes: Sequence[Scope], *, now: datetime, generations: Sequence[bytes | None] = ()
) -> ScopeLimits:
    """Engine limits of the account, of each named strategy and of each group (by group id).

    `scopes` are `check_scopes(locked)`; `generations` their tokens as read with the rate window, in
    the same order, or empty to read everything from the shared cache.
    """
    found = _from_local(scopes, generations, now) if generations else {}
    missing = [scope for scope in scopes if scope not in found]
    if missing:
        loaded = effective_limits_of_scopes(missing)
        tokens = dict(zip(scopes, generations, strict=True)) if generations else {}
        for scope in missing:
            engine = loaded[scope].as_engine_limits()
            found[scope] = engine
            token = tokens.get(scope)
            if token is not None:
                # Under the token read before loading: a change committed since moved the token, so a
                # newer reader misses instead of keeping these values.
                _local[scope] = (token, engine, loaded[scope].valid_until)
    return ScopeLimits(
        account=found[scopes[0]],
        strategies={code: found[("strategy", row.id)] for code, row in locked.strategies.items()},
        groups={g.id: found[("group", g.id)] for g in locked.groups},
    )


def _from_local(
    scopes: Sequence[Scope], generations: Sequence[bytes | None], now: datetime
) -> dict[Scope, Limits]:
    found: dict[Scope, Limits] = {}
    for scope, token in zip(scopes, generations, strict=True):
        entry = _local.get(scope)
        if entry is None or token is None or entry[0] != token:
            continue
        if entry[2] is not None and now >= entry[2]:
            continue
        found[scope] = entry[1]
    return found


def forget() -> None:
    """Drop this process's copies (tests; the tokens keep them correct otherwise)."""
    _local.clear()
