"""Kill switch, reduce-only, restrictions and signed position semantics (longs, shorts, flips)."""

from __future__ import annotations

import pytest

from limits.engine import Limits, check_order
from tests.limits.engine.builders import SCOPES, D, codes, order, snapshot


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("side", ["buy", "sell"])
def test_it_rejects_every_order_when_halted(scope: str, side: str) -> None:
    snap = snapshot(states={scope: "halted"}, positions={"AAPL": "100"})
    decision = check_order(order(side=side, quantity="10"), snap)
    assert decision.decision == "rejected"
    assert codes(decision.violations) == {("trading_halted", scope)}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize(
    ("position", "reserved_sell", "side", "quantity", "accepted"),
    [
        ("100", "0", "sell", "50", True),  # closer to zero
        ("100", "0", "sell", "100", True),  # to exactly zero
        ("100", "0", "sell", "101", False),  # crosses zero
        ("100", "80", "sell", "30", False),  # open sells make it cross
        ("100", "0", "buy", "1", False),  # grows the long
        ("-100", "0", "buy", "60", True),  # covers a short
        ("-100", "0", "buy", "150", False),  # flips the short
        ("-100", "0", "sell", "1", False),  # grows the short
        ("0", "0", "buy", "1", False),  # opens a position
        ("0", "0", "sell", "1", False),
    ],
)
def test_reduce_only_accepts_only_orders_towards_zero_without_crossing(
    scope: str, position: str, reserved_sell: str, side: str, quantity: str, accepted: bool
) -> None:
    snap = snapshot(
        states={scope: "reduce_only"}, positions={"AAPL": position}, reserved_sell={"AAPL": reserved_sell}
    )
    decision = check_order(order(side=side, quantity=quantity), snap)
    assert (decision.decision == "accepted") is accepted
    if not accepted:
        assert codes(decision.violations) == {("reduce_only", scope)}


@pytest.mark.parametrize("scope", SCOPES)
def test_it_rejects_a_restricted_symbol_in_its_scope_only(scope: str) -> None:
    snap = snapshot(scope, Limits(restricted_symbols=frozenset({"AAPL"})))
    assert codes(check_order(order(), snap).violations) == {("restricted_instrument", scope)}
    assert check_order(order(symbol="MSFT"), snap).decision == "accepted"


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize(
    ("position", "side", "quantity", "accepted"),
    [
        ("-50", "sell", "50", True),  # short to -100: at the limit
        ("-50", "sell", "51", False),  # short beyond the limit
        ("50", "sell", "150", True),  # flip long 50 to short 100
        ("50", "sell", "151", False),  # flip beyond the limit
        ("-50", "buy", "150", True),  # flip short to long 100
        ("-50", "buy", "151", False),
        ("150", "sell", "20", True),  # over the limit already, but reducing
        ("-150", "buy", "20", True),
        ("150", "buy", "1", False),  # over the limit and growing
        ("150", "sell", "300", False),  # "reducing" across zero to -150 is not reducing
        ("150", "sell", "250", True),  # across zero but within the limit
    ],
)
def test_position_quantity_is_signed_and_reducing_orders_pass(
    scope: str, position: str, side: str, quantity: str, accepted: bool
) -> None:
    snap = snapshot(scope, Limits(max_position_quantity=D(100)), positions={"AAPL": position})
    decision = check_order(order(side=side, quantity=quantity), snap)
    assert (decision.decision == "accepted") is accepted, decision.violations
    if not accepted:
        assert codes(decision.violations) == {("position_quantity", scope)}


@pytest.mark.parametrize("scope", SCOPES)
def test_only_same_side_reservations_count_toward_the_projected_position(scope: str) -> None:
    limits = Limits(max_position_quantity=D(100))
    # open sells do not make room for a buy ...
    snap = snapshot(scope, limits, positions={"AAPL": "90"}, reserved_sell={"AAPL": "50"})
    assert check_order(order(quantity="11"), snap).decision == "rejected"
    # ... and open buys use it up
    snap = snapshot(scope, limits, positions={"AAPL": "50"}, reserved_buy={"AAPL": "45"})
    assert check_order(order(quantity="5"), snap).decision == "accepted"
    assert check_order(order(quantity="6"), snap).decision == "rejected"


def test_it_lists_every_violation_of_every_scope() -> None:
    limits = Limits(
        max_order_quantity=D(10),
        max_position_quantity=D(10),
        max_order_notional=D(10),
        restricted_symbols=frozenset({"AAPL"}),
    )
    snap = snapshot("all", limits, states={"group": "halted", "strategy": "reduce_only"})
    decision = check_order(order(quantity="100"), snap)
    expected = {
        (code, scope)
        for scope in SCOPES
        for code in ("order_quantity", "position_quantity", "order_notional", "restricted_instrument")
    } | {("trading_halted", "group"), ("reduce_only", "strategy")}
    assert codes(decision.violations) == expected
    assert len(decision.violations) == len(expected)


def test_an_order_without_strategy_is_checked_against_account_and_groups() -> None:
    snap = snapshot("strategy", Limits(max_order_quantity=D(1)))
    assert check_order(order(strategy=None), snap).decision == "accepted"
    assert check_order(order(), snap).decision == "rejected"
