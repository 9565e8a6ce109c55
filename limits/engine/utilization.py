"""Current utilization of a scope's limits, for the account summary (no order involved)."""

from __future__ import annotations

from decimal import Decimal

from limits.engine.exposure import cash_in_base, holdings, worst_side
from limits.engine.snapshot import ScopeState, Snapshot
from limits.engine.types import HUNDRED, ZERO, Missing


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
    held = holdings(snapshot, scope)
    book = None if isinstance(held, Missing) else held
    if limits.max_position_notional is not None:
        worst = max((abs(n) for n, _ in book.per_symbol.values()), default=ZERO) if book else ZERO
        result["max_position_notional"] = _pct(worst, limits.max_position_notional) if book else None
    if limits.max_gross_exposure is not None:
        result["max_gross_exposure"] = _pct(book.gross, limits.max_gross_exposure) if book else None
    if limits.max_net_exposure is not None:
        result["max_net_exposure"] = _pct(abs(book.net), limits.max_net_exposure) if book else None
    if limits.max_leverage is not None:
        equity = cash_in_base(snapshot, scope.cash, scope.base_currency)
        if book is None or isinstance(equity, Missing) or equity + scope.unrealized_pnl <= 0:
            result["max_leverage"] = None
        else:
            result["max_leverage"] = _pct(book.gross / (equity + scope.unrealized_pnl), limits.max_leverage)
    if limits.max_daily_loss is not None:
        result["max_daily_loss"] = _pct(max(-scope.daily_pnl, ZERO), limits.max_daily_loss)
    if limits.max_var is not None:
        result["max_var"] = None if scope.latest_var is None else _pct(scope.latest_var, limits.max_var)
    if limits.max_orders_per_minute is not None:
        result["max_orders_per_minute"] = _pct(
            Decimal(scope.orders_last_minute), Decimal(limits.max_orders_per_minute)
        )
    return result
