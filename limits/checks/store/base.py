"""The interface of the check's store: lock the scopes and load, then store the decisions and commit."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from limits.checks.store.rows import CheckRows
from limits.models.checks import CheckDecision


class AccountGone(LookupError):
    """The account row vanished between authorisation and lock (deleted meanwhile)."""


@dataclass(frozen=True)
class LoadRequest:
    """What one check (an order or a basket) of one account needs read."""

    account_id: int
    strategy_codes: frozenset[str]
    symbols: frozenset[str]  # the orders' instruments
    client_order_ids: frozenset[str]
    now: datetime  # reservations expiring by then no longer count
    day_start: datetime  # the current risk day's start (positions.clock.current_day_start)
    lock: bool = True  # False: read the book as it is without locking the scopes (summaries)


class CheckSession(Protocol):
    """One check's transaction. Everything between lock_and_load and store_and_commit runs in it."""

    def lock_and_load(self, request: LoadRequest) -> CheckRows:
        """Lock the account's scopes (its groups by id, then the account; unless request.lock is
        False) and read its book, its groups' books, the marks, the FX table and earlier decisions
        under the orders' ids. Raises AccountGone if the account no longer exists."""
        ...

    def store_and_commit(self, decisions: Sequence[CheckDecision]) -> None:
        """Insert the decisions, add the accepted ones' open quantities to the reservation totals,
        and commit."""
        ...


class CheckStore(Protocol):
    def session(self) -> AbstractContextManager[CheckSession]:
        """A check's transaction: committed by store_and_commit (or on a normal exit), rolled back if
        anything raises, so a failed check leaves neither a decision nor a reservation."""
        ...
