"""The demo day has breaches: limits tightened under today's figures, a halted and a reduce-only
account, and the nightly's alerts on them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import Account
from analytics.models import RiskReport
from limits.checks.book import book_snapshot
from limits.engine.utilization import utilization_figures
from limits.models import LimitChange
from positions.clock import current_trading_date
from riskplatform.demo.breaches import load_demo_breaches
from tests.factories import AccountFactory, UserFactory
from tests.limits.checks.conftest import deposit, fill, funded, market  # noqa: F401

pytestmark = pytest.mark.django_db


def test_it_puts_some_books_over_and_near_their_limits_and_switches_two(market):  # noqa: F811
    admin = UserFactory(username="admin", is_staff=True)
    over = AccountFactory(code="EQ-US-01")
    near = AccountFactory(code="CRYPTO-01")
    AccountFactory(code="FX-01")
    AccountFactory(code="EQ-EU-02")
    for account in (over, near):
        deposit(account, "100000")
        fill(account, "AAPL", "buy", "100", "100")
    macro = AccountFactory(code="MACRO-01")
    RiskReport.objects.create(
        account=macro,
        as_of=current_trading_date() - timedelta(days=1),
        lookback_days=250,
        currency="USD",
        var_99=20000.0,
    )

    load_demo_breaches()

    def used(account, name):
        snapshot = book_snapshot(account=account)
        return utilization_figures(snapshot, snapshot.account)[name].pct

    assert used(over, "max_gross_exposure") > 100
    assert 80 <= used(near, "max_gross_exposure") <= 100
    assert Account.objects.get(code="FX-01").trading_state == "halted"
    assert Account.objects.get(code="EQ-EU-02").trading_state == "reduce_only"
    assert macro.limit_set.max_var == Decimal("17000")
    assert set(LimitChange.objects.values_list("changed_by", flat=True)) == {admin.pk}

    written = LimitChange.objects.count()
    load_demo_breaches()
    assert LimitChange.objects.count() == written
