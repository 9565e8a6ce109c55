"""Per-instrument position limits: position_quantity, position_notional."""

from __future__ import annotations

from limits.engine import fmt
from limits.engine.exposure import ScopeEval
from limits.engine.findings import Findings
from limits.engine.registry import rule
from limits.engine.types import Missing


@rule("position_quantity")
def position_quantity(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.max_position_quantity
    if limit is None:
        return
    after = abs(ev.projected)
    out.limit(
        "position_quantity",
        ev.scope,
        f"{ev.order.symbol} position quantity",
        after,
        limit,
        fmt.qty,
        blocks=not ev.reduces_before,
    )


@rule("position_notional")
def position_notional(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.max_position_notional
    if limit is None or not ev.priced:
        return
    unit = ev.unit_value()
    if isinstance(unit, Missing):
        out.missing(unit, ev.scope)
        return
    after = abs(ev.projected)
    base = ev.scope.base_currency
    out.limit(
        "position_notional",
        ev.scope,
        f"{ev.order.symbol} position notional",
        after * unit,
        limit,
        lambda v: fmt.money(v, base),
        blocks=not ev.reduces_before,
    )
