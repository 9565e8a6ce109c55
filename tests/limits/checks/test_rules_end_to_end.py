"""Every rule of the contract reached through the API with real database data, in every scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from limits.checks.refdata import instruments
from tests.factories import AccountFactory, InstrumentFactory, PriceFactory
from tests.limits.checks.conftest import codes, deposit, fill, set_limits, set_state

pytestmark = pytest.mark.django_db

SCOPES = ["account", "strategy", "group"]


@pytest.fixture
def scoped(funded, strategy, group):
    """(target of the limits, extra order fields, strategy for setup fills) per scope."""

    def pick(scope: str) -> tuple[Any, dict[str, Any], Any]:
        if scope == "account":
            return funded, {}, None
        if scope == "strategy":
            return strategy, {"strategy": "momo"}, strategy
        return group, {}, None

    return pick


# rule -> (limits, order fields, setup fills [(symbol, side, qty, price)])
LIMIT_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], list[tuple[str, str, str, str]]]] = {
    "order_quantity": ({"max_order_quantity": "50"}, {}, []),
    "order_notional": ({"max_order_notional": "5000"}, {}, []),
    "position_quantity": ({"max_position_quantity": "150"}, {}, [("AAPL", "buy", "100", "100")]),
    "position_notional": ({"max_position_notional": "15000"}, {}, [("AAPL", "buy", "100", "100")]),
    "gross_exposure": ({"max_gross_exposure": "25000"}, {}, [("MSFT", "buy", "100", "200")]),
    "net_exposure": ({"max_net_exposure": "5000"}, {}, []),
    "daily_loss": ({"max_daily_loss": "1000"}, {}, [("MSFT", "buy", "100", "230")]),
    "leverage": ({"max_leverage": "0.005"}, {}, []),
    "price_collar": ({"price_collar_pct": "5"}, {"price": "110"}, []),
    "restricted_instrument": ({"restricted_symbols": ["AAPL"]}, {}, []),
}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("rule", sorted(LIMIT_CASES))
def test_it_rejects_an_order_over_each_limit_in_each_scope(scoped, check, scope, rule):
    target, extra, setup_strategy = scoped(scope)
    limits, fields, setup = LIMIT_CASES[rule]
    for symbol, side, qty, price in setup:
        fill(
            target if scope == "account" else scoped("account")[0],
            symbol,
            side,
            qty,
            price,
            strategy=setup_strategy,
        )
    set_limits(target, **limits)
    result = check(**extra, **fields)
    assert result["decision"] == "rejected"
    assert (rule, scope) in codes(result), result["violations"]


@pytest.mark.parametrize("scope", SCOPES)
def test_it_accepts_the_same_orders_without_limits(scoped, check, scope):
    _, extra, _ = scoped(scope)
    assert check(**extra)["decision"] == "accepted"


def test_money_figures_are_strings_with_two_decimals(funded, check):
    set_limits(funded, max_order_notional="5000")
    violation = check()["violations"][0]
    assert violation == {
        "code": "order_notional",
        "scope": "account",
        "scope_code": "ACC-1",
        "message": violation["message"],
        "limit": "5000.00",
        "value": "10000.00",
    }
    assert "10,000.00 USD" in violation["message"]


@pytest.mark.parametrize("scope", SCOPES)
def test_the_kill_switch_halts_each_scope(scoped, check, scope):
    target, extra, _ = scoped(scope)
    set_state(target, "halted")
    assert ("trading_halted", scope) in codes(check(**extra))


@pytest.mark.parametrize("scope", SCOPES)
def test_reduce_only_rejects_a_sell_that_crosses_zero_and_accepts_one_that_reduces(scoped, check, scope):
    target, extra, setup_strategy = scoped(scope)
    fill(scoped("account")[0], "AAPL", "buy", "100", "100", strategy=setup_strategy)
    set_state(target, "reduce_only")
    assert ("reduce_only", scope) in codes(check(side="sell", quantity="150", **extra))
    assert check(side="sell", quantity="60", **extra)["decision"] == "accepted"
    assert ("reduce_only", scope) in codes(check(side="buy", quantity="1", **extra))


def test_group_limits_apply_to_the_sum_over_its_accounts(funded, group, check):
    other = AccountFactory(code="ACC-2")
    deposit(other, "1000000")
    group.accounts.add(other)
    fill(other, "AAPL", "buy", "100", "100")
    set_limits(group, max_position_quantity="150")
    result = check(quantity="60")
    assert ("position_quantity", "group") in codes(result)
    assert check(quantity="50")["decision"] == "accepted"


def test_it_rejects_an_unknown_symbol_by_name_not_as_a_bad_request(funded, check):
    result = check(symbol="NOPE")
    assert result["decision"] == "rejected"
    assert codes(result) == {("unknown_instrument", "account")}


def test_a_new_instrument_is_known_at_once(funded, check):
    assert check(symbol="NEW1")["decision"] == "rejected"
    PriceFactory(instrument=InstrumentFactory(symbol="NEW1"), price=Decimal("10"))
    assert check(symbol="NEW1", price="10")["decision"] == "accepted"


def test_it_rejects_when_margin_exceeds_equity(funded, check):
    result = check(quantity="200000")  # 20,000,000 notional x 10% = 2,000,000 > 1,000,000 equity
    assert ("insufficient_margin", "account") in codes(result)


def test_it_rejects_risk_increasing_orders_at_non_positive_equity(account, market, check):
    result = check()  # no cash at all
    assert result["decision"] == "rejected"
    assert {"leverage", "insufficient_margin"} & {c for c, _ in codes(result)}


@pytest.mark.parametrize("scope", SCOPES)
def test_it_limits_the_order_rate(scoped, check, scope):
    target, extra, _ = scoped(scope)
    set_limits(target, max_orders_per_minute=2)
    assert check(**extra)["decision"] == "accepted"
    assert check(**extra, quantity="1")["decision"] == "accepted"
    assert ("order_rate", scope) in codes(check(**extra, quantity="1"))


def test_a_market_order_is_priced_at_the_mark(funded, check):
    set_limits(funded, max_order_notional="15000")
    assert check(order_type="market", price=..., quantity="100")["decision"] == "accepted"  # 100 x 100
    result = check(order_type="market", price=..., quantity="200")  # 200 x 100 = 20,000
    assert result["violations"][0]["value"] == "20000.00"


def test_a_market_order_without_a_mark_is_rejected(funded, check):
    InstrumentFactory(symbol="NOMARK")
    instruments.clear()
    result = check(symbol="NOMARK", order_type="market", price=...)
    assert codes(result) == {("missing_price", "account")}


def test_a_stale_mark_counts_as_missing(funded, check, settings):
    settings.RISK_MAX_MARK_AGE_SECONDS = 0
    result = check(order_type="market", price=...)
    assert ("missing_price", "account") in codes(result)


def test_an_instrument_without_an_fx_path_is_rejected(funded, check):
    PriceFactory(instrument=InstrumentFactory(symbol="TOYOTA", currency="JPY"), price=Decimal("2500"))
    result = check(symbol="TOYOTA", price="2500")
    assert ("missing_fx_rate", "account") in codes(result)


def test_foreign_currency_orders_convert_at_the_latest_rate(funded, check):
    set_limits(funded, max_order_notional="5000")
    result = check(symbol="SAP", price="50", quantity="100")  # 5,000 EUR = 5,500 USD
    assert result["violations"][0]["value"] == "5500.00"


def test_daily_loss_values_positions_held_over_the_day_start_at_the_previous_close(funded, check):
    from datetime import UTC, datetime, timedelta

    from limits.checks.refdata import previous_closes
    from positions.models import Position, PriceHistory

    fill(funded, "MSFT", "buy", "100", "150")
    # Make the position one held since before today's start: its day state is the current state.
    Position.objects.filter(account=funded).update(day_start_at=None)
    PriceHistory.objects.create(
        instrument=Position.objects.get(account=funded).instrument,
        date=datetime.now(UTC).date() - timedelta(days=3),
        close=Decimal("215"),
    )
    previous_closes.clear()
    set_limits(funded, max_daily_loss="1000")
    # Mark 200 vs previous close 215: today's loss is 1,500 (not the 5,000 gain since entry at 150).
    result = check()
    assert ("daily_loss", "account") in codes(result)
    assert next(v for v in result["violations"] if v["code"] == "daily_loss")["value"] == "1500.00"
