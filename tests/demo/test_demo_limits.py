from __future__ import annotations

from decimal import Decimal

import pytest

from limits.models import LimitChange, LimitSet
from riskplatform.demo.limits import load_demo_limits
from tests.factories import AccountFactory, AccountGroupFactory, FxRateFactory, StrategyFactory

pytestmark = pytest.mark.django_db


def test_it_sets_limits_on_accounts_first_strategies_and_groups_once():
    usd = AccountFactory(code="DEMO-USD", base_currency="USD")
    eur = AccountFactory(code="DEMO-EUR", base_currency="EUR")
    FxRateFactory(base="EUR", quote="USD", rate=Decimal("1.25"))
    first = StrategyFactory(account=usd, code="alpha")
    StrategyFactory(account=usd, code="beta")
    group = AccountGroupFactory(code="DESK")
    group.accounts.add(usd, eur)

    load_demo_limits()

    assert LimitSet.objects.get(account=usd).max_gross_exposure == Decimal("20000000")
    assert LimitSet.objects.get(account=eur).max_gross_exposure == Decimal("16000000")  # 20M USD / 1.25
    assert LimitSet.objects.get(account=eur).max_leverage == Decimal("4")
    assert LimitSet.objects.get(strategy=first).max_orders_per_minute == 120
    assert not LimitSet.objects.filter(strategy__code="beta").exists()
    assert LimitSet.objects.get(group=group).max_var == Decimal("1500000")

    written = LimitChange.objects.count()
    load_demo_limits()
    assert LimitChange.objects.count() == written
