"""Effective limits cached in each process under their scope's generation token, race-free against
concurrent writers.

Each scope (kind, id) has a generation token in the shared state (limits/shared_state). Every writer
of a scope's limits replaces its token (after commit with Redis, in its own transaction with the
database). A reader reads the token first, then the rows, and keeps what it built under the token it
read. A reader that loaded old rows just before a commit keeps them under the old token, which no
later reader accepts once the token has moved — so a "delete on commit" race can never leave stale
limits in use. Entries holding an override also lapse at its expiry, and every entry after
ENTRY_MAX_SECONDS (a backstop for rows edited by hand in SQL).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from limits.shared_state import Scope, shared_state

if TYPE_CHECKING:
    from limits.selectors import EffectiveLimits

ENTRY_MAX_SECONDS = 300.0


def generation_key(kind: str, pk: int) -> str:
    return f"limits:{kind}:{pk}"


def generation_keys(scopes: Sequence[Scope]) -> list[str]:
    return [generation_key(kind, pk) for kind, pk in scopes]


def invalidate_scope_on_commit(kind: str, pk: int) -> None:
    """Make every cached copy of the scope's limits stale once the current transaction commits."""
    shared_state().replace_token(generation_key(kind, pk))


class ScopeLimitsCache:
    """This process's copies: scope -> (token, limits, monotonic time stored)."""

    def __init__(self) -> None:
        self._entries: dict[Scope, tuple[str, EffectiveLimits, float]] = {}
        self._lock = threading.Lock()

    def get(self, scope: Scope, token: str, now: datetime) -> EffectiveLimits | None:
        entry = self._entries.get(scope)
        if entry is None or entry[0] != token or time.monotonic() - entry[2] > ENTRY_MAX_SECONDS:
            return None
        return entry[1] if entry[1].is_fresh(now) else None

    def put(self, scope: Scope, token: str, limits: EffectiveLimits) -> None:
        with self._lock:
            self._entries[scope] = (token, limits, time.monotonic())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


scope_limits_cache = ScopeLimitsCache()
