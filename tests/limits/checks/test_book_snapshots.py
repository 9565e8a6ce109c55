"""The overview's bulk read: every account's snapshot equals the one the check's store builds alone,
in a number of statements that does not grow with the accounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from analytics.models import RiskReport
from limits.checks.book import book_snapshot, book_snapshots
from limits.checks.service import check_order
from limits.engine.orders import DraftOrder
from limits.engine.utilization import utilization_figures
from positions.clock import current_trading_date
from tests.factories import AccountFactory, AccountGroupFactory, StrategyFactory
from tests.limits.checks.conftest import deposit, fill, set_limits

pytestmark = pytest.mark.django_db
D = Decimal


def _comparable(snapshot):
    """Everything of a snapshot but its holdings cache, scope by scope."""
    return (
        snapshot.account,
        dict(snapshot.strategies),
        snapshot.groups,
        dict(snapshot.marks),
        dict(snapshot.fx_rates),
        snapshot.max_mark_age,
    )


def _firm(funded: Account, n: int) -> list[Account]:
    desk = AccountGroupFactory(code="DESK-1")
    other_desk = AccountGroupFactory(code="DESK-2", base_currency="EUR")
    accounts = [funded]
    for i in range(n):
        account = AccountFactory(code=f"ACC-B{i}", base_currency="EUR" if i % 2 else "USD")
        deposit(account, "50000", account.base_currency)
        accounts.append(account)
    desk.accounts.add(*accounts[:2])
    other_desk.accounts.add(*accounts[1:])
    strategy = StrategyFactory(account=funded, code="momo")
    fill(funded, "AAPL", "buy", "300", "90", strategy=strategy)
    fill(accounts[1], "SAP", "sell", "40", "55")
    fill(accounts[-1], "MSFT", "buy", "10", "190")
    set_limits(funded, max_position_quantity="1000", max_gross_exposure="100000", max_var="5000")
    set_limits(strategy, max_position_notional="20000")
    set_limits(desk, max_net_exposure="40000", max_daily_loss="1000")
    RiskReport.objects.create(
        account=funded, as_of=current_trading_date(), lookback_days=250, currency="USD", var_99=1234.5
    )
    check_order(
        account=funded,
        order=DraftOrder(account="ACC-1", symbol="MSFT", side="sell", quantity=D("20"), price=D("200")),
    )
    return accounts


@pytest.mark.parametrize("open_orders", [True, False])
def test_each_bulk_snapshot_equals_the_single_account_snapshot(configuration, funded, open_orders):
    accounts = _firm(funded, 3)

    bulk = book_snapshots(accounts=accounts, open_orders=open_orders)

    assert set(bulk) == {a.pk for a in accounts}
    for account in accounts:
        alone = book_snapshot(account=account, now=bulk[account.pk].now, open_orders=open_orders)
        assert _comparable(bulk[account.pk]) == _comparable(alone)
        for scope in (alone.account, *alone.strategies.values(), *alone.groups):
            bulk_scope = next(
                s
                for s in (
                    bulk[account.pk].account,
                    *bulk[account.pk].strategies.values(),
                    *bulk[account.pk].groups,
                )
                if (s.kind, s.code) == (scope.kind, scope.code)
            )
            assert utilization_figures(bulk[account.pk], bulk_scope) == utilization_figures(alone, scope)
    assert bulk[funded.pk].account.latest_var == D("1234.5")


def test_the_bulk_read_costs_the_same_statements_for_two_accounts_or_six(funded, market):
    def statements(accounts):
        with CaptureQueriesContext(connection) as queries:
            book_snapshots(accounts=accounts)
        return len(queries)

    few = _firm(funded, 1)
    statements(few)  # warm the per-process caches (instruments, closes, limits)
    cost_of_few = statements(few)
    many = [*few, *(_extra(i) for i in range(4))]
    statements(many)

    assert statements(many) == cost_of_few


def _extra(i: int) -> Account:
    account = AccountFactory(code=f"ACC-X{i}")
    deposit(account, "1000")
    fill(account, "AAPL", "buy", "1", "100")
    return account
