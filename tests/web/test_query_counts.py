"""Every page costs a number of queries that does not grow with what it lists: accounts, desks,
strategies, positions, open orders, decisions, reports, alerts. Measured on the firm, then again on a
firm with more of everything (after one warm-up request: per-process caches of limits and
instruments fill on first use), and held under a ceiling."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import Alert, AlertKind, RiskReport
from limits.checks.service import check_order
from limits.engine.orders import DraftOrder
from positions.clock import current_trading_date
from tests.factories import AccountFactory, MembershipFactory, StrategyFactory
from tests.limits.checks.conftest import deposit, fill, set_limits

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_timed_revalidation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The instrument table re-reads its token once a second (limits/checks/refdata.py): a slow
    request would count one more query. Its timing is not what these tests measure."""
    monkeypatch.setattr("limits.checks.refdata.REVALIDATE_SECONDS", 3600.0)


@pytest.fixture(autouse=True)
def _shared_state_in_the_database(settings) -> None:
    """With Redis, each test starts on a flushed Redis, and for a minute after that the order-rate
    windows are rebuilt from the stored decisions, one query per scope (limits/shared_state): the cost
    of a Redis restart, not of the pages. The pages' own queries are the same in both states."""
    settings.RISK_SHARED_STATE = "database"


PAGES = {
    "overview": ("/", 25),
    "account": ("/accounts/ACC-1/", 38),
    "desk": ("/desks/DESK-1/", 28),
    "limits form": ("/accounts/ACC-1/limits/?scope=account", 6),
    "report csv": ("/accounts/ACC-1/reports.csv", 6),
}


def _cost(client, url: str) -> int:
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _grow(firm, manager) -> None:
    """More accounts in the desk, strategies, positions, open orders, decisions, reports, alerts."""
    account, desk = firm["account"], firm["desk"]
    for i in range(4):
        extra = AccountFactory(code=f"ACC-N{i}")
        deposit(extra, "10000")
        fill(extra, "AAPL", "buy", "5", "100")
        set_limits(extra, max_gross_exposure="100000", max_var="1000")
        MembershipFactory(user=manager, account=extra, role="risk_manager")
        desk.accounts.add(extra)
        Alert.objects.create(account=extra, kind=AlertKind.VAR_LIMIT, message=f"alert {i}")
        strategy = StrategyFactory(account=account, code=f"s{i}")
        set_limits(strategy, max_position_quantity="100")
        fill(account, "SAP", "buy", "10", "50", strategy=strategy)
    for _ in range(5):
        check_order(
            account=account,
            order=DraftOrder(
                account="ACC-1", symbol="AAPL", side="buy", quantity=Decimal("1"), price=Decimal("100")
            ),
        )
    today = current_trading_date()
    RiskReport.objects.bulk_create(
        RiskReport(
            account=account, as_of=today - timedelta(days=d), lookback_days=250, currency="USD", var_99=1.0
        )
        for d in range(10, 40)
    )


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_costs_the_same_queries_however_much_it_lists(logged_in, manager, firm, page):
    url, ceiling = PAGES[page]
    client = logged_in(manager)
    small = _cost(client, url)

    _grow(firm, manager)
    large = _cost(client, url)

    assert large == small, f"{page}: {small} queries, then {large} with more to list (an N+1)"
    assert large <= ceiling


def test_the_login_page_costs_no_query(client, db):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/login/").status_code == 200
    assert len(queries) == 0
