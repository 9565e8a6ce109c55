"""Kill switch and reference rules: trading_halted, reduce_only, restricted_instrument."""

from __future__ import annotations

from limits.engine import fmt
from limits.engine.exposure import ScopeEval
from limits.engine.findings import Findings
from limits.engine.registry import rule


def scope_name(ev: ScopeEval) -> str:
    return f"{ev.scope.kind} {ev.scope.code}"


@rule("trading_halted")
def trading_halted(ev: ScopeEval, out: Findings) -> None:
    # Releases are not orders, so "halted" rejects every order without exception.
    if ev.scope.trading_state == "halted":
        out.violation("trading_halted", ev.scope, f"Trading is halted for {scope_name(ev)}")


@rule("reduce_only")
def reduce_only(ev: ScopeEval, out: Findings) -> None:
    if ev.scope.trading_state == "reduce_only" and ev.risk_increasing:
        out.violation(
            "reduce_only",
            ev.scope,
            f"{scope_name(ev).capitalize()} is reduce-only: {ev.order.symbol} position {fmt.qty(ev.current)} "
            f"would become {fmt.qty(ev.projected)}",
            None,
            ev.projected,
        )


@rule("restricted_instrument")
def restricted_instrument(ev: ScopeEval, out: Findings) -> None:
    if ev.order.symbol in ev.scope.limits.restricted_symbols:
        out.violation(
            "restricted_instrument", ev.scope, f"{ev.order.symbol} is restricted for {scope_name(ev)}"
        )
