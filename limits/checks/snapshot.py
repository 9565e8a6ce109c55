"""The engine's snapshot from what the check's store read (limits/checks/store/rows.py).

Valuation follows the ledger (positions/ledger/valuation.py): a book line's unrealized and daily
P&L come from the same functions that value the account summary, converted to each scope's base
currency at the latest FX rates. A position without a mark or FX rate is left out of these sums:
the engine's exposure and margin figures need the same mark and reject the order by name
(missing_price, missing_fx_rate), so nothing is accepted on a partial valuation.

Instruments and the previous closes come from per-process caches (refdata.py), limits from the
caller (limits.selectors, under their generation tokens).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings

from limits.checks.refdata import InstrumentTable, instruments, previous_closes
from limits.checks.store.rows import BookRows, CheckRows, MarkRow, ScopeRow
from limits.engine.snapshot import Limits, Mark, ScopeState, Snapshot
from limits.engine.types import ZERO
from limits.selectors import effective_limits_of_scopes
from limits.shared_state import Scope
from positions.ledger.errors import MissingFxRate
from positions.ledger.fx import FxTable
from positions.ledger.valuation import BookLine, line_daily_pnl, line_unrealized_pnl


@dataclass(frozen=True, slots=True)
class ScopeLimits:
    """Effective limits per scope, as the engine wants them."""

    account: Limits
    strategies: Mapping[str, Limits]
    groups: Mapping[int, Limits]


def check_scopes(rows: CheckRows) -> list[Scope]:
    """Every scope whose limits and rate window the check evaluates: account, strategies, groups."""
    return [
        ("account", rows.account.id),
        *(("strategy", s.id) for s in rows.strategies.values()),
        *(("group", g.id) for g in rows.groups),
    ]


def scope_limits(rows: CheckRows, scopes: Sequence[Scope], tokens: Sequence[str]) -> ScopeLimits:
    """The engine limits of `scopes` (check_scopes(rows)), whose generation tokens are `tokens`."""
    found = effective_limits_of_scopes(scopes, tokens=tokens)
    return ScopeLimits(
        account=found[("account", rows.account.id)].as_engine_limits(),
        strategies={
            code: found[("strategy", s.id)].as_engine_limits() for code, s in rows.strategies.items()
        },
        groups={g.id: found[("group", g.id)].as_engine_limits() for g in rows.groups},
    )


@dataclass
class _Book:
    """One scope's lines and open reservations, in instrument currencies until valued."""

    lines: list[tuple[int, BookLine]] = field(default_factory=list)
    reserved_buy: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    reserved_sell: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    cash: dict[str, Decimal] = field(default_factory=dict)


def _books(rows: CheckRows) -> tuple[_Book, dict[int, _Book], dict[int, _Book]]:
    """The account's book, its strategies' books (by strategy id) and its groups' (by group id)."""
    account = _Book(cash=dict(rows.account_book.cash))
    strategies: dict[int, _Book] = defaultdict(_Book)
    for held in rows.account_book.held:
        account.lines.append((held.instrument_id, held.line))
        if held.strategy_id is not None:
            strategies[held.strategy_id].lines.append((held.instrument_id, held.line))
    for reserved in rows.account_book.reserved:
        books = [account] if reserved.strategy_id is None else [account, strategies[reserved.strategy_id]]
        for book in books:
            (book.reserved_buy if reserved.side == "buy" else book.reserved_sell)[reserved.symbol] += (
                reserved.quantity
            )
    groups = {gid: _group_book(book) for gid, book in rows.group_books.items()}
    return account, strategies, groups


def _group_book(rows: BookRows) -> _Book:
    book = _Book(lines=[(h.instrument_id, h.line) for h in rows.held], cash=dict(rows.cash))
    for reserved in rows.reserved:
        (book.reserved_buy if reserved.side == "buy" else book.reserved_sell)[reserved.symbol] += (
            reserved.quantity
        )
    return book


def build_snapshot(
    *,
    rows: CheckRows,
    limits: ScopeLimits,
    order_symbols: Iterable[str],
    orders_last_minute: Mapping[Scope, int],
    trading_date: date,
    now: datetime,
    latest_var: Decimal | None = None,
) -> Snapshot:
    """The engine snapshot of a check. `latest_var`: the account's latest 99% VaR in its base
    currency, or None (read only when some scope sets max_var)."""
    symbols = list(order_symbols)
    table = instruments.resolve(symbols)
    if any(
        iid not in table.symbol_by_id
        for held in (rows.account_book.held, *(b.held for b in rows.group_books.values()))
        for iid in (h.instrument_id for h in held)
    ):
        table = instruments.reload()  # a position in an instrument created since the last load
    account_book, strategy_books, group_books = _books(rows)
    valuer = _Valuer(table, FxTable(rows.fx), rows.marks, previous_closes.for_date(trading_date))

    account = rows.account
    account_state = valuer.scope(
        account,
        account_book,
        limits.account,
        orders_last_minute.get(("account", account.id), 0),
        latest_var=latest_var,
    )
    strategies: dict[str, ScopeState] = {}
    for code, strategy in rows.strategies.items():
        own = valuer.scope(
            strategy,
            strategy_books.get(strategy.id, _Book()),
            limits.strategies.get(code, Limits()),
            orders_last_minute.get(("strategy", strategy.id), 0),
        )
        # A strategy has no capital of its own: it is measured against its account's.
        strategies[code] = replace(own, cash=account_state.cash, unrealized_pnl=account_state.unrealized_pnl)
    groups = tuple(
        valuer.scope(
            g,
            group_books.get(g.id, _Book()),
            limits.groups.get(g.id, Limits()),
            orders_last_minute.get(("group", g.id), 0),
        )
        for g in rows.groups
    )
    valuer.order_pairs(symbols, {account.base_currency, *(g.base_currency for g in rows.groups)})
    symbol_by_id = table.symbol_by_id
    return Snapshot(
        now=now,
        account=account_state,
        instruments=table.by_symbol,
        marks={
            symbol_by_id[iid]: Mark(mark.price, mark.as_of)
            for iid, mark in rows.marks.items()
            if iid in symbol_by_id
        },
        fx_rates=valuer.fx_pairs(),
        strategies=strategies,
        groups=groups,
        max_mark_age=timedelta(seconds=settings.RISK_MAX_MARK_AGE_SECONDS),
    )


class _Valuer:
    """Values scope books in their base currency; records every FX pair it needed for the engine."""

    def __init__(
        self,
        table: InstrumentTable,
        fx: FxTable,
        marks: Mapping[int, MarkRow],
        closes: Mapping[int, Decimal],
    ) -> None:
        self.table = table
        self.fx = fx
        self.marks = marks
        self.closes = closes
        self._pairs: dict[tuple[str, str], Decimal] = {}
        self._missing: set[tuple[str, str]] = set()

    def rate(self, ccy: str, base: str) -> Decimal | None:
        if ccy == base:
            return Decimal(1)
        key = (ccy, base)
        found = self._pairs.get(key)
        if found is not None or key in self._missing:
            return found
        try:
            found = self.fx.rate(ccy, base)
        except MissingFxRate:
            self._missing.add(key)
            return None
        self._pairs[key] = found
        return found

    def fx_pairs(self) -> dict[tuple[str, str], Decimal]:
        return dict(self._pairs)

    def scope(
        self,
        row: ScopeRow,
        book: _Book,
        limits: Limits,
        orders_last_minute: int,
        *,
        latest_var: Decimal | None = None,
    ) -> ScopeState:
        base = row.base_currency
        positions: dict[str, Decimal] = {}
        unrealized = daily = ZERO
        by_symbol = self.table.by_symbol
        symbol_by_id = self.table.symbol_by_id
        for iid, line in book.lines:
            symbol = symbol_by_id.get(iid)
            if symbol is None:
                continue
            if line.quantity:
                positions[symbol] = positions.get(symbol, ZERO) + line.quantity
            instrument = by_symbol[symbol]
            # Every currency a scope holds must convert (the engine asks for held instruments too).
            rate = self.rate(instrument.currency, base)
            mark = self.marks.get(iid)
            if rate is None or (mark is None and (line.quantity or line.day_quantity)):
                continue
            price = mark.price if mark is not None else None
            m = instrument.multiplier
            if price is not None:
                unrealized += line_unrealized_pnl(line, price, m) * rate
            daily += (
                line_daily_pnl(line, mark=price, previous_close=self.closes.get(iid), multiplier=m) * rate
            )
        for symbol in (*book.reserved_buy, *book.reserved_sell):
            reserved = by_symbol.get(symbol)
            if reserved is not None:
                self.rate(reserved.currency, base)
        for ccy in book.cash:
            self.rate(ccy, base)
        return ScopeState(
            kind=row.kind,
            code=row.code,
            base_currency=base,
            trading_state=row.trading_state,
            limits=limits,
            positions=positions,
            reserved_buy=dict(book.reserved_buy),
            reserved_sell=dict(book.reserved_sell),
            cash=dict(book.cash),
            unrealized_pnl=unrealized,
            daily_pnl=daily,
            orders_last_minute=orders_last_minute,
            latest_var=latest_var,
        )

    def order_pairs(self, symbols: Iterable[str], bases: Iterable[str]) -> None:
        """Make sure the FX pairs of the orders' instruments into every scope base are offered."""
        for symbol in symbols:
            instrument = self.table.by_symbol.get(symbol)
            if instrument is None:
                continue
            for base in bases:
                self.rate(instrument.currency, base)
