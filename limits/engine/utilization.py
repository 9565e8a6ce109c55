"""Current use of a scope's standing limits (no order involved): for the account summary, the nightly
limit alerts and the risk managers' pages. One implementation: `utilization` (percentages) is
`utilization_figures` (value, limit and percent per limit) reduced to its percentages, and the
position limits take their worst instrument from `instrument_figures`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from limits.engine.exposure import cash_in_base, holdings, symbol_exposure, worst_side
from limits.engine.snapshot import ScopeState, Snapshot
from limits.engine.types import HUNDRED, ZERO, Missing

NO_VAR_REPORT = "no VaR figure (no successful risk report in the base currency)"
EQUITY_NOT_POSITIVE = "equity is not positive"


@dataclass(frozen=True, slots=True)
class LimitFigure:
    """One standing limit of a scope: the figure it limits (`value`, in the limit's unit: a quantity,
    money in the scope's base currency, a ratio for leverage, orders for the rate), the limit and the
    percent in use. `value` and `pct` are None when the figure cannot be computed; `missing` then says
    why. `symbol` names the instrument a per-instrument limit is measured on (its most used one)."""

    name: str
    value: Decimal | None
    limit: Decimal
    pct: Decimal | None
    symbol: str | None = None
    missing: str | None = None


@dataclass(frozen=True, slots=True)
class InstrumentFigure:
    """One instrument of a scope's book at its worse side of open reservations: the signed quantity,
    and its signed notional and initial margin in the base currency (None with `missing` when the mark,
    FX rate or instrument is missing)."""

    symbol: str
    quantity: Decimal
    notional: Decimal | None
    margin: Decimal | None
    missing: str | None = None


def _pct(value: Decimal, limit: Decimal) -> Decimal | None:
    return value * HUNDRED / limit if limit > 0 else None


def _figure(name: str, value: Decimal | None, limit: Decimal, **extra: str | None) -> LimitFigure:
    return LimitFigure(name, value, limit, None if value is None else _pct(value, limit), **extra)


def instrument_figures(snapshot: Snapshot, scope: ScopeState) -> list[InstrumentFigure]:
    """Every instrument the scope holds or has open orders in (not flat at its worse side), by
    symbol."""
    symbols = sorted(set(scope.positions) | set(scope.reserved_buy) | set(scope.reserved_sell))
    rows = []
    for symbol in symbols:
        quantity = worst_side(scope, symbol)
        if not quantity:
            continue
        entry = symbol_exposure(snapshot, scope, symbol)
        if isinstance(entry, Missing):
            rows.append(InstrumentFigure(symbol, quantity, None, None, entry.message))
        elif entry is not None:
            rows.append(InstrumentFigure(symbol, quantity, entry[0], entry[1]))
    return rows


def utilization_figures(snapshot: Snapshot, scope: ScopeState) -> dict[str, LimitFigure]:
    """{limit_name: LimitFigure} for each standing limit set on `scope`.

    Positions count their worse side of open reservations. Position limits report the most
    utilized instrument. A figure cannot be computed on a missing mark, FX rate or instrument (the
    whole book then cannot be valued), without a VaR report, or for leverage on non-positive equity:
    pages show "unknown" rather than a made-up number. A zero limit has no percent. Order-level limits
    (order size, collar) have no standing use and are not listed, except max_orders_per_minute.
    """
    limits = scope.limits
    result: dict[str, LimitFigure] = {}
    if limits.max_position_quantity is not None:
        quantities = [(abs(row.quantity), row.symbol) for row in instrument_figures(snapshot, scope)]
        worst_quantity, worst_symbol = max(quantities, default=(ZERO, None))
        result["max_position_quantity"] = _figure(
            "max_position_quantity", worst_quantity, limits.max_position_quantity, symbol=worst_symbol
        )
    held = holdings(snapshot, scope)
    missing = held.message if isinstance(held, Missing) else None
    book = None if isinstance(held, Missing) else held
    if limits.max_position_notional is not None:
        value: Decimal | None = None
        symbol = None
        if book is not None:
            value, symbol = max(
                ((abs(n), s) for s, (n, _) in sorted(book.per_symbol.items())), default=(ZERO, None)
            )
        result["max_position_notional"] = _figure(
            "max_position_notional", value, limits.max_position_notional, symbol=symbol, missing=missing
        )
    if limits.max_gross_exposure is not None:
        gross = book.gross if book else None
        result["max_gross_exposure"] = _figure(
            "max_gross_exposure", gross, limits.max_gross_exposure, missing=missing
        )
    if limits.max_net_exposure is not None:
        net = abs(book.net) if book else None
        result["max_net_exposure"] = _figure(
            "max_net_exposure", net, limits.max_net_exposure, missing=missing
        )
    if limits.max_leverage is not None:
        cash = cash_in_base(snapshot, scope.cash, scope.base_currency)
        leverage: Decimal | None = None
        why = missing
        if isinstance(cash, Missing):
            why = cash.message
        elif book is not None:
            equity = cash + scope.unrealized_pnl
            if equity <= 0:
                why = EQUITY_NOT_POSITIVE
            else:
                leverage = book.gross / equity
        result["max_leverage"] = _figure("max_leverage", leverage, limits.max_leverage, missing=why)
    if limits.max_daily_loss is not None:
        result["max_daily_loss"] = _figure(
            "max_daily_loss", max(-scope.daily_pnl, ZERO), limits.max_daily_loss
        )
    if limits.max_var is not None:
        result["max_var"] = _figure(
            "max_var",
            scope.latest_var,
            limits.max_var,
            missing=NO_VAR_REPORT if scope.latest_var is None else None,
        )
    if limits.max_orders_per_minute is not None:
        result["max_orders_per_minute"] = _figure(
            "max_orders_per_minute",
            Decimal(scope.orders_last_minute),
            Decimal(limits.max_orders_per_minute),
        )
    return result


def utilization(snapshot: Snapshot, scope: ScopeState) -> dict[str, Decimal | None]:
    """{limit_name: percent of the limit in use} for each limit set on `scope` (None: cannot be
    computed, or a zero limit): `utilization_figures`' percentages."""
    return {name: figure.pct for name, figure in utilization_figures(snapshot, scope).items()}
