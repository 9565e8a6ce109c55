"""An account's book as the next pre-trade check would see it, with no order: the same store, rows,
valuation, limits and risk model as the check, read without locking. Summaries, dashboards, the
nightly's limit alerts and what-if measure it with the check's own functions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from accounts.models import Account, Strategy
from limits.checks.refdata import instruments, previous_closes
from limits.checks.snapshot import check_scopes, snapshot_of
from limits.checks.store import LoadRequest, check_store
from limits.engine.snapshot import Snapshot
from limits.risk_figures import latest_var
from positions.clock import current_day_start
from positions.ledger.tradingday import trading_date


def book_snapshot(
    *,
    account: Account,
    now: datetime | None = None,
    open_orders: bool = True,
    order_symbols: Iterable[str] = (),
) -> Snapshot:
    """The account's snapshot with every one of its strategies and groups, their limits, their
    order-rate windows (read, nothing counted) and the day's risk model for what they hold and
    `order_symbols`. `open_orders=False` leaves open reservations out: the book of positions held,
    as the summary values it."""
    now = now or timezone.now()
    day_start = current_day_start(now)
    symbols = frozenset(order_symbols)
    instruments.resolve(symbols)
    previous_closes.for_date(trading_date(day_start))
    strategies = frozenset(Strategy.objects.filter(account=account).values_list("code", flat=True))
    request = LoadRequest(account.pk, strategies, symbols, frozenset(), now, day_start, lock=False)
    with check_store().session() as session:
        rows = session.lock_and_load(request)
        if not open_orders:
            for book in (rows.account_book, *rows.group_books.values()):
                book.reserved.clear()
        return snapshot_of(
            rows,
            added=dict.fromkeys(check_scopes(rows), 0),
            now=now,
            trading_date=trading_date(day_start),
            order_symbols=sorted(symbols),
            # The report's VaR for max_var's utilization (the check itself prices VaR on the model).
            latest_var=lambda limits: (
                latest_var(account.pk, account.base_currency) if limits.max_var is not None else None
            ),
        )
