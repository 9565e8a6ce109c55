"""Position arithmetic of one fill at a time (pure, no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from positions.ledger.position import PositionState, apply_fill, market_value, unrealized_pnl

ONE = D(1)


def run(*fills: tuple[str, str, str], multiplier: D = ONE, fee: D = D(0)) -> tuple[PositionState, list[D]]:
    state = PositionState()
    realized = []
    for side, qty, price in fills:
        state, r = apply_fill(state, side, D(qty), D(price), multiplier, fee)
        realized.append(r)
    return state, realized


def test_it_opens_a_long_at_the_fill_price() -> None:
    state, realized = run(("buy", "100", "10"))
    assert state == PositionState(quantity=D(100), avg_price=D(10), realized_pnl=D(0), fees=D(0))
    assert realized == [D(0)]


def test_adding_to_a_long_re_averages_the_entry_price() -> None:
    state, _ = run(("buy", "100", "10"), ("buy", "300", "12"))
    assert state.quantity == D(400)
    assert state.avg_price == D("11.5")
    assert state.realized_pnl == 0


def test_a_partial_close_of_a_long_realizes_on_the_closed_part_and_keeps_the_average() -> None:
    state, realized = run(("buy", "100", "10"), ("sell", "40", "13"))
    assert realized[-1] == D(120)
    assert state.quantity == D(60)
    assert state.avg_price == D(10)
    assert state.realized_pnl == D(120)


def test_a_full_close_of_a_long_leaves_it_flat_with_the_realized_pnl() -> None:
    state, realized = run(("buy", "100", "10"), ("sell", "100", "9"))
    assert realized[-1] == D(-100)
    assert state.quantity == 0
    assert state.avg_price == 0
    assert state.realized_pnl == D(-100)
    assert state.is_flat


def test_a_short_gains_when_bought_back_lower() -> None:
    state, realized = run(("sell", "50", "20"), ("sell", "50", "22"), ("buy", "30", "18"))
    assert state.quantity == D(-70)
    assert state.avg_price == D(21)
    assert realized[-1] == D(90)  # (18 - 21) x 30 x -1
    state, realized = run(("sell", "50", "20"), ("buy", "50", "25"))
    assert realized[-1] == D(-250)
    assert state.quantity == 0


def test_a_flip_from_long_to_short_closes_all_and_opens_the_rest_at_the_fill_price() -> None:
    state, realized = run(("buy", "100", "10"), ("sell", "150", "12"))
    assert realized[-1] == D(200)
    assert state.quantity == D(-50)
    assert state.avg_price == D(12)


def test_a_flip_from_short_to_long_closes_all_and_opens_the_rest_at_the_fill_price() -> None:
    state, realized = run(("sell", "100", "10"), ("buy", "130", "11"))
    assert realized[-1] == D(-100)
    assert state.quantity == D(30)
    assert state.avg_price == D(11)


def test_the_multiplier_scales_realized_and_unrealized_pnl() -> None:
    state, realized = run(("buy", "2", "4500"), ("sell", "1", "4510"), multiplier=D(50))
    assert realized[-1] == D(500)
    assert unrealized_pnl(state, D(4490), D(50)) == D(-500)
    assert market_value(state.quantity, D(4490), D(50)) == D(224500)


def test_fees_accumulate_on_the_position_and_are_not_in_realized() -> None:
    state, realized = run(("buy", "10", "100"), ("sell", "10", "101"), fee=D("1.25"))
    assert state.fees == D("2.5")
    assert state.realized_pnl == D(10)
    assert realized == [D(0), D(10)]


def test_the_average_is_rounded_to_the_ten_places_the_database_keeps() -> None:
    state, _ = run(("buy", "1", "1"), ("buy", "2", "2"))
    assert state.avg_price == D("1.6666666667")


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_it_rejects_a_non_positive_fill_quantity(quantity: str) -> None:
    with pytest.raises(ValueError, match="positive"):
        apply_fill(PositionState(), "buy", D(quantity), D(1), ONE)


def test_it_rejects_an_unknown_side() -> None:
    with pytest.raises(ValueError, match="side"):
        apply_fill(PositionState(), "short", D(1), D(1), ONE)


def test_a_large_crypto_sized_trade_keeps_full_precision() -> None:
    qty = "12345678.1234567891"
    state, realized = run(("buy", qty, "987654321.4321"), ("sell", qty, "987654321.4322"))
    assert realized[-1] == D("1234.5678123457")  # 1234.56781234567891 rounded to ten places
    assert state.quantity == 0
