"""Limit utilization of an account: the engine's measure on the book the next check would see."""

from __future__ import annotations

from decimal import Decimal

import pytest

from limits.checks.book import book_snapshot
from limits.checks.service import check_order
from limits.engine.orders import DraftOrder
from limits.engine.utilization import utilization
from limits.utilization import limit_utilization
from tests.factories import StrategyFactory
from tests.limits.checks.conftest import deposit, fill, set_limits

pytestmark = pytest.mark.django_db
D = Decimal


def test_it_lists_only_limits_that_are_set(funded):
    assert limit_utilization(account=funded) == {}


def test_position_limits_take_the_most_used_instrument_summing_strategies(funded):
    a, b = StrategyFactory(account=funded, code="a"), StrategyFactory(account=funded, code="b")
    fill(funded, "AAPL", "buy", "300", "100", strategy=a)
    fill(funded, "AAPL", "sell", "100", "100", strategy=b)
    fill(funded, "MSFT", "sell", "150", "200")
    set_limits(funded, max_position_quantity="200", max_position_notional="50000")
    # AAPL: 200 held (100 of the limit's 200); MSFT: -150 x 200 = 30,000 of 50,000.
    assert limit_utilization(account=funded) == {
        "max_position_quantity": D("100.00"),
        "max_position_notional": D("60.00"),
    }


def test_open_reservations_count_for_the_check_not_for_the_summary(funded):
    fill(funded, "AAPL", "buy", "100", "100")
    set_limits(funded, max_position_quantity="400")
    check_order(
        account=funded,
        order=DraftOrder(account="ACC-1", symbol="AAPL", side="sell", quantity=D("250"), price=D("100")),
    )
    assert limit_utilization(account=funded) == {"max_position_quantity": D("25.00")}  # held +100
    # The check sees the open sell of 250 at its worse side: -150.
    snapshot = book_snapshot(account=funded)
    assert utilization(snapshot, snapshot.account)["max_position_quantity"] == D("37.5")


def test_portfolio_limits(funded):
    fill(funded, "AAPL", "buy", "5000", "90")  # marked at 100: +50,000 unrealized, 500,000 long
    fill(funded, "MSFT", "sell", "1000", "200")  # 200,000 short
    set_limits(
        funded,
        max_gross_exposure="1400000",
        max_net_exposure="600000",
        max_leverage="2",
        max_daily_loss="1000",
    )
    # Cash 1,000,000 - nothing realized; equity 1,050,000; gross 700,000; net 300,000.
    result = limit_utilization(account=funded)
    assert result == {
        "max_gross_exposure": D("50.00"),
        "max_net_exposure": D("50.00"),
        "max_leverage": D("33.33"),
        "max_daily_loss": D("0.00"),  # a profit today uses none of it
    }


def test_unknowable_figures_are_none_not_made_up(account, market):
    deposit(account, "-10")
    set_limits(account, max_leverage="2", max_var="5", max_gross_exposure="0")
    assert limit_utilization(account=account) == {
        "max_leverage": None,  # equity at or below zero
        "max_var": None,  # no risk report
        "max_gross_exposure": None,  # a zero limit has no percentage
    }


def test_the_account_summary_reports_limit_utilization(funded, owner):
    from tests.conftest import client_for

    fill(funded, "AAPL", "buy", "100", "100")
    set_limits(funded, max_position_quantity="400")
    summary = client_for(owner).get("/api/v1/accounts/ACC-1/summary/").json()
    assert summary["utilization"] == {"max_position_quantity": 25.0}
