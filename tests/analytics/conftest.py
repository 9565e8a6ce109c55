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
