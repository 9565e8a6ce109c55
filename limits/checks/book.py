"""An account's book as the next pre-trade check would see it, with no order: the same store, rows,
valuation, limits and risk model as the check, read without locking. Summaries, dashboards, the
nightly's limit alerts and what-if measure it with the check's own functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.utils import timezone

from accounts.models import Account, Strategy
from limits.cache import generation_keys
from limits.checks.refdata import instruments, previous_closes
from limits.checks.snapshot import build_snapshot, check_scopes, scope_limits, snapshot_of
from limits.checks.store import CheckRows, LoadRequest, check_store
from limits.checks.store.orm import read_books
from limits.engine.snapshot import Snapshot
from limits.risk_figures import latest_var, latest_vars
from limits.shared_state import Scope, shared_state
from positions.clock import current_day_start
from positions.ledger.tradingday import trading_date


def _without_open_orders(rows: CheckRows) -> None:
    for book in (rows.account_book, *rows.group_books.values()):
        book.reserved.clear()


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
            _without_open_orders(rows)
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


def book_snapshots(
    *, accounts: Sequence[Account], now: datetime | None = None, open_orders: bool = True
) -> dict[int, Snapshot]:
    """`book_snapshot` of many accounts (by id) in a fixed number of statements whatever their number:
    the overview of a firm. The rows come from the reference store's bulk read (no locks; the same
    rows the check reads, tests/limits/checks/test_book_snapshots.py), the windows and tokens of every
    scope in one round trip."""
    now = now or timezone.now()
    day_start = current_day_start(now)
    instruments.table()
    previous_closes.for_date(trading_date(day_start))
    codes: dict[int, set[str]] = {a.pk: set() for a in accounts}
    for account_id, code in Strategy.objects.filter(account__in=list(accounts)).values_list(
        "account_id", "code"
    ):
        codes[account_id].add(code)
    requests = [
        LoadRequest(pk, frozenset(found), frozenset(), frozenset(), now, day_start, lock=False)
        for pk, found in codes.items()
    ]
    rows_of = read_books(requests)
    scopes_of: dict[int, list[Scope]] = {}
    for pk, rows in rows_of.items():
        if not open_orders:
            _without_open_orders(rows)
        scopes_of[pk] = check_scopes(rows)
    every_scope = list(dict.fromkeys(scope for scopes in scopes_of.values() for scope in scopes))
    counts, tokens = shared_state().window_and_tokens(
        dict.fromkeys(every_scope, 0), now=now, tokens=generation_keys(every_scope)
    )
    token_of = dict(zip(every_scope, tokens, strict=True))
    limits_of = {
        pk: scope_limits(rows, scopes_of[pk], [token_of[s] for s in scopes_of[pk]])
        for pk, rows in rows_of.items()
    }
    vars_of = latest_vars(
        {
            pk: rows.account.base_currency
            for pk, rows in rows_of.items()
            if limits_of[pk].account.max_var is not None
        }
    )
    return {
        pk: build_snapshot(
            rows=rows,
            limits=limits_of[pk],
            order_symbols=[],
            orders_last_minute=counts,
            trading_date=trading_date(day_start),
            now=now,
            latest_var=vars_of.get(pk),
        )
        for pk, rows in rows_of.items()
    }
