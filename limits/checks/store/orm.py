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
        strategies = {
            c: ScopeRow("strategy", pk, c, cast(TradingState, s), base)
            for pk, c, s in Strategy.objects.filter(
                account_id=account_id, code__in=request.strategy_codes
            ).values_list("pk", "code", "trading_state")
        }
        replays = {
            str(key): pk
            for key, pk in CheckDecision.objects.filter(
                account_id=account_id, client_order_id__in=request.client_order_ids
            ).values_list("client_order_id", "pk")
        }

        members: dict[int, list[int]] = defaultdict(list)  # account id -> its groups' ids
        for group_id, member_id in _MEMBERS.objects.filter(
            accountgroup_id__in=[g.id for g in groups]
        ).values_list("accountgroup_id", "account_id"):
            members[member_id].append(group_id)
        account_ids = {account_id, *members}

        account_book = BookRows()
        group_lines: dict[int, dict[int, BookLine]] = defaultdict(dict)
        held_ids: set[int] = set()
        for row in Position.objects.filter(account_id__in=account_ids).values_list(
            "account_id", "strategy_id", "instrument_id", "quantity", "avg_price", "realized_pnl", "fees",
            "day_start_at", "day_start_quantity", "day_start_avg_price", "day_start_realized_pnl",
            "day_start_fees",
        ):  # fmt: skip
            owner, strategy_id, instrument_id, q, ap, r, f, day_at, dq, da, dr, df = row
            tracked = TrackedPosition(PositionState(q, ap, r, f), day_at, PositionState(dq, da, dr, df))
            line = book_line(tracked.state, effective_day_state(tracked, request.day_start))
            if line.quantity or line.day_quantity:
                held_ids.add(instrument_id)
            if owner == account_id:
                account_book.held.append(HeldLine(instrument_id, strategy_id, line))
            for group_id in members.get(owner, ()):
                lines = group_lines[group_id]
                lines[instrument_id] = lines.get(instrument_id, BookLine()) + line

        group_books = {
            g.id: BookRows(held=[HeldLine(iid, None, line) for iid, line in group_lines[g.id].items()])
            for g in groups
        }
        reserved_symbols: set[str] = set()
        open_totals = (
            ReservationTotal.objects.filter(
                account_id__in=account_ids, quantity__gt=0, expires_at__gt=request.now
            )
            .values_list("account_id", "strategy_id", "symbol", "side")
            .annotate(total=Sum("quantity"))
            .order_by()
        )
        group_reserved: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
        for owner, strategy_id, symbol, side, total in open_totals:
            reserved_symbols.add(symbol)
            if owner == account_id:
                account_book.reserved.append(ReservedLine(strategy_id, symbol, side, total))
            for group_id in members.get(owner, ()):
                group_reserved[(group_id, symbol, side)] += total
        for (group_id, symbol, side), total in group_reserved.items():
            group_books[group_id].reserved.append(ReservedLine(None, symbol, side, total))

        for owner, currency, amount in CashBalance.objects.filter(account_id__in=account_ids).values_list(
            "account_id", "currency", "amount"
        ):
            books = [account_book] if owner == account_id else []
            books += [group_books[group_id] for group_id in members.get(owner, ())]
            for book in books:
                book.cash[currency] = book.cash.get(currency, Decimal(0)) + amount

        involved = Instrument.objects.filter(
            Q(pk__in=held_ids) | Q(symbol__in=reserved_symbols | request.symbols)
        ).values_list("pk", "underlying_id")
        instrument_ids = {pk for pk, _ in involved} | {u for _, u in involved if u is not None}
        marks = {
            iid: MarkRow(price, as_of)
            for iid, price, as_of in Price.objects.filter(instrument_id__in=instrument_ids).values_list(
                "instrument_id", "price", "as_of"
            )
        }
        return CheckRows(
            account=account,
            groups=groups,
            strategies=strategies,
            replays=replays,
            account_book=account_book,
            group_books=group_books,
            marks=marks,
            fx=list(FxRate.objects.values_list("base", "quote", "rate")),
        )

    def store_and_commit(self, decisions: Sequence[CheckDecision]) -> None:
        # Django's atomic block (OrmCheckStore.session) commits when the check returns.
        CheckDecision.objects.bulk_create(decisions)
        add_totals(opened_totals(decisions))
