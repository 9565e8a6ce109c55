"""Properties of the ledger for any sequence of fills (pure, hypothesis)."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from positions.ledger.position import PositionState, apply_fill, signed_quantity, unrealized_pnl

quantities = st.decimals(min_value=D("0.0001"), max_value=D(10000), places=4)
prices = st.decimals(min_value=D("0.01"), max_value=D(100000), places=2)
fees = st.decimals(min_value=D(0), max_value=D(50), places=2)
fills = st.lists(
    st.tuples(st.sampled_from(["buy", "sell"]), quantities, prices, fees), min_size=1, max_size=30
)
multipliers = st.sampled_from([D(1), D(50), D("0.1"), D(100)])


@settings(max_examples=300, deadline=None)
@given(fills=fills, mark=prices, multiplier=multipliers)
def test_realized_plus_unrealized_is_the_marked_value_minus_the_cost_of_all_fills(
    fills: list[tuple[str, D, D, D]], mark: D, multiplier: D
) -> None:
    """realized + unrealized = final qty x mark x mult - sum(signed qty x price x mult), fees apart.

    Equality holds up to the rounding of the average price to ten places, at most half a unit in
    the tenth place per fill on the open quantity.
    """
    state = PositionState()
    cost = D(0)
    total_fees = D(0)
    for side, qty, price, fee in fills:
        state, _ = apply_fill(state, side, qty, price, multiplier, fee)
        cost += signed_quantity(side, qty) * price * multiplier
        total_fees += fee
    lhs = state.realized_pnl + unrealized_pnl(state, mark, multiplier)
    rhs = state.quantity * mark * multiplier - cost
    max_open = sum((q for _, q, _, _ in fills), D(0))
    tolerance = len(fills) * (max_open * multiplier * D("1e-10") + D("1e-10"))
    assert abs(lhs - rhs) <= tolerance
    assert state.fees == total_fees


@settings(max_examples=300, deadline=None)
@given(fills=fills)
def test_the_quantity_is_the_signed_sum_and_a_flat_position_has_no_average(
    fills: list[tuple[str, D, D, D]],
) -> None:
    state = PositionState()
    for side, qty, price, fee in fills:
        state, _ = apply_fill(state, side, qty, price, D(1), fee)
    assert state.quantity == sum((signed_quantity(s, q) for s, q, _, _ in fills), D(0))
    if state.quantity == 0:
        assert state.avg_price == 0
    else:
        prices_seen = [p for _, _, p, _ in fills]
        assert min(prices_seen) <= state.avg_price <= max(prices_seen)


@settings(max_examples=200, deadline=None)
@given(fills=fills, price=prices)
def test_closing_at_the_average_price_realizes_nothing(fills: list[tuple[str, D, D, D]], price: D) -> None:
    state = PositionState()
    for side, qty, p, fee in fills:
        state, _ = apply_fill(state, side, qty, p, D(1), fee)
    if state.quantity == 0:
        return
    side = "sell" if state.quantity > 0 else "buy"
    closed, realized = apply_fill(state, side, abs(state.quantity), state.avg_price, D(1))
    assert realized == 0
    assert closed.quantity == 0
    assert closed.realized_pnl == state.realized_pnl
