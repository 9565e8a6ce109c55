"""Snapshot builders for engine tests: one account, one strategy, one group, USD base."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from limits.engine import DraftOrder, InstrumentRef, Limits, Mark, ScopeState, Snapshot
from limits.engine.snapshot import RiskModel

D = Decimal
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
SCOPES = ("strategy", "account", "group")
CODES = {"strategy": "momo", "account": "ACC-1", "group": "DESK"}

INSTRUMENTS = {
    "AAPL": InstrumentRef("AAPL", "equity", "USD", D(1), D("0.10")),
    "MSFT": InstrumentRef("MSFT", "equity", "USD", D(1), D("0.10")),
    "SAP": InstrumentRef("SAP", "equity", "EUR", D(1), D("0.20")),
    "ES": InstrumentRef("ES", "future", "USD", D(50), D("0.05")),
    "AAPL-C": InstrumentRef(
        "AAPL-C", "option", "USD", D(100), D("0.15"), underlying="AAPL", option_type="call", strike=D(10)
    ),
}


def marks(**prices: str) -> dict[str, Mark]:
    return {symbol: Mark(D(price), NOW - timedelta(seconds=5)) for symbol, price in prices.items()}


DEFAULT_MARKS = marks(AAPL="10", MSFT="10", SAP="10", ES="10", **{"AAPL-C": "1"})

# Factors AAPL, MSFT, SAP, ES (the option loads on AAPL): exposure per unit = mark x multiplier
# (the option: delta 0.5 x AAPL x 100).
FACTORS = {"AAPL": 0, "MSFT": 1, "SAP": 2, "ES": 3}
LOADINGS = {"AAPL": (0, 10.0), "MSFT": (1, 10.0), "SAP": (2, 10.0), "ES": (3, 500.0), "AAPL-C": (0, 500.0)}


def risk_model(vols: dict[str, float] | None = None, correlation: float = 0.0, **kw: Any) -> RiskModel:
    """A model with daily return vols per factor (default: none, so every VaR is 0)."""
    sigma = np.array([(vols or {}).get(name, 0.0) for name in FACTORS])
    corr = np.full((len(FACTORS), len(FACTORS)), correlation)
    np.fill_diagonal(corr, 1.0)
    return RiskModel(
        as_of=NOW.date(),
        covariance=np.outer(sigma, sigma) * corr,
        loadings=kw.pop("loadings", LOADINGS),
        **kw,
    )


QUIET_MODEL = risk_model()


def snapshot(
    limits_in: str | None = None,
    limits: Limits | None = None,
    *,
    states: dict[str, str] | None = None,
    positions: dict[str, str] | None = None,
    reserved_buy: dict[str, str] | None = None,
    reserved_sell: dict[str, str] | None = None,
    cash: dict[str, str] | None = None,
    unrealized: str = "0",
    daily_pnl: str = "0",
    orders_last_minute: int = 0,
    latest_var: str | None = None,
    marks_: dict[str, Mark] | None = None,
    fx: dict[tuple[str, str], str] | None = None,
    **extra: Any,
) -> Snapshot:
    """The same book in strategy, account and group (so a finding's scope is the limit's scope);
    `limits` apply only to scope `limits_in` (or to every scope when limits_in is "all")."""

    def dec(mapping: dict[str, str] | None) -> dict[str, Decimal]:
        return {k: D(v) for k, v in (mapping or {}).items()}

    def scope(kind: str) -> ScopeState:
        return ScopeState(
            kind=kind,  # type: ignore[arg-type]
            code=CODES[kind],
            base_currency="USD",
            trading_state=(states or {}).get(kind, "active"),  # type: ignore[arg-type]
            limits=limits if limits is not None and limits_in in (kind, "all") else Limits(),
            positions=dec(positions),
            reserved_buy=dec(reserved_buy),
            reserved_sell=dec(reserved_sell),
            cash=dec(cash if cash is not None else {"USD": "1000000000"}),
            unrealized_pnl=D(unrealized),
            daily_pnl=D(daily_pnl),
            orders_last_minute=orders_last_minute,
            latest_var=None if latest_var is None else D(latest_var),
        )

    snap = Snapshot(
        now=NOW,
        account=scope("account"),
        instruments=INSTRUMENTS,
        marks=DEFAULT_MARKS if marks_ is None else marks_,
        fx_rates={k: D(v) for k, v in (fx if fx is not None else {("EUR", "USD"): "1.10"}).items()},
        strategies={"momo": scope("strategy")},
        groups=(scope("group"),),
        risk_model=QUIET_MODEL,
    )
    return replace(snap, **extra) if extra else snap


def order(
    side: str = "buy",
    quantity: str = "100",
    price: str | None = "10",
    symbol: str = "AAPL",
    order_type: str = "limit",
    strategy: str | None = "momo",
) -> DraftOrder:
    return DraftOrder(
        account="ACC-1",
        symbol=symbol,
        side=side,
        quantity=D(quantity),
        price=None if price is None else D(price),
        order_type=order_type,
        strategy=strategy,
    )


def codes(findings: Any) -> set[tuple[str, str]]:
    return {(f.code, f.scope) for f in findings}
