"""Rules about the order itself: unknown_instrument, missing_price, missing_fx_rate,
order_quantity, order_notional, price_collar, order_rate."""

from __future__ import annotations

from decimal import Decimal

from limits.engine import fmt
from limits.engine.exposure import ScopeEval
from limits.engine.findings import Findings
from limits.engine.registry import rule
from limits.engine.snapshot import fresh_mark
from limits.engine.types import HUNDRED, Missing


@rule("unknown_instrument", per_scope=False)
def unknown_instrument(ev: ScopeEval, out: Findings) -> None:
    if ev.order.instrument is None:
        out.violation("unknown_instrument", ev.scope, fmt.unknown_instrument(ev.order.symbol))


@rule("missing_price", per_scope=False)
def missing_price(ev: ScopeEval, out: Findings) -> None:
    if ev.order.instrument is not None and ev.order.price is None:
        out.violation("missing_price", ev.scope, fmt.missing_mark(ev.order.symbol))


@rule("missing_fx_rate")
def missing_fx_rate(ev: ScopeEval, out: Findings) -> None:
    # Every scope sums in its base currency, so the order must convert even if no limit is set.
    if ev.order.instrument is not None:
        fx = ev.fx()
        if isinstance(fx, Missing):
            out.missing(fx, ev.scope)


@rule("order_quantity")
def order_quantity(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.max_order_quantity
    if limit is not None:
        out.limit(
            "order_quantity", ev.scope, f"{ev.order.symbol} order quantity", ev.order.quantity, limit, fmt.qty
        )


@rule("order_notional")
def order_notional(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.max_order_notional
    if limit is None or not ev.priced:
        return
    unit = ev.unit_value()
    if isinstance(unit, Missing):
        out.missing(unit, ev.scope)
        return
    base = ev.scope.base_currency
    out.limit(
        "order_notional",
        ev.scope,
        f"{ev.order.symbol} order notional",
        ev.order.quantity * unit,
        limit,
        lambda v: fmt.money(v, base),
    )


@rule("price_collar")
def price_collar(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.price_collar_pct
    price = ev.order.limit_price
    # Market orders are priced at the mark, so they sit inside any collar by construction.
    if limit is None or price is None or ev.order.instrument is None:
        return
    mark = fresh_mark(ev.snapshot, ev.order.symbol)
    if mark is None:
        out.violation("missing_price", ev.scope, fmt.missing_mark(ev.order.symbol))
        return
    deviation: Decimal = abs(price - mark) * HUNDRED / mark
    out.limit(
        "price_collar",
        ev.scope,
        f"{ev.order.symbol} price {fmt.qty(price)} deviation from mark {fmt.qty(mark)}:",
        deviation,
        limit,
        fmt.pct,
    )


@rule("order_rate")
def order_rate(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.max_orders_per_minute
    if limit is not None:
        out.limit(
            "order_rate",
            ev.scope,
            "Orders in the last minute",
            Decimal(ev.scope.orders_last_minute + 1),
            Decimal(limit),
            fmt.qty,
        )
