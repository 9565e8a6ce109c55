"""Every numeric limit at, just below and just above the figure an order produces, in every scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from limits.engine import Limits, check_order
from tests.limits.engine.builders import SCOPES, D, codes, order, snapshot


@dataclass
class Case:
    code: str
    limit_field: str
    value: Decimal  # the figure the order produces
    eps: Decimal
    order_kwargs: dict[str, Any] = field(default_factory=dict)
    snap_kwargs: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("order_quantity", "max_order_quantity", D(100), D(1)),
    Case("order_notional", "max_order_notional", D(1000), D("0.01")),
    # position 50 + open buys 30 + this buy 20: reservations on the same side count
    Case(
        "position_quantity",
        "max_position_quantity",
        D(100),
        D(1),
        {"quantity": "20"},
        {"positions": {"AAPL": "50"}, "reserved_buy": {"AAPL": "30"}},
    ),
    Case(
        "position_notional",
        "max_position_notional",
        D(1000),
        D("0.01"),
        {"quantity": "20"},
        {"positions": {"AAPL": "50"}, "reserved_buy": {"AAPL": "30"}},
    ),
    # open sells on AAPL do not offset a buy; MSFT short 40 at mark 10 adds 400 gross
    Case(
        "gross_exposure",
        "max_gross_exposure",
        D(1400),
        D("0.01"),
        {},
        {"positions": {"MSFT": "-40"}, "reserved_sell": {"AAPL": "30"}},
    ),
    Case("net_exposure", "max_net_exposure", D(600), D("0.01"), {}, {"positions": {"MSFT": "-40"}}),
    # gross 1,400 after the order over equity 700 cash + 0 unrealized... = 2x
    Case(
        "leverage",
        "max_leverage",
        D(2),
        D("0.01"),
        {},
        {"positions": {"MSFT": "-40"}, "cash": {"USD": "600"}, "unrealized": "100"},
    ),
    Case("price_collar", "price_collar_pct", D(5), D("0.01"), {"price": "10.5"}),
    Case("price_collar", "price_collar_pct", D(5), D("0.01"), {"price": "9.5", "side": "sell"}),
    Case("order_rate", "max_orders_per_minute", D(10), D(1), {}, {"orders_last_minute": 9}),
]


def _limits(case: Case, limit: Decimal) -> Limits:
    value: Any = int(limit) if case.limit_field == "max_orders_per_minute" else limit
    return Limits(**{case.limit_field: value})


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.value}")
def test_it_accepts_at_the_limit_with_a_warning(case: Case, scope: str) -> None:
    snap = snapshot(scope, _limits(case, case.value), **case.snap_kwargs)
    decision = check_order(order(**case.order_kwargs), snap)
    assert decision.decision == "accepted", decision.violations
    assert codes(decision.warnings) == {(case.code, scope)}
    assert decision.warnings[0].value == case.value


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.value}")
def test_it_rejects_just_above_the_limit(case: Case, scope: str) -> None:
    snap = snapshot(scope, _limits(case, case.value - case.eps), **case.snap_kwargs)
    decision = check_order(order(**case.order_kwargs), snap)
    assert decision.decision == "rejected"
    assert codes(decision.violations) == {(case.code, scope)}
    violation = decision.violations[0]
    assert violation.value == case.value
    assert violation.limit == case.value - case.eps
    assert "exceeds limit" in violation.message


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.value}")
def test_it_accepts_below_the_limit(case: Case, scope: str) -> None:
    # well below the warning threshold too: no findings at all
    snap = snapshot(scope, _limits(case, case.value * 2), **case.snap_kwargs)
    decision = check_order(order(**case.order_kwargs), snap)
    assert decision.decision == "accepted"
    assert decision.warnings == ()


@pytest.mark.parametrize(
    ("warn_pct", "limit", "warns"),
    [(D(80), D(125), True), (D(80), D("125.01"), False), (D(50), D(200), True), (D(50), D("200.01"), False)],
)
def test_it_warns_from_warn_utilization_pct(warn_pct: Decimal, limit: Decimal, warns: bool) -> None:
    snap = snapshot("account", Limits(max_order_quantity=limit, warn_utilization_pct=warn_pct))
    decision = check_order(order(), snap)
    assert decision.decision == "accepted"
    assert bool(decision.warnings) is warns


def test_it_formats_money_with_thousands_and_currency() -> None:
    snap = snapshot("account", Limits(max_position_notional=D(1_000_000)))
    decision = check_order(order(quantity="125000"), snap)
    assert [v.message for v in decision.violations] == [
        "AAPL position notional 1,250,000.00 USD exceeds limit 1,000,000.00 USD"
    ]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.value}")
def test_it_accepts_just_below_the_limit(case: Case, scope: str) -> None:
    snap = snapshot(scope, _limits(case, case.value + case.eps), **case.snap_kwargs)
    decision = check_order(order(**case.order_kwargs), snap)
    assert decision.decision == "accepted", decision.violations
    assert codes(decision.warnings) == {(case.code, scope)}
