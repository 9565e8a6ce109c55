"""The pre-trade check, the account summary and the nightly report agree to the cent on one book.

A book with every kind of figure: equities in USD and EUR, a future, a long call and a short put on a
held stock, a position carried over from yesterday (so daily P&L starts from yesterday's close) and
one opened today, fees, and cash in two currencies. The summary's equity, exposures, leverage, daily
P&L and margin must equal what the check measures (its snapshot of the book, and the value of its
`insufficient_margin` violation), and the nightly report's margin must equal both.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.api.fields import cents as to_cents
from analytics.models import RiskReport
from analytics.services.reports import risk_reports_run
from limits.checks.book import book_snapshot
from limits.checks.service import check_order
from limits.engine.exposure import cash_in_base, holdings
from limits.engine.orders import DraftOrder
from limits.engine.types import Missing
from positions.models import Instrument
from positions.services.cash import cash_movement_record
from positions.services.fills import FillInput, fills_record
from tests.analytics.helpers import listed, option_on
from tests.conftest import client_for
from tests.factories import FxRateFactory
from tests.limits.checks.conftest import set_limits

pytestmark = pytest.mark.django_db


def cents(value: Decimal | float | str) -> Decimal:
    """As every answer rounds money (accounts.api.fields.cents)."""
    return to_cents(Decimal(str(value)))


def _book(account, when, symbol, side, quantity, price, fee="0"):
    fills_record(fills=[FillInput(
        account=account, fill_id=uuid.uuid4().hex, instrument=Instrument.objects.get(symbol=symbol),
        side=side, quantity=Decimal(quantity), price=Decimal(price), executed_at=when, fee=Decimal(fee),
    )])  # fmt: skip


@pytest.fixture
def book(account, scenarios):
    aapl = listed("AAPL", price="187.20", seed=1, margin_rate=Decimal("0.20"))
    listed("SAP", price="120.50", seed=2, currency="EUR", margin_rate=Decimal("0.15"))
    listed(
        "ES",
        price="5012.25",
        seed=3,
        asset_class="future",
        multiplier=Decimal("50"),
        margin_rate=Decimal("0.06"),
    )
    option_on(aapl, "AAPL-C190", strike="190", price="6.35")
    option_on(aapl, "AAPL-P180", strike="180", option_type="put", price="4.10")
    FxRateFactory(base="EUR", quote="USD", rate=Decimal("1.0843"))
    cash_movement_record(account=account, movement_id="usd", currency="USD", amount=Decimal("750000"))
    cash_movement_record(account=account, movement_id="eur", currency="EUR", amount=Decimal("50000"))
    yesterday, today = timezone.now() - timedelta(days=1), timezone.now()
    _book(account, yesterday, "AAPL", "buy", "1200", "181.10", fee="6")  # carried over
    _book(account, today, "AAPL", "sell", "200", "188.05", fee="2")  # partly closed today
    _book(account, yesterday, "SAP", "sell", "300", "118.40")
    _book(account, today, "ES", "buy", "3", "4990.50", fee="7.5")  # opened today
    _book(account, today, "AAPL-C190", "buy", "10", "6.00")
    _book(account, today, "AAPL-P180", "sell", "8", "4.45")
    return account


def test_check_summary_and_nightly_agree_to_the_cent(book, owner, django_capture_on_commit_callbacks):
    summary = client_for(owner).get(f"/api/v1/accounts/{book.code}/summary/").json()

    snapshot = book_snapshot(account=book)
    scope = snapshot.account
    held = holdings(snapshot, scope)
    cash = cash_in_base(snapshot, scope.cash, scope.base_currency)
    assert not isinstance(held, Missing)
    assert not isinstance(cash, Missing)
    equity = cash + scope.unrealized_pnl
    assert cents(summary["cash"]) == cents(cash)
    assert cents(summary["equity"]) == cents(equity)
    assert cents(summary["unrealized_pnl"]) == cents(scope.unrealized_pnl)
    assert cents(summary["daily_pnl"]) == cents(scope.daily_pnl)
    assert cents(summary["gross_exposure"]) == cents(held.gross)
    assert cents(summary["net_exposure"]) == cents(held.net)
    assert cents(summary["margin_required"]) == cents(held.margin)
    assert cents(summary["leverage"]) == cents(held.gross / equity)

    # The check's own figure: the margin after a 1-share AAPL buy at the mark, which it reports as
    # an insufficient_margin warning once the warning level is low enough.
    with django_capture_on_commit_callbacks(execute=True):  # the limits' token moves on commit
        set_limits(book, warn_utilization_pct="1")
    tiny = DraftOrder(
        account=book.code, symbol="AAPL", side="buy", quantity=Decimal("1"), price=Decimal("187.20")
    )
    answer = check_order(account=book, order=tiny)
    assert answer.decision == "accepted", answer.violations
    margin = next(w for w in answer.warnings if w["code"] == "insufficient_margin")
    order_margin = Decimal("187.20") * Decimal("0.20")
    assert Decimal(margin["value"]) == cents(Decimal(summary["margin_required"]) + order_margin)
    assert Decimal(margin["limit"]) == cents(summary["equity"])

    risk_reports_run()
    report = RiskReport.objects.get(account=book)
    assert report.status == "ok", report.error
    assert cents(report.margin_required) == cents(summary["margin_required"])
