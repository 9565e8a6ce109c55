"""Cache keys for per-scope limit data, race-free against concurrent writers.

Each scope (kind, id) has a generation token. A cached entry carries the token that was current
when its reader started; writers replace the token after commit. A reader that loaded old rows
just before a commit stores them under the old token, which no later reader accepts — so a
"delete on commit" race can never leave stale limits in the cache.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

# Entries also expire on their own, as a backstop against a cache that missed an invalidation
# (e.g. a row edited by hand in SQL).
ENTRY_MAX_SECONDS = 300


def generation_key(kind: str, pk: int) -> str:
    return f"limits:gen:{kind}:{pk}"


def entry_key(kind: str, pk: int) -> str:
    return f"limits:eff:{kind}:{pk}"


def new_generation() -> str:
    return uuid.uuid4().hex


def invalidate_scope(kind: str, pk: int) -> None:
    """Make every cached entry of the scope stale, now."""
    cache.set(generation_key(kind, pk), new_generation(), timeout=None)


def invalidate_scope_on_commit(kind: str, pk: int) -> None:
    """Invalidate after the current transaction commits (at once outside a transaction).

    Invalidating before commit would let a reader re-cache the old rows in between.
    """
    transaction.on_commit(lambda: invalidate_scope(kind, pk))
