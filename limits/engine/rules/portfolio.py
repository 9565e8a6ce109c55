"""Portfolio rules: gross_exposure, net_exposure, daily_loss, leverage, insufficient_margin,
and the advisory max_var warning."""

from __future__ import annotations

from limits.engine import fmt
from limits.engine.exposure import ScopeEval
from limits.engine.findings import Findings
from limits.engine.registry import rule
from limits.engine.rules.state import scope_name
from limits.engine.types import HUNDRED, Missing


@rule("gross_exposure")
def gross_exposure(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.max_gross_exposure
    if limit is None or not ev.priced:
        return
    book = ev.book()
    if isinstance(book, Missing):
        out.missing(book, ev.scope)
        return
    base = ev.scope.base_currency
    out.limit(
        "gross_exposure",
        ev.scope,
        "Gross exposure",
        book.gross_after,
        limit,
        lambda v: fmt.money(v, base),
        blocks=book.gross_after > book.gross_before,
    )


@rule("net_exposure")
def net_exposure(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.max_net_exposure
    if limit is None or not ev.priced:
        return
    book = ev.book()
    if isinstance(book, Missing):
        out.missing(book, ev.scope)
        return
    base = ev.scope.base_currency
    out.limit(
        "net_exposure",
        ev.scope,
        "Net exposure",
        book.net_after,
        limit,
        lambda v: fmt.money(v, base),
        blocks=book.net_after > book.net_before,
    )


@rule("daily_loss")
def daily_loss(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.max_daily_loss
    if limit is None:
        return
    loss = -ev.scope.daily_pnl
    base = ev.scope.base_currency
    if loss >= limit and ev.risk_increasing:
        out.violation(
            "daily_loss",
            ev.scope,
            f"Daily loss {fmt.money(loss, base)} reached limit {fmt.money(limit, base)}: "
            f"only risk-reducing orders are accepted",
            limit,
            loss,
        )
        return
    if limit > 0 and loss * HUNDRED >= limit * ev.scope.limits.warn_utilization_pct:
        out.warning(
            "daily_loss",
            ev.scope,
            f"Daily loss {fmt.money(loss, base)} is at {loss * HUNDRED / limit:,.1f}% of limit "
            f"{fmt.money(limit, base)}",
            limit,
            loss,
        )


@rule("leverage")
def leverage(ev: ScopeEval, out: Findings) -> None:
    limit = ev.scope.limits.max_leverage
    # Non-positive equity blocks risk at the account whatever its limits; strategies and groups
    # only when they set a leverage limit (a strategy shares its account's capital).
    if (limit is None and ev.scope.kind != "account") or not ev.priced:
        return
    equity = ev.equity()
    if isinstance(equity, Missing):
        out.missing(equity, ev.scope)
        return
    base = ev.scope.base_currency
    if equity <= 0:
        if ev.risk_increasing:
            out.violation(
                "leverage",
                ev.scope,
                f"Equity of {scope_name(ev)} is {fmt.money(equity, base)}, not positive: "
                f"risk-increasing orders are blocked",
                limit,
                equity,
            )
        return
    if limit is None:
        return
    book = ev.book()
    if isinstance(book, Missing):
        out.missing(book, ev.scope)
        return
    out.limit(
        "leverage",
        ev.scope,
        "Leverage",
        book.gross_after / equity,
        limit,
        fmt.ratio,
        blocks=book.gross_after > book.gross_before,
    )


@rule("insufficient_margin")
def insufficient_margin(ev: ScopeEval, out: Findings) -> None:
    # A strategy has no capital of its own; its margin is part of the account's.
    if ev.scope.kind == "strategy" or not ev.priced:
        return
    equity = ev.equity()
    if isinstance(equity, Missing):
        out.missing(equity, ev.scope)
        return
    book = ev.book()
    if isinstance(book, Missing):
        out.missing(book, ev.scope)
        return
    base = ev.scope.base_currency
    required = book.margin_after
    if required > equity and required > book.margin_before:
        out.violation(
            "insufficient_margin",
            ev.scope,
            f"Initial margin {fmt.money(required, base)} exceeds equity {fmt.money(equity, base)}",
            equity,
            required,
        )
    elif equity > 0 and required * HUNDRED >= equity * ev.scope.limits.warn_utilization_pct:
        out.warning(
            "insufficient_margin",
            ev.scope,
            f"Initial margin {fmt.money(required, base)} is at {required * HUNDRED / equity:,.1f}% "
            f"of equity {fmt.money(equity, base)}",
            equity,
            required,
        )


@rule("var")
def var(ev: ScopeEval, out: Findings) -> None:
    """Advisory only: the contract has no VaR violation code and a pre-trade VaR would need the risk
    model, so the latest stored VaR is compared with max_var as a warning. Unknown VaR: nothing."""
    limit = ev.scope.limits.max_var
    latest = ev.scope.latest_var
    if limit is None or latest is None or limit <= 0:
        return
    if latest * HUNDRED >= limit * ev.scope.limits.warn_utilization_pct:
        base = ev.scope.base_currency
        out.warning(
            "var",
            ev.scope,
            f"Latest VaR {fmt.money(latest, base)} is at {latest * HUNDRED / limit:,.1f}% of limit "
            f"{fmt.money(limit, base)}",
            limit,
            latest,
        )
