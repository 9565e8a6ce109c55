"""The reference store: the check's locks and reads through the ORM, in Django's transaction.

Locking: the check serialises on the rows of its scopes, always in the same order: every group of
the account (by id), then the account. `FOR NO KEY UPDATE` conflicts with itself but not with the
key-share locks that inserting a fill or a decision takes on the account row, so fills are not
blocked by checks. The strategy row is read, not locked: a strategy's checks already hold its
account's lock. SQLite has no row locks: its transactions begin IMMEDIATE (settings.py), taking the
database's write lock, which serialises checks just the same.

Reads run after the locks; under READ COMMITTED each sees every transaction committed before the
lock was granted. Slower than the PostgreSQL fast path (about ten statements) but plain, and what
the fast path is held against (tests/limits/checks/test_store_parity.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.db.models import Q, Sum

from accounts.models import Account, AccountGroup, Strategy
from limits.checks.reservations import add_totals, opened_totals
from limits.checks.store.base import AccountGone, LoadRequest
from limits.checks.store.rows import BookRows, CheckRows, HeldLine, MarkRow, ReservedLine, ScopeRow
from limits.engine.types import TradingState
from limits.models.checks import CheckDecision, ReservationTotal
from positions.ledger.book import TrackedPosition, effective_day_state
from positions.ledger.position import PositionState
from positions.ledger.valuation import BookLine, book_line
from positions.models import CashBalance, FxRate, Instrument, Position, Price

_MEMBERS = AccountGroup.accounts.through


class OrmCheckStore:
    @contextmanager
    def session(self) -> Iterator[OrmSession]:
        with transaction.atomic():
            yield OrmSession()


class OrmSession:
    def lock_and_load(self, request: LoadRequest) -> CheckRows:
        account_id = request.account_id
        in_groups = _MEMBERS.objects.filter(account_id=account_id).values("accountgroup_id")
        groups_qs, accounts_qs = AccountGroup.objects.all(), Account.objects.all()
        if request.lock:
            groups_qs = groups_qs.select_for_update(no_key=True)
            accounts_qs = accounts_qs.select_for_update(no_key=True)
        group_rows = list(
            groups_qs.filter(pk__in=in_groups)
            .order_by("pk")
            .values_list("pk", "code", "trading_state", "base_currency")
        )
        account_row = (
            accounts_qs.filter(pk=account_id).values_list("code", "trading_state", "base_currency").first()
        )
        if account_row is None:
            raise AccountGone(account_id)
        code, state, base = account_row
        account = ScopeRow("account", account_id, code, cast(TradingState, state), base)
        groups = [ScopeRow("group", pk, c, cast(TradingState, s), b) for pk, c, s, b in group_rows]
        return _read([request], {account_id: account}, {account_id: groups})[account_id]

    def store_and_commit(self, decisions: Sequence[CheckDecision]) -> None:
        # Django's atomic block (OrmCheckStore.session) commits when the check returns.
        CheckDecision.objects.bulk_create(decisions)
        add_totals(opened_totals(decisions))


def read_books(requests: Sequence[LoadRequest]) -> dict[int, CheckRows]:
    """The rows of several accounts' checks at once, read without locks, in about ten statements
    whatever the number of accounts (the overview page values every account on one snapshot each).
    Accounts that no longer exist are absent. Every request must share `now` and `day_start`."""
    if not requests:
        return {}
    ids = [r.account_id for r in requests]
    accounts = {
        pk: ScopeRow("account", pk, code, cast(TradingState, state), base)
        for pk, code, state, base in Account.objects.filter(pk__in=ids).values_list(
            "pk", "code", "trading_state", "base_currency"
        )
    }
    groups: dict[int, list[ScopeRow]] = {pk: [] for pk in accounts}
    for account_id, pk, code, state, base in (
        _MEMBERS.objects.filter(account_id__in=list(accounts))
        .order_by("accountgroup_id")
        .values_list(
            "account_id",
            "accountgroup_id",
            "accountgroup__code",
            "accountgroup__trading_state",
            "accountgroup__base_currency",
        )
    ):
        groups[account_id].append(ScopeRow("group", pk, code, cast(TradingState, state), base))
    return _read([r for r in requests if r.account_id in accounts], accounts, groups)


def _read(
    requests: Sequence[LoadRequest], accounts: dict[int, ScopeRow], groups: dict[int, list[ScopeRow]]
) -> dict[int, CheckRows]:
    """Everything but the scope rows, for the requests' accounts (whose rows and groups are given):
    one statement per table, whatever the number of accounts."""
    now, day_start = requests[0].now, requests[0].day_start
    assert all(r.now == now and r.day_start == day_start for r in requests)
    by_id = {r.account_id: r for r in requests}
    ids = list(by_id)
    strategies: dict[int, dict[str, ScopeRow]] = {pk: {} for pk in ids}
    wanted_codes = set().union(*(r.strategy_codes for r in requests))
    for owner, pk, c, s in Strategy.objects.filter(account_id__in=ids, code__in=wanted_codes).values_list(
        "account_id", "pk", "code", "trading_state"
    ):
        if c in by_id[owner].strategy_codes:
            strategies[owner][c] = ScopeRow(
                "strategy", pk, c, cast(TradingState, s), accounts[owner].base_currency
            )
    replays: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    wanted_ids = set().union(*(r.client_order_ids for r in requests))
    for owner, key, pk in CheckDecision.objects.filter(
        account_id__in=ids, client_order_id__in=wanted_ids
    ).values_list("account_id", "client_order_id", "pk"):
        if key in by_id[owner].client_order_ids:
            replays[owner][str(key)] = pk

    group_ids = sorted({g.id for pk in ids for g in groups[pk]})
    members: dict[int, list[int]] = defaultdict(list)  # account id -> its groups' ids (of these groups)
    for group_id, member_id in _MEMBERS.objects.filter(accountgroup_id__in=group_ids).values_list(
        "accountgroup_id", "account_id"
    ):
        members[member_id].append(group_id)
    owners = {*ids, *members}

    own_books = {pk: BookRows() for pk in ids}
    group_lines: dict[int, dict[int, BookLine]] = defaultdict(dict)
    held_by_owner: dict[int, set[int]] = defaultdict(set)
    for row in Position.objects.filter(account_id__in=owners).values_list(
        "account_id", "strategy_id", "instrument_id", "quantity", "avg_price", "realized_pnl", "fees",
        "day_start_at", "day_start_quantity", "day_start_avg_price", "day_start_realized_pnl",
        "day_start_fees",
    ):  # fmt: skip
        owner, strategy_id, instrument_id, q, ap, r, f, day_at, dq, da, dr, df = row
        tracked = TrackedPosition(PositionState(q, ap, r, f), day_at, PositionState(dq, da, dr, df))
        line = book_line(tracked.state, effective_day_state(tracked, day_start))
        if line.quantity or line.day_quantity:
            held_by_owner[owner].add(instrument_id)
        if owner in own_books:
            own_books[owner].held.append(HeldLine(instrument_id, strategy_id, line))
        for group_id in members.get(owner, ()):
            lines = group_lines[group_id]
            lines[instrument_id] = lines.get(instrument_id, BookLine()) + line

    reserved_by_owner: dict[int, set[str]] = defaultdict(set)
    group_reserved: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    open_totals = (
        ReservationTotal.objects.filter(account_id__in=owners, quantity__gt=0, expires_at__gt=now)
        .values_list("account_id", "strategy_id", "symbol", "side")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for owner, strategy_id, symbol, side, total in open_totals:
        reserved_by_owner[owner].add(symbol)
        if owner in own_books:
            own_books[owner].reserved.append(ReservedLine(strategy_id, symbol, side, total))
        for group_id in members.get(owner, ()):
            group_reserved[group_id][(symbol, side)] += total

    cash_by_owner: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for owner, currency, amount in CashBalance.objects.filter(account_id__in=owners).values_list(
        "account_id", "currency", "amount"
    ):
        cash = cash_by_owner[owner]
        cash[currency] = cash.get(currency, Decimal(0)) + amount
    for pk in ids:
        own_books[pk].cash = dict(cash_by_owner.get(pk, {}))
    group_cash: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for owner, cash in cash_by_owner.items():
        for group_id in members.get(owner, ()):
            for currency, amount in cash.items():
                group_cash[group_id][currency] = group_cash[group_id].get(currency, Decimal(0)) + amount

    # The instruments each account's check involves: held or reserved in its book or its groups'
    # books, the orders' own, and their underlyings.
    involved_owners = {pk: {pk, *(m for m, gs in members.items() if set(gs) & {g.id for g in groups[pk]})}
                       for pk in ids}  # fmt: skip
    held_ids = {pk: set().union(*(held_by_owner[o] for o in involved_owners[pk])) for pk in ids}
    symbols = {
        pk: set().union(*(reserved_by_owner[o] for o in involved_owners[pk])) | by_id[pk].symbols
        for pk in ids
    }
    involved = list(
        Instrument.objects.filter(
            Q(pk__in=set().union(*held_ids.values())) | Q(symbol__in=set().union(*symbols.values()))
        ).values_list("pk", "symbol", "underlying_id")
    )
    all_marks = {
        iid: MarkRow(price, as_of, vol)
        for iid, price, as_of, vol in Price.objects.filter(
            instrument_id__in={pk for pk, _, _ in involved} | {u for _, _, u in involved if u is not None}
        ).values_list("instrument_id", "price", "as_of", "implied_vol")
    }
    fx = list(FxRate.objects.values_list("base", "quote", "rate"))

    result = {}
    for pk in ids:
        mine = [(iid, u) for iid, symbol, u in involved if iid in held_ids[pk] or symbol in symbols[pk]]
        instrument_ids = {iid for iid, _ in mine} | {u for _, u in mine if u is not None}
        result[pk] = CheckRows(
            account=accounts[pk],
            groups=groups[pk],
            strategies=strategies[pk],
            replays=replays[pk],
            account_book=own_books[pk],
            group_books={
                g.id: BookRows(
                    held=[HeldLine(iid, None, line) for iid, line in group_lines[g.id].items()],
                    reserved=[
                        ReservedLine(None, symbol, side, total)
                        for (symbol, side), total in group_reserved[g.id].items()
                    ],
                    cash=dict(group_cash.get(g.id, {})),
                )
                for g in groups[pk]
            },
            marks={iid: mark for iid, mark in all_marks.items() if iid in instrument_ids},
            fx=list(fx),
        )
    return result
