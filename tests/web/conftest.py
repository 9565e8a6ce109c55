"""A small firm for the pages: two desks, accounts in USD and EUR, positions, limits near and over
their marks, open orders, decisions, reports with a backtest exception and open alerts. Users log in
through the site's login page (`login`), as a person would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accounts.models import Account, AccountGroup
from analytics.models import Alert, AlertKind, RiskReport
from limits.checks.service import check_order
from limits.engine.orders import DraftOrder
from positions.clock import current_trading_date
from tests.factories import (
    AccountFactory,
    AccountGroupFactory,
    MembershipFactory,
    StrategyFactory,
    UserFactory,
)
from tests.limits.checks.conftest import deposit, fill, funded, market, set_limits

__all__ = ["funded", "market"]  # the check tests' fixtures, used by `firm`

PASSWORD = "pw-for-tests-1"  # the factories' password


def login(client: Client, username: str, password: str = PASSWORD, next_url: str = "") -> Any:
    """Log in through the login page; returns its answer (a redirect when the login worked)."""
    page = client.get("/login/")
    assert page.status_code == 200
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


@pytest.fixture
def firm(funded: Account, market: dict[str, Any]) -> dict[str, Any]:
    """ACC-1 (USD, the `funded` account) with strategy momo in desk DESK-1 with ACC-2 (USD); ACC-EU
    (EUR) alone; limits on every scope; a report history; open alerts; an open order."""
    momo = StrategyFactory(account=funded, code="momo", name="Momentum")
    other = AccountFactory(code="ACC-2", name="Second", base_currency="USD")
    deposit(other, "200000")
    euro = AccountFactory(code="ACC-EU", name="Euro book", base_currency="EUR")
    deposit(euro, "100000", "EUR")
    desk = AccountGroupFactory(code="DESK-1", name="Equities desk")
    desk.accounts.add(funded, other)
    fill(funded, "AAPL", "buy", "3000", "90", strategy=momo)  # 300,000 long, +30,000 unrealized
    fill(funded, "MSFT", "sell", "500", "210")  # 100,000 short
    fill(other, "AAPL", "buy", "100", "100")
    fill(euro, "SAP", "buy", "1000", "50")
    set_limits(
        funded,
        max_gross_exposure="450000",  # 400,000 + the open order: over 80%
        max_daily_loss="100000",
        max_order_notional="250000",
        max_position_notional="350000",
        restricted_symbols=["GME"],
    )
    set_limits(momo, max_position_quantity="5000")
    set_limits(desk, max_net_exposure="150000")  # net 200,000 + 10,000 of ACC-2: over
    check_order(
        account=funded,
        order=DraftOrder(
            account="ACC-1", symbol="MSFT", side="sell", quantity=Decimal("100"), price=Decimal("200")
        ),
    )
    check_order(
        account=funded,
        order=DraftOrder(
            account="ACC-1", symbol="GME", side="buy", quantity=Decimal("1"), price=Decimal("10")
        ),
    )
    # After the checks: with max_var set and no risk model stored, the open sell would fail closed.
    set_limits(funded, max_var="50000")
    today = current_trading_date()
    RiskReport.objects.bulk_create(
        RiskReport(
            account=funded,
            as_of=today - timedelta(days=i),
            lookback_days=250,
            currency="USD",
            var_95=20000.0 + i,
            var_99=40000.0 + 100 * i,
            es_975=45000.0 + 100 * i,
            portfolio_value=200000.0,
            realized_pnl=None if i == 0 else (-60000.0 if i == 3 else 1000.0),
            greeks={
                "by_underlying": [
                    {"underlying": "AAPL", "delta": 3000.0, "gamma": 0.0, "vega": 0.0, "theta": 0.0,
                     "rho": 0.0, "delta_notional": 300000.0},
                    {"underlying": "MSFT", "delta": -500.0, "gamma": 0.0, "vega": 0.0, "theta": 0.0,
                     "rho": 0.0, "delta_notional": -100000.0},
                ],
                "total": {"delta": 2500.0},
            },
            stress={"worst": {"scenario": "equity_crash_1987", "pnl": -60000.0},
                    "results": {"equity_crash_1987": -60000.0, "rates_up_100bp": -1000.0}},
        )
        for i in range(6)
    )  # fmt: skip
    Alert.objects.create(
        account=funded, kind=AlertKind.VAR_LIMIT, message="VaR near the limit", severity="critical"
    )
    Alert.objects.create(account=euro, kind=AlertKind.REPORT_FAILED, message="euro report failed")
    return {"account": funded, "other": other, "euro": euro, "desk": desk, "momo": momo}


@pytest.fixture
def manager(firm: dict[str, Any]) -> Any:
    """A non-staff risk manager of every account of the firm."""
    user = UserFactory(username="risk")
    for code in ("account", "other", "euro"):
        MembershipFactory(user=user, account=firm[code], role="risk_manager")
    return user


@pytest.fixture
def desk_viewer(firm: dict[str, Any]) -> Any:
    """A viewer of ACC-1 only."""
    user = UserFactory(username="auditor")
    MembershipFactory(user=user, account=firm["account"], role="viewer")
    return user


@pytest.fixture
def desk_trader(firm: dict[str, Any]) -> Any:
    user = UserFactory(username="trader1")
    MembershipFactory(user=user, account=firm["account"], role="trader")
    return user


@pytest.fixture
def half_desk_manager(firm: dict[str, Any]) -> Any:
    """Risk manager of ACC-1 but not of ACC-2: sees DESK-1, may not act on it."""
    user = UserFactory(username="half")
    MembershipFactory(user=user, account=firm["account"], role="risk_manager")
    return user


@pytest.fixture
def logged_in(client: Client):
    """`logged_in(user)`: the client, logged in as `user` through the login page."""

    def run(user: Any) -> Client:
        response = login(client, user.username)
        assert response.status_code == 302, response.content
        return client

    return run


def groups_of(account: Account) -> list[AccountGroup]:
    return list(account.groups.all())
