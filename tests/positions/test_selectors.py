"""Selectors: FX, valuation in the base currency, daily P&L, positions listing, margin, query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.test.utils import override_settings

from positions.selectors import (
    MissingFxRate,
    MissingPrice,
    account_valuation,
    fx_rate,
    load_fx_table,
    margin_required,
    position_rows,
    positions_for_account,
)
from tests.factories import (
    AccountFactory,
    FxRateFactory,
    InstrumentFactory,
    PriceFactory,
    PriceHistoryFactory,
    StrategyFactory,
)
from tests.positions.factories import deposit, record

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
YESTERDAY = NOW - timedelta(days=1)


def test_fx_rate_is_direct_inverse_or_crossed_and_never_silently_one(db) -> None:
    FxRateFactory(base="EUR", quote="USD", rate=D("1.10"))
    FxRateFactory(base="USD", quote="JPY", rate=D("150"))
    assert fx_rate("USD", "USD") == 1
    assert fx_rate("EUR", "USD") == D("1.10")
    assert fx_rate("JPY", "USD") == D(1) / D(150)
    assert fx_rate("EUR", "JPY") == D("165")
    with pytest.raises(MissingFxRate) as excinfo:
        fx_rate("EUR", "CHF")
    assert excinfo.value.code == "missing_fx_rate"


def test_the_fx_table_is_one_query(db, django_assert_num_queries) -> None:
    FxRateFactory(base="EUR", quote="USD", rate=D("1.10"))
    FxRateFactory(base="GBP", quote="USD", rate=D("1.25"))
    with django_assert_num_queries(1):
        fx = load_fx_table()
        assert fx.rate("EUR", "GBP") == D("0.88")
        assert fx.rate("GBP", "EUR") > 1


def test_account_valuation_sums_positions_and_cash_in_the_base_currency(account) -> None:
    FxRateFactory(base="EUR", quote="USD", rate=D("1.10"))
    aapl = InstrumentFactory(symbol="AAPL")
    sap = InstrumentFactory(symbol="SAP", currency="EUR")
    momo = StrategyFactory(account=account, code="momo")
    PriceFactory(instrument=aapl, price=D(160))
    PriceFactory(instrument=sap, price=D(110))
    deposit(account, "10000")
    deposit(account, "1000", currency="EUR")
    record(account, aapl, "buy", "100", "150", fee="5", strategy=momo)
    record(account, sap, "sell", "10", "100")
    v = account_valuation(account=account)
    assert v.base_currency == "USD"
    assert v.cash == D(9995) + D(1100)
    assert v.unrealized_pnl == D(1000) - D(110)
    assert v.equity == v.cash + v.unrealized_pnl
    assert v.gross_exposure == D(16000) + D(1210)
    assert v.net_exposure == D(16000) - D(1210)
    assert v.margin_required == D(1600) + D(121)
    assert margin_required(account=account) == v.margin_required
    by_symbol = {p.symbol: p for p in v.positions}
    assert by_symbol["AAPL"].strategy == "momo"
    assert by_symbol["SAP"].quantity == D(-10)
    assert by_symbol["SAP"].market_value == D(-1100)
    assert by_symbol["SAP"].unrealized_pnl_base == D(-110)


def test_an_account_in_another_base_currency_converts_through_a_cross(db) -> None:
    account = AccountFactory(code="JPY-1", base_currency="JPY")
    FxRateFactory(base="EUR", quote="USD", rate=D("1.10"))
    FxRateFactory(base="USD", quote="JPY", rate=D("150"))
    sap = InstrumentFactory(symbol="SAP", currency="EUR")
    PriceFactory(instrument=sap, price=D(101))
    deposit(account, "100", currency="EUR")
    record(account, sap, "buy", "1", "100")
    v = account_valuation(account=account)
    assert v.cash == D(16500)
    assert v.unrealized_pnl == D(165)


def test_a_missing_fx_rate_is_an_error(account) -> None:
    sap = InstrumentFactory(symbol="SAP", currency="EUR")
    PriceFactory(instrument=sap, price=D(100))
    record(account, sap, "buy", "1", "100")
    with pytest.raises(MissingFxRate) as excinfo:
        account_valuation(account=account)
    assert (excinfo.value.base, excinfo.value.quote) == ("EUR", "USD")


def test_an_open_position_without_a_mark_is_an_error_but_the_listing_shows_nulls(account) -> None:
    aapl = InstrumentFactory(symbol="AAPL")
    record(account, aapl, "buy", "1", "100")
    with pytest.raises(MissingPrice) as excinfo:
        account_valuation(account=account)
    assert excinfo.value.symbol == "AAPL"
    (row,) = position_rows(account=account)
    assert (row.symbol, row.quantity, row.mark_price, row.market_value, row.unrealized_pnl) == (
        "AAPL", D(1), None, None, None
    )  # fmt: skip


def test_positions_for_account_lists_open_and_flat_with_realized_pnl(account) -> None:
    a, b, c = (InstrumentFactory(symbol=s) for s in ("A", "B", "C"))
    record(account, a, "buy", "1", "100")
    record(account, b, "buy", "1", "100")
    record(account, b, "sell", "1", "101")
    record(account, c, "buy", "1", "100")
    record(account, c, "sell", "1", "100")
    assert [p.instrument.symbol for p in positions_for_account(account=account)] == ["A", "B"]


@override_settings(TIME_ZONE="UTC", RISK_DAY_ROLL_TIME="00:00")
def test_daily_pnl_is_realized_today_plus_the_change_in_unrealized_since_the_previous_close(account) -> None:
    aapl = InstrumentFactory(symbol="AAPL")
    msft = InstrumentFactory(symbol="MSFT")
    PriceHistoryFactory(instrument=aapl, date=date(2026, 3, 8), close=D(90))
    PriceHistoryFactory(instrument=aapl, date=date(2026, 3, 9), close=D(104))
    PriceHistoryFactory(instrument=aapl, date=date(2026, 3, 10), close=D(999))  # today's: not used
    PriceFactory(instrument=aapl, price=D(108))
    PriceFactory(instrument=msft, price=D(50))
    # Yesterday: long 10 AAPL at 100. Today: sell 4 at 106 (fee 1), buy 5 MSFT at 52.
    record(account, aapl, "buy", "10", "100", executed_at=YESTERDAY, now=YESTERDAY)
    record(account, aapl, "sell", "4", "106", fee="1", executed_at=NOW, now=NOW)
    record(account, msft, "buy", "5", "52", executed_at=NOW, now=NOW)
    v = account_valuation(account=account, now=NOW)
    # AAPL: 4 x (106 - 104) + 6 x (108 - 104) - 1 = 31; MSFT: 5 x (50 - 52) = -10.
    assert v.daily_pnl == D(21)
    assert v.realized_pnl_today == D(23)  # 4 x (106 - 100) - 1, net of the fee
    # The same book valued a day later: nothing traded, so daily P&L is the move from the close.
    later = NOW + timedelta(days=1)
    v2 = account_valuation(account=account, now=later)
    assert v2.realized_pnl_today == 0
    # AAPL previous close for 11 March is the 10 March close (999 here); MSFT has none: entry price.
    assert v2.daily_pnl == D(6) * (D(108) - D(999)) + D(5) * (D(50) - D(52))


@override_settings(TIME_ZONE="America/New_York", RISK_DAY_ROLL_TIME="17:00")
def test_the_risk_day_follows_the_firms_time_zone_and_roll_time(account) -> None:
    aapl = InstrumentFactory(symbol="AAPL")
    PriceFactory(instrument=aapl, price=D(100))
    monday_close = datetime(2026, 3, 9, 20, 0, tzinfo=UTC)  # 16:00 EDT, before the 17:00 roll
    monday_evening = datetime(2026, 3, 9, 22, 0, tzinfo=UTC)  # 18:00 EDT: Tuesday's session
    record(account, aapl, "buy", "10", "90", executed_at=monday_close, now=monday_close)
    v = account_valuation(account=account, now=monday_evening)
    assert v.daily_pnl == D(100)  # held over the roll without a close: from the entry price
    PriceHistoryFactory(instrument=aapl, date=date(2026, 3, 9), close=D(95))
    assert account_valuation(account=account, now=monday_evening).daily_pnl == D(50)


def test_valuation_of_fifty_positions_is_a_handful_of_queries(account, django_assert_max_num_queries) -> None:
    FxRateFactory(base="EUR", quote="USD", rate=D("1.10"))
    underlying = InstrumentFactory(symbol="UND")
    PriceFactory(instrument=underlying, price=D(100))
    for i in range(50):
        if i % 10 == 0:
            instrument = InstrumentFactory(
                symbol=f"OPT{i}", asset_class="option", underlying=underlying, option_type="put",
                strike=D(90), expiry=date(2027, 1, 15), multiplier=D(100),
            )  # fmt: skip
        else:
            instrument = InstrumentFactory(symbol=f"S{i}", currency="EUR" if i % 2 else "USD")
        PriceFactory(instrument=instrument, price=D(10 + i))
        PriceHistoryFactory(instrument=instrument, date=date(2026, 1, 1), close=D(9 + i))
        record(account, instrument, "sell" if i % 3 == 0 else "buy", "2", "10")
    with django_assert_max_num_queries(3):
        v = account_valuation(account=account)
    assert len(v.positions) == 50
    fx = load_fx_table()
    with django_assert_max_num_queries(2):
        account_valuation(account=account, fx=fx)
    with django_assert_max_num_queries(1):
        assert len(position_rows(account=account)) == 50
