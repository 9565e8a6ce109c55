"""Throughput of the pure pre-trade engine on a realistic snapshot.

50 positions across USD and EUR instruments (equities, futures, options), open reservations,
every limit set in the strategy, the account and one group. Prints checks per second for a
limit order, a market order, a rejected order, a batch of 20, and utilization.

    .venv/bin/python bench/bench_engine.py
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from limits.engine import (
    DraftOrder,
    InstrumentRef,
    Limits,
    Mark,
    ScopeState,
    Snapshot,
    check_batch,
    check_order,
    utilization,
)

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def build_snapshot() -> Snapshot:
    instruments: dict[str, InstrumentRef] = {}
    marks: dict[str, Mark] = {}
    positions: dict[str, D] = {}
    reserved_buy: dict[str, D] = {}
    reserved_sell: dict[str, D] = {}
    for i in range(50):
        symbol = f"SYM{i:02d}"
        ccy = "EUR" if i % 5 == 0 else "USD"
        if i % 10 == 3:
            instruments[symbol] = InstrumentRef(symbol, "future", ccy, D(50), D("0.05"))
        elif i % 10 == 7:
            instruments[symbol] = InstrumentRef(
                symbol,
                "option",
                ccy,
                D(100),
                D("0.15"),
                underlying="SYM00",
                option_type="call",
                strike=D(100),
            )
        else:
            instruments[symbol] = InstrumentRef(symbol, "equity", ccy, D(1), D("0.20"))
        marks[symbol] = Mark(D(100) + D(i) / D(4), NOW - timedelta(seconds=i))
        positions[symbol] = D((i * 37) % 400 - 150)
        if i % 4 == 0:
            reserved_buy[symbol] = D(20)
        if i % 6 == 0:
            reserved_sell[symbol] = D(15)
    limits = Limits(
        max_order_quantity=D(10_000),
        max_order_notional=D(5_000_000),
        max_position_quantity=D(50_000),
        max_position_notional=D(10_000_000),
        max_gross_exposure=D(500_000_000),
        max_net_exposure=D(400_000_000),
        max_daily_loss=D(1_000_000),
        max_leverage=D(20),
        max_var=D(2_000_000),
        price_collar_pct=D(5),
        max_orders_per_minute=1000,
        restricted_symbols=frozenset({"XYZ", "ABC"}),
    )

    def scope(kind: str, code: str) -> ScopeState:
        return ScopeState(
            kind=kind,  # type: ignore[arg-type]
            code=code,
            base_currency="USD",
            limits=limits,
            positions=positions,
            reserved_buy=reserved_buy,
            reserved_sell=reserved_sell,
            cash={"USD": D(50_000_000), "EUR": D(5_000_000)},
            unrealized_pnl=D(125_000),
            daily_pnl=D(-40_000),
            orders_last_minute=12,
            latest_var=D(900_000),
        )

    return Snapshot(
        now=NOW,
        account=scope("account", "ACC-1"),
        instruments=instruments,
        marks=marks,
        fx_rates={("EUR", "USD"): D("1.0850")},
        strategies={"momo": scope("strategy", "momo")},
        groups=(scope("group", "DESK"),),
    )


def rate(label: str, fn: object, n: int, per_call: int = 1) -> None:
    call = fn  # type: ignore[assignment]
    for _ in range(min(n, 200)):
        call()  # type: ignore[operator]
    start = time.perf_counter()
    for _ in range(n):
        call()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    checks = n * per_call
    print(f"{label:<44} {checks / elapsed:>10,.0f} checks/s  {elapsed / checks * 1e6:>8.1f} us/check")


def main() -> None:
    snap = build_snapshot()
    limit_order = DraftOrder("ACC-1", "SYM12", "buy", D(100), D("103.10"), "limit", "momo")
    market_order = DraftOrder("ACC-1", "SYM21", "sell", D(50), None, "market", "momo")
    rejected = DraftOrder("ACC-1", "SYM12", "buy", D(20_000), D(200), "limit", "momo")
    no_strategy = DraftOrder("ACC-1", "SYM05", "buy", D(10), D("101.30"), "limit")
    assert check_order(limit_order, snap).decision == "accepted"
    assert check_order(market_order, snap).decision == "accepted"
    assert check_order(rejected, snap).decision == "rejected"
    basket = [
        DraftOrder("ACC-1", f"SYM{i:02d}", "buy", D(10), D(100) + D(i) / D(4), "limit", "momo")
        for i in range(20)
    ]
    print("snapshot: 50 positions, 3 scopes (strategy, account, group), every limit set")
    # A fresh snapshot (as in one API request) values its 50 holdings per scope once; further
    # checks on the same snapshot (and every order of a basket) reuse them.
    rate(
        "cold: fresh snapshot + limit order (3 scopes)", lambda: check_order(limit_order, replace(snap)), 1000
    )
    rate("limit order, accepted (3 scopes)", lambda: check_order(limit_order, snap), 3000)
    rate("market order, accepted (3 scopes)", lambda: check_order(market_order, snap), 3000)
    rate("limit order, rejected (3 scopes)", lambda: check_order(rejected, snap), 3000)
    rate("limit order without strategy (2 scopes)", lambda: check_order(no_strategy, snap), 3000)
    rate("batch of 20 orders", lambda: check_batch(basket, snap), 150, per_call=20)
    for label, fresh in (("utilization (account), cold", True), ("utilization (account), warm", False)):
        start = time.perf_counter()
        n = 2000
        for _ in range(n):
            s = replace(snap) if fresh else snap
            utilization(s, s.account)
        print(f"{label:<44} {n / (time.perf_counter() - start):>10,.0f} calls/s")


if __name__ == "__main__":
    main()
