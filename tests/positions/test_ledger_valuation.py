"""Account valuation, daily P&L and margin from plain data (pure)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from positions.ledger.errors import MissingFxRate, MissingPrice
from positions.ledger.fx import FxTable
from positions.ledger.position import PositionState
from positions.ledger.valuation import PositionInput, value_account

FX = FxTable([("EUR", "USD", D("1.10")), ("USD", "JPY", D("150"))])


def pos(
    symbol: str = "AAPL",
    *,
    qty: str = "0",
    avg: str = "0",
    realized: str = "0",
    fees: str = "0",
    mark: str | None = None,
    currency: str = "USD",
    multiplier: str = "1",
    asset_class: str = "equity",
    margin_rate: str = "0.10",
    day: PositionState | None = None,
    previous_close: str | None = None,
    underlying_mark: str | None = None,
) -> PositionInput:
    state = PositionState(D(qty), D(avg), D(realized), D(fees))
    return PositionInput(
        symbol=symbol,
        strategy=None,
        currency=currency,
        multiplier=D(multiplier),
        asset_class=asset_class,
        margin_rate=D(margin_rate),
        state=state,
        day_state=state if day is None else day,
        mark=None if mark is None else D(mark),
        previous_close=None if previous_close is None else D(previous_close),
        underlying_symbol="SPX" if asset_class == "option" else None,
        underlying_mark=None if underlying_mark is None else D(underlying_mark),
    )


def test_it_values_positions_and_cash_in_several_currencies_in_the_base_currency() -> None:
    v = value_account(
        base_currency="USD",
        positions=[
            pos("AAPL", qty="100", avg="150", mark="160"),
            pos("SAP", qty="-10", avg="100", mark="110", currency="EUR"),
        ],
        cash=[("USD", D(1000)), ("EUR", D(100)), ("JPY", D(15000))],
        fx=FX,
    )
    aapl, sap = v.positions
    assert aapl.market_value_base == D(16000)
    assert aapl.unrealized_pnl_base == D(1000)
    assert sap.market_value == D(-1100)
    assert sap.market_value_base == D(-1210)
    assert sap.unrealized_pnl == D(-100)
    assert sap.unrealized_pnl_base == D(-110)
    assert v.cash == D(1000) + D(110) + D(100)
    assert v.unrealized_pnl == D(890)
    assert v.equity == D(1210) + D(890)
    assert v.gross_exposure == D(16000) + D(1210)
    assert v.net_exposure == D(16000) - D(1210)
    assert v.leverage == (v.gross_exposure / v.equity).quantize(D("1e-10"))
    assert v.margin_required == D("1600") + D("121")
    assert v.margin_excess == v.equity - v.margin_required


def test_leverage_is_none_when_equity_is_not_positive() -> None:
    v = value_account(
        base_currency="USD", positions=[pos(qty="10", avg="100", mark="50")], cash=[("USD", D(500))], fx=FX
    )
    assert v.equity == 0
    assert v.leverage is None


def test_a_missing_fx_rate_is_an_error_not_a_rate_of_one() -> None:
    with pytest.raises(MissingFxRate):
        value_account(
            base_currency="USD", positions=[pos(qty="1", avg="1", mark="1", currency="CHF")], cash=[], fx=FX
        )
    with pytest.raises(MissingFxRate):
        value_account(base_currency="USD", positions=[], cash=[("GBP", D(1))], fx=FX)


def test_an_open_position_without_a_mark_raises_missing_price() -> None:
    with pytest.raises(MissingPrice) as excinfo:
        value_account(base_currency="USD", positions=[pos("TSLA", qty="1", avg="1")], cash=[], fx=FX)
    assert excinfo.value.code == "missing_price"
    assert excinfo.value.symbol == "TSLA"


def test_a_flat_position_needs_no_mark_and_counts_nothing_but_its_pnl_today() -> None:
    day = PositionState(D(10), D(100), D(0), D(0))
    v = value_account(
        base_currency="USD",
        positions=[pos(qty="0", realized="50", fees="1", day=day, previous_close="102")],
        cash=[],
        fx=FX,
    )
    # Held 10 at a previous close of 102, sold at 105 (realized 50 against the 100 entry):
    # today's P&L is 10 x (105 - 102) - 1 fee = 29 = realized 50 - fee 1 - unrealized at the start 20.
    assert v.daily_pnl == D(29)
    assert v.realized_pnl_today == D(49)
    assert v.gross_exposure == 0


def test_daily_pnl_of_a_position_opened_today_is_its_unrealized_pnl_net_of_fees() -> None:
    v = value_account(
        base_currency="USD",
        positions=[pos(qty="10", avg="100", fees="2", mark="103", day=PositionState())],
        cash=[],
        fx=FX,
    )
    assert v.daily_pnl == D(28)
    assert v.realized_pnl_today == D(-2)


def test_daily_pnl_of_a_position_held_overnight_is_measured_from_the_previous_close() -> None:
    state = PositionState(D(10), D(100))
    v = value_account(
        base_currency="EUR",
        positions=[pos(qty="10", avg="100", mark="95", day=state, previous_close="97", currency="USD")],
        cash=[],
        fx=FX,
    )
    assert v.daily_pnl == (D(-20) / D("1.10")).quantize(D("1e-10"))


def test_without_a_previous_close_the_whole_unrealized_pnl_counts_as_today() -> None:
    state = PositionState(D(10), D(100))
    v = value_account(
        base_currency="USD", positions=[pos(qty="10", avg="100", mark="95", day=state)], cash=[], fx=FX
    )
    assert v.daily_pnl == D(-50)


def test_futures_margin_uses_the_multiplied_notional() -> None:
    v = value_account(
        base_currency="USD",
        positions=[pos("ES", qty="-2", avg="5000", mark="5000", multiplier="50", margin_rate="0.05")],
        cash=[],
        fx=FX,
    )
    assert v.margin_required == D(25000)
    assert v.gross_exposure == D(500000)
    assert v.net_exposure == D(-500000)


def test_a_long_option_margins_its_premium_and_a_short_option_the_underlying_notional() -> None:
    long_call = pos(
        "C1", qty="2", avg="10", mark="12", multiplier="100", asset_class="option", margin_rate="0.2"
    )
    short_put = pos(
        "P1", qty="-3", avg="8", mark="9", multiplier="100", asset_class="option", margin_rate="0.2",
        underlying_mark="500",
    )  # fmt: skip
    v = value_account(base_currency="USD", positions=[long_call, short_put], cash=[], fx=FX)
    assert v.positions[0].margin_required_base == D("2400")  # the premium in full: 2 x 12 x 100
    assert v.positions[1].margin_required_base == D("30000")  # 3 x 500 x 100 x 0.2
    assert v.gross_exposure == D(2400) + D(2700)  # options count at their premium


def test_a_short_option_without_an_underlying_mark_raises_missing_price() -> None:
    short_call = pos("C2", qty="-1", avg="5", mark="5", asset_class="option")
    with pytest.raises(MissingPrice) as excinfo:
        value_account(base_currency="USD", positions=[short_call], cash=[], fx=FX)
    assert excinfo.value.symbol == "SPX"
