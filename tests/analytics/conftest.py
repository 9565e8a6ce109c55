from __future__ import annotations

import pytest

from tests.analytics.helpers import hold, listed


@pytest.fixture
def equity_book(account):
    """ACC-1 long two correlated-ish equities with 300 days of history."""
    aapl = listed("AAPL", price="187.20", seed=1)
    msft = listed("MSFT", price="410", seed=2)
    hold(account, aapl, "100")
    hold(account, msft, "-20")
    return account


@pytest.fixture
def scenarios(db):
    """The built-in and demo stress scenarios (a transactional test elsewhere may have flushed the
    rows the data migration seeded)."""
    from riskplatform.demo.analytics import demo_scenarios_create

    demo_scenarios_create()
