from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from analytics.snapshot import load_books
from positions.clock import current_trading_date
from positions.models import PriceHistory
from tests.analytics.helpers import hold, listed, option_on
from tests.conftest import client_for
from tests.factories import AccountFactory, FxRateFactory

pytestmark = pytest.mark.django_db


def _firm(n_accounts: int):
    FxRateFactory(base="EUR", quote="USD", rate="1.10")
    instruments = [
        listed(f"S{i}", days=60, seed=i, currency="EUR" if i % 3 == 0 else "USD") for i in range(6)
    ]
    option = option_on(instruments[1], "S1-C")
    accounts = []
    for i in range(n_accounts):
        account = AccountFactory(code=f"Q-{i}", base_currency="EUR" if i % 2 else "USD")
        for j, instrument in enumerate(instruments):
            if (i + j) % 2 == 0:
                hold(account, instrument, str(10 + i + j))
        hold(account, option, "-1")
        accounts.append(account)
    return accounts


def test_bulk_loading_costs_the_same_queries_for_many_accounts():
    accounts = _firm(12)
    few = [(a.pk, a.base_currency) for a in accounts[:2]]
    many = [(a.pk, a.base_currency) for a in accounts]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        load_books(few, lookback_days=40)
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as large:
        books = load_books(many, lookback_days=40)
    assert len(large.captured_queries) == len(small.captured_queries) <= 10
    assert sorted(b.base_currency for b in books) == ["EUR", "USD"]
    assert sum(len(b.account_ids) for b in books) == 12


def test_books_hold_signed_quantities_summed_over_strategies_and_returns_by_factor():
    from tests.factories import StrategyFactory

    account = AccountFactory(code="Q-1")
    a = listed("AA", days=30, seed=1)
    hold(account, a, "10")
    from positions.models import Position

    Position.objects.create(
        account=account, strategy=StrategyFactory(account=account), instrument=a, quantity=Decimal("-4")
    )
    (book,) = load_books([(account.pk, "USD")], lookback_days=20)
    assert book.universe.symbols == ("AA",)
    assert book.quantities.tolist() == [[6.0]]
    closes = [
        float(c)
        for c in PriceHistory.objects.filter(instrument=a).order_by("date").values_list("close", flat=True)
    ]
    expected = np.array(closes[1:]) / np.array(closes[:-1]) - 1
    assert np.allclose(book.returns[:, 0], expected[-20:])
    assert book.return_dates[-1] == PriceHistory.objects.filter(instrument=a).latest("date").date
    assert book.as_of == current_trading_date()


def test_a_holiday_of_one_instrument_is_a_zero_return_not_missing_data(account, viewer):
    a = listed("AA", days=60, seed=1)
    b = listed("BB", days=60, seed=2)
    gap = PriceHistory.objects.filter(instrument=b).order_by("-date")[5]
    gap.delete()
    hold(account, a, "10")
    hold(account, b, "10")
    (book,) = load_books([(account.pk, "USD")], lookback_days=40)
    assert not book.errors
    col = book.universe.factor_symbols.index("BB")
    day = book.return_dates.index(gap.date)
    assert book.returns[day, col] == 0.0


def test_a_singular_covariance_is_handled(account, viewer):
    """Two instruments with the same history: the covariance is singular, every method still answers."""
    a = listed("TWIN1", days=80, seed=9)
    b = listed("TWIN2", days=80, seed=9)
    hold(account, a, "10")
    hold(account, b, "5")
    for method in ("parametric", "historical", "monte_carlo"):
        params = {"method": method, "lookback_days": 60}
        if method == "monte_carlo":
            params["scenarios"] = 1000
        res = client_for(viewer).get("/api/v1/accounts/ACC-1/risk/var/", params)
        assert res.status_code == 200, res.json()
        assert res.json()["var"] > 0
