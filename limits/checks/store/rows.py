"""What a check's store returns: typed rows, the same from every store (limits/checks/store/*.py).

Positions come as BookLines (positions/ledger/valuation.py): an account's one per position, a
group's summed per instrument over its accounts. The line's day-start figures follow
positions/ledger/book.py (a day-start snapshot stamped with an older day start is stale: the current
state is the day-start state), so the check values daily P&L exactly as the ledger does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from limits.engine.types import ScopeKind, TradingState
from positions.ledger.valuation import BookLine


@dataclass(frozen=True, slots=True)
class ScopeRow:
    """A locked (or read) scope row: its database id, code, trading state and base currency."""

    kind: ScopeKind
    id: int
    code: str
    trading_state: TradingState
    base_currency: str


@dataclass(frozen=True, slots=True)
class HeldLine:
    """Positions of one instrument in a book (one position of an account; a group's sum)."""

    instrument_id: int
    strategy_id: int | None  # the position's strategy in an account book; None in a group's
    line: BookLine


@dataclass(frozen=True, slots=True)
class ReservedLine:
    """Open reservations of a book on one symbol and side (unexpired, quantity > 0)."""

    strategy_id: int | None  # None in a group's book
    symbol: str
    side: str
    quantity: Decimal


@dataclass
class BookRows:
    """An account's or a group's book: held lines, open reservations and cash per currency."""

    held: list[HeldLine] = field(default_factory=list)
    reserved: list[ReservedLine] = field(default_factory=list)
    cash: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MarkRow:
    price: Decimal
    as_of: datetime  # aware


@dataclass
class CheckRows:
    """Everything the check read under its locks, from one consistent view of the database."""

    account: ScopeRow
    groups: list[ScopeRow]  # every group of the account, by id
    strategies: dict[str, ScopeRow]  # the strategies the orders name, by code (unknown ones absent)
    replays: dict[str, int]  # client_order_id -> id of the CheckDecision already stored under it
    account_book: BookRows
    group_books: dict[int, BookRows]  # by group id
    marks: dict[int, MarkRow]  # by instrument id: every instrument held, reserved or ordered, and underlyings
    fx: list[tuple[str, str, Decimal]]  # (base, quote, rate): 1 base = rate quote
