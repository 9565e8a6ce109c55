"""An account's book as the next pre-trade check would see it, with no order: the same store, rows,
valuation and limits as the check, read without locking. Summaries, dashboards and the nightly's
limit alerts measure utilization on it with the check's own functions."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from accounts.models import Account, Strategy
from limits.cache import generation_keys
from limits.checks.refdata import instruments, previous_closes
from limits.checks.snapshot import build_snapshot, check_scopes, scope_limits
from limits.checks.store import LoadRequest, check_store
from limits.engine.snapshot import Snapshot
from limits.risk_figures import latest_var
from limits.shared_state import shared_state
from positions.clock import current_day_start
from positions.ledger.tradingday import trading_date


def book_snapshot(*, account: Account, now: datetime | None = None, open_orders: bool = True) -> Snapshot:
    """The account's snapshot with every one of its strategies and groups, their limits and their
    order-rate windows (read, nothing counted). `open_orders=False` leaves open reservations out:
    the book of positions held, as the summary values it."""
    now = now or timezone.now()
    day_start = current_day_start(now)
    instruments.table()
    previous_closes.for_date(trading_date(day_start))
    strategies = frozenset(Strategy.objects.filter(account=account).values_list("code", flat=True))
    request = LoadRequest(account.pk, strategies, frozenset(), frozenset(), now, day_start, lock=False)
    with check_store().session() as session:
        rows = session.lock_and_load(request)
        if not open_orders:
            for book in (rows.account_book, *rows.group_books.values()):
                book.reserved.clear()
        scopes = check_scopes(rows)
        counts, tokens = shared_state().window_and_tokens(
            dict.fromkeys(scopes, 0), now=now, tokens=generation_keys(scopes)
        )
    limits = scope_limits(rows, scopes, tokens)
    return build_snapshot(
        rows=rows,
        limits=limits,
        order_symbols=[],
        orders_last_minute=counts,
        trading_date=trading_date(day_start),
        now=now,
        latest_var=latest_var(account.pk, account.base_currency)
        if limits.account.max_var is not None
        else None,
    )
