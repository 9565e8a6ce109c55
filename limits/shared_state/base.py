"""What every process and server of a deployment must agree on besides the database's tables: the
order-rate window (`max_orders_per_minute`) and the generation tokens of cached data.

A generation token names the current version of something each process caches (a scope's effective
limits, the instrument table): a writer replaces the token when it changes the thing, and a reader
that finds a token other than the one it cached under reloads. Readers read the token *before* the
data, so a change committed after that read moves the token and no reader keeps the stale data
(limits/cache.py names the race).

Two implementations, chosen once by settings.RISK_SHARED_STATE (see limits/shared_state/__init__.py):
Redis (redis_state.py) and the database (database_state.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

WINDOW = timedelta(seconds=60)

# A scope of limits: ("account" | "strategy" | "group", database id).
Scope = tuple[str, int]


class SharedStateUnavailable(RuntimeError):
    """The shared state cannot be reached: nothing may be accepted (the API answers 503)."""


class SharedState(Protocol):
    """The order-rate window and the generation tokens."""

    def window_and_tokens(
        self, added: Mapping[Scope, int], *, now: datetime, tokens: Sequence[str]
    ) -> tuple[dict[Scope, int], list[str]]:
        """For each scope of `added`, the orders checked in its window (the last minute) before this
        check, counting `added[scope]` more orders from now on; and the current value of each token
        named in `tokens`, in order.

        Call inside the check's transaction, after its scope locks: the locks serialise the checks
        of a scope, so two concurrent checks never see the same count.
        """
        ...

    def tokens(self, names: Sequence[str]) -> list[str]:
        """The current value of each named token, in order (a token never replaced has a value too)."""
        ...

    def replace_token(self, name: str) -> None:
        """Give `name` a new value once the current transaction commits (at once outside one)."""
        ...
