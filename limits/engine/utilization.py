"""Current utilization of a scope's limits, for the account summary (no order involved)."""

from __future__ import annotations

from decimal import Decimal

from limits.engine.exposure import Missing, build_book, cash_in_base, worst_side
from limits.engine.snapshot import ScopeState, Snapshot, fresh_mark, fx_rate
from limits.engine.types import HUNDRED, ZERO


def _pct(value: Decimal, limit: Decimal) -> Decimal | None:
    return value * HUNDRED / limit if limit > 0 else None


def utilization(snapshot: Snapshot, scope: ScopeState) -> dict[str, Decimal | None]:
    """{limit_name: percent of the limit in use} for each limit set on `scope`.

    Positions count their worse side of open reservations. Position limits report the most
    utilized instrument. A percent is None when it cannot be computed (missing mark, FX rate or
    instrument; a zero limit; no VaR report; non-positive equity for leverage): the summary shows
    "unknown" rather than a made-up number. Order-level limits (order size, collar) have no
    standing utilization and are not listed, except max_orders_per_minute.
    """
    limits = scope.limits
    result: dict[str, Decimal | None] = {}
    symbols = set(scope.positions) | set(scope.reserved_buy) | set(scope.reserved_sell)
    if limits.max_position_quantity is not None:
        worst = max((abs(worst_side(scope, s)) for s in symbols), default=ZERO)
        result["max_position_quantity"] = _pct(worst, limits.max_position_quantity)
    if limits.max_position_notional is not None:
        result["max_position_notional"] = _position_notional_pct(
            snapshot, scope, symbols, limits.max_position_notional
        )
    book = None
    if (
        limits.max_gross_exposure is not None
        or limits.max_net_exposure is not None
        or limits.max_leverage is not None
    ):
        book = build_book(snapshot, scope, None, None, ZERO, ZERO)
    if limits.max_gross_exposure is not None:
        result["max_gross_exposure"] = (
            None
            if book is None or isinstance(book, Missing)
            else _pct(book.gross_after, limits.max_gross_exposure)
        )
    if limits.max_net_exposure is not None:
        result["max_net_exposure"] = (
            None
            if book is None or isinstance(book, Missing)
            else _pct(book.net_after, limits.max_net_exposure)
        )
    if limits.max_leverage is not None:
        equity = cash_in_base(snapshot, scope.cash, scope.base_currency)
        if book is None or isinstance(book, Missing) or isinstance(equity, Missing):
            result["max_leverage"] = None
        else:
            equity += scope.unrealized_pnl
            result["max_leverage"] = (
                _pct(book.gross_after / equity, limits.max_leverage) if equity > 0 else None
            )
    if limits.max_daily_loss is not None:
        result["max_daily_loss"] = _pct(max(-scope.daily_pnl, ZERO), limits.max_daily_loss)
    if limits.max_var is not None:
        result["max_var"] = None if scope.latest_var is None else _pct(scope.latest_var, limits.max_var)
    if limits.max_orders_per_minute is not None:
        result["max_orders_per_minute"] = _pct(
            Decimal(scope.orders_last_minute), Decimal(limits.max_orders_per_minute)
        )
    return result


def _position_notional_pct(
    snapshot: Snapshot, scope: ScopeState, symbols: set[str], limit: Decimal
) -> Decimal | None:
    worst = ZERO
    for symbol in symbols:
        quantity = worst_side(scope, symbol)
        if not quantity:
            continue
        instrument = snapshot.instruments.get(symbol)
        mark = fresh_mark(snapshot, symbol)
        fx = None if instrument is None else fx_rate(snapshot, instrument.currency, scope.base_currency)
        if instrument is None or mark is None or fx is None:
            return None
        worst = max(worst, abs(quantity * mark * instrument.multiplier * fx))
    return _pct(worst, limit)
