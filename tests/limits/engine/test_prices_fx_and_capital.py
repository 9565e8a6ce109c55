"""Market pricing, stale and missing data (fail closed), FX, equity, margin and daily loss."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from limits.engine import AcceptedDecision, Limits, Mark, check_order, reserve
from tests.limits.engine.builders import DEFAULT_MARKS, NOW, SCOPES, D, codes, marks, order, snapshot


def test_a_market_order_is_priced_at_the_mark() -> None:
    snap = snapshot("account", Limits(max_order_notional=D(10_000)), marks_=marks(AAPL="187.20"))
    decision = check_order(order(order_type="market", price=None, quantity="50"), snap)
    assert isinstance(decision, AcceptedDecision)
    assert decision.order.price == D("187.20")
    assert decision.notional == D("9360.00")
    rejected = check_order(order(order_type="market", price=None, quantity="54"), snap)
    assert codes(rejected.violations) == {("order_notional", "account")}


def test_a_market_order_ignores_a_price_sent_with_it() -> None:
    decision = check_order(order(order_type="market", price="1"), snapshot(marks_=marks(AAPL="20")))
    assert decision.order.price == D(20)
    assert decision.order.limit_price is None


@pytest.mark.parametrize(
    "mark",
    [
        None,
        Mark(D(10), NOW - timedelta(minutes=15, seconds=1)),  # stale
        Mark(D(0), NOW),  # never priced at zero
    ],
)
def test_a_market_order_without_a_fresh_mark_is_rejected_with_missing_price(mark: Mark | None) -> None:
    prices = {} if mark is None else {"AAPL": mark}
    decision = check_order(order(order_type="market", price=None), snapshot(marks_=prices))
    assert codes(decision.violations) == {("missing_price", "account")}


def test_a_mark_exactly_at_the_maximum_age_is_fresh() -> None:
    prices = {"AAPL": Mark(D(10), NOW - timedelta(minutes=15))}
    assert check_order(order(order_type="market", price=None), snapshot(marks_=prices)).decision == "accepted"


def test_a_stale_mark_of_another_holding_fails_closed_where_exposure_is_needed() -> None:
    prices = dict(DEFAULT_MARKS)
    prices["MSFT"] = Mark(D(10), NOW - timedelta(hours=1))
    snap = snapshot("strategy", Limits(max_gross_exposure=D(10**9)), positions={"MSFT": "10"}, marks_=prices)
    decision = check_order(order(), snap)
    # the account and group need it for margin, the strategy for its gross limit
    assert codes(decision.violations) == {(c, s) for c in ["missing_price"] for s in SCOPES}
    assert "MSFT" in decision.violations[0].message


def test_a_limit_order_needs_a_fresh_mark_only_for_the_collar() -> None:
    snap = snapshot("account", Limits(price_collar_pct=D(5)), marks_={})
    assert codes(check_order(order(), snap).violations) == {("missing_price", "account")}
    assert check_order(order(), snapshot(marks_={})).decision == "accepted"


def test_an_unknown_instrument_is_rejected_by_name() -> None:
    snap = snapshot(
        "all", Limits(max_order_notional=D(1), max_position_notional=D(1), max_gross_exposure=D(1))
    )
    decision = check_order(order(symbol="NOPE"), snap)
    assert [(v.code, v.message) for v in decision.violations] == [
        ("unknown_instrument", "Unknown instrument NOPE")
    ]


def test_it_converts_to_the_base_currency_in_either_direction() -> None:
    limits = Limits(max_order_notional=D(1100))
    direct = check_order(order(symbol="SAP"), snapshot("account", limits, fx={("EUR", "USD"): "1.10"}))
    inverse = check_order(order(symbol="SAP"), snapshot("account", limits, fx={("USD", "EUR"): "0.8"}))
    assert direct.decision == "accepted"
    assert direct.warnings[0].value == D("1100.00")
    assert inverse.decision == "rejected"  # 1,000 EUR = 1,250 USD
    assert inverse.violations[0].value == D("1250")


@pytest.mark.parametrize("scope", SCOPES)
def test_a_missing_fx_rate_is_named_and_never_one(scope: str) -> None:
    decision = check_order(order(symbol="SAP"), snapshot(fx={}))
    assert {("missing_fx_rate", s) for s in SCOPES} == codes(decision.violations)
    assert decision.violations[0].message == "No FX rate from EUR to USD"


def test_a_missing_fx_rate_for_cash_rejects() -> None:
    snap = snapshot(cash={"USD": "1000000", "CHF": "5"})
    decision = check_order(order(), snap)
    assert ("missing_fx_rate", "account") in codes(decision.violations)
    assert any(v.message == "No FX rate from CHF to USD" for v in decision.violations)


@pytest.mark.parametrize(("cash", "unrealized"), [("0", "0"), ("100", "-100"), ("100", "-500")])
def test_non_positive_equity_blocks_risk_increasing_orders_without_crashing(
    cash: str, unrealized: str
) -> None:
    snap = snapshot(
        "all", Limits(max_leverage=D(5)), cash={"USD": cash}, unrealized=unrealized, positions={"AAPL": "100"}
    )
    decision = check_order(order(), snap)
    assert ("leverage", "account") in codes(decision.violations)
    assert "not positive" in decision.violations[0].message
    assert check_order(order(side="sell", quantity="50"), snap).decision == "accepted"


def test_non_positive_equity_blocks_the_account_even_without_a_leverage_limit() -> None:
    decision = check_order(order(), snapshot(cash={"USD": "-1"}))
    assert ("leverage", "account") in codes(decision.violations)
    assert ("leverage", "strategy") not in codes(decision.violations)


@pytest.mark.parametrize(
    ("cash", "accepted", "warned"),
    [("125", True, True), ("124.99", False, False), ("1000", True, False)],
)
def test_it_rejects_when_initial_margin_exceeds_equity(cash: str, accepted: bool, warned: bool) -> None:
    snap = snapshot(cash={"USD": cash}, unrealized="0", positions={"MSFT": "-25"})
    # margin after: MSFT 250 x 0.1 = 25, AAPL 1,000 x 0.1 = 100: 125 in total
    decision = check_order(order(), snap)
    assert (decision.decision == "accepted") is accepted
    if not accepted:
        assert codes(decision.violations) == {
            ("insufficient_margin", "account"),
            ("insufficient_margin", "group"),
        }
        assert decision.violations[0].value == D(125)
    assert any(w.code == "insufficient_margin" for w in decision.warnings) is warned


def test_option_margin_is_the_premium_for_longs_and_underlying_based_for_shorts() -> None:
    long_call = check_order(order(symbol="AAPL-C", quantity="2", price="1"), snapshot())
    assert isinstance(long_call, AcceptedDecision)
    assert reserve(long_call).margin == D(200)  # 2 x 100 x 1 premium
    short_call = check_order(order(symbol="AAPL-C", side="sell", quantity="2", price="1"), snapshot())
    assert isinstance(short_call, AcceptedDecision)
    assert reserve(short_call).margin == D(300)  # 2 x 100 x underlying 10 x 15%
    no_underlying = {k: v for k, v in DEFAULT_MARKS.items() if k != "AAPL"}
    rejected = check_order(order(symbol="AAPL-C", side="sell", price="1"), snapshot(marks_=no_underlying))
    assert ("missing_price", "account") in codes(rejected.violations)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize(
    ("pnl", "side", "quantity", "accepted", "warned"),
    [
        ("-1000", "buy", "10", False, False),  # at the limit blocks
        ("-1500", "buy", "10", False, False),
        ("-1000", "sell", "10", True, True),  # reducing the long passes (still warned)
        ("-1000", "sell", "150", False, False),  # flipping is risk-increasing
        ("-999.99", "buy", "10", True, True),
        ("-799.99", "buy", "10", True, False),
        ("500", "buy", "10", True, False),
    ],
)
def test_daily_loss_blocks_only_risk_increasing_orders(
    scope: str, pnl: str, side: str, quantity: str, accepted: bool, warned: bool
) -> None:
    snap = snapshot(scope, Limits(max_daily_loss=D(1000)), daily_pnl=pnl, positions={"AAPL": "100"})
    decision = check_order(order(side=side, quantity=quantity), snap)
    assert (decision.decision == "accepted") is accepted
    if not accepted:
        assert codes(decision.violations) == {("daily_loss", scope)}
    assert codes(decision.warnings) == ({("daily_loss", scope)} if warned else set())


def test_a_group_sums_in_its_own_base_currency() -> None:
    snap = snapshot("group", Limits(max_order_notional=D(900)), fx={("EUR", "USD"): "1.25"})
    group = replace(snap.groups[0], base_currency="EUR", cash={"EUR": D(10**9)})
    snap = replace(snap, groups=(group,))
    decision = check_order(order(), snap)  # 1,000 USD = 800 EUR
    assert decision.decision == "accepted"
    assert decision.warnings[0].message == "AAPL order notional 800.00 EUR is at 88.9% of limit 900.00 EUR"
    no_rate = replace(snap, fx_rates={})
    assert codes(check_order(order(), no_rate).violations) == {("missing_fx_rate", "group")}


def test_an_unknown_held_instrument_fails_closed() -> None:
    snap = snapshot("strategy", Limits(max_net_exposure=D(10**9)), positions={"GONE": "5"})
    decision = check_order(order(), snap)
    assert codes(decision.violations) == {("unknown_instrument", s) for s in SCOPES}


def test_a_market_sell_short_is_priced_at_the_mark() -> None:
    snap = snapshot("account", Limits(max_position_notional=D(500)), marks_=marks(AAPL="5"))
    assert check_order(order(side="sell", order_type="market", price=None), snap).decision == "accepted"
    decision = check_order(order(side="sell", order_type="market", price=None, quantity="101"), snap)
    assert decision.violations[0].message == "AAPL position notional 505.00 USD exceeds limit 500.00 USD"
