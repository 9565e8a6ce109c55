"""Recomputing positions and cash balances from fills and cash movements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction

from accounts.models import Account
from positions.clock import current_day_start
from positions.ledger.book import TrackedPosition, book_fill, effective_day_state
from positions.ledger.numbers import q10
from positions.ledger.position import PositionState
from positions.locks import lock_accounts_for_ledger
from positions.models import CashBalance, CashMovement, Fill, Position
from positions.services.tracked import TRACKED_FIELDS, copy_to_row, tracked_from_row

PositionKey = tuple[int | None, int]  # (strategy_id, instrument_id)


@dataclass(frozen=True)
class RebuildResult:
    account_code: str
    fills: int
    positions: int
    positions_changed: int
    balances: int
    balances_changed: int


@dataclass(frozen=True)
class DerivedLedger:
    positions: dict[PositionKey, TrackedPosition]
    cash: dict[str, Decimal]
    fills: int


def ledger_derive(*, account: Account, now: datetime | None = None) -> DerivedLedger:
    """What the positions and balances of `account` must be, replaying fills in arrival (id) order.

    Live recording applies fills of an account one at a time under the account's ledger lock, in
    the order their ids are assigned, so this order reproduces the live state exactly.
    """
    day_start = current_day_start(now)
    positions: dict[PositionKey, TrackedPosition] = {}
    cash: dict[str, Decimal] = defaultdict(Decimal)
    count = 0
    fills = Fill.objects.filter(account=account).select_related("instrument").order_by("id")
    for fill in fills.iterator(chunk_size=2000):
        key = (fill.strategy_id, fill.instrument_id)
        booked = book_fill(
            positions.get(key, TrackedPosition()),
            side=fill.side,
            quantity=fill.quantity,
            price=fill.price,
            multiplier=fill.instrument.multiplier,
            fee=fill.fee,
            executed_at=fill.executed_at,
            current_day_start=day_start,
        )
        positions[key] = booked.position
        cash[fill.instrument.currency] += booked.cash_delta
        count += 1
    for currency, amount in CashMovement.objects.filter(account=account).values_list("currency", "amount"):
        cash[currency] += amount
    return DerivedLedger(positions=positions, cash={c: q10(a) for c, a in cash.items()}, fills=count)


# SQLite keeps 15 significant digits of a NUMERIC (it stores a double), and live updates there read
# back that rounded value and add in floating point; PostgreSQL's numeric is exact. So on SQLite a
# live figure may differ from the exact replay in its last digits: that is not a change to report.
SQLITE_RELATIVE_TOLERANCE = Decimal("1e-12")


def _close(a: Decimal, b: Decimal) -> bool:
    if a == b:
        return True
    if connection.vendor != "sqlite":
        return False
    return abs(a - b) <= max(abs(a), abs(b), Decimal(1)) * SQLITE_RELATIVE_TOLERANCE


def _same_state(a: PositionState, b: PositionState) -> bool:
    return all(
        _close(getattr(a, name), getattr(b, name))
        for name in ("quantity", "avg_price", "realized_pnl", "fees")
    )


def _same(a: TrackedPosition, b: TrackedPosition, day_start: datetime) -> bool:
    return _same_state(a.state, b.state) and _same_state(
        effective_day_state(a, day_start), effective_day_state(b, day_start)
    )


@transaction.atomic
def positions_rebuild(*, account: Account, now: datetime | None = None) -> RebuildResult:
    """Recompute every position and cash balance of `account` from its fills and cash movements."""
    lock_accounts_for_ledger([account.pk])
    day_start = current_day_start(now)
    derived = ledger_derive(account=account, now=now)

    existing = {
        (p.strategy_id, p.instrument_id): p
        for p in Position.objects.select_for_update().filter(account=account)
    }
    changed = 0
    for key, row in existing.items():
        if key not in derived.positions:
            row.delete()  # no fill ever touched it
            changed += 1
    for key, tracked in derived.positions.items():
        found = existing.get(key)
        if found is None:
            new_row = Position(account=account, strategy_id=key[0], instrument_id=key[1])
            copy_to_row(tracked, new_row)
            new_row.save()
            changed += 1
            continue
        row = found
        if not _same(tracked_from_row(row), tracked, day_start):
            changed += 1
        copy_to_row(tracked, row)
        row.save(update_fields=TRACKED_FIELDS)

    balances = {b.currency: b for b in CashBalance.objects.select_for_update().filter(account=account)}
    balances_changed = 0
    for currency, balance in balances.items():
        if currency not in derived.cash:
            balance.delete()
            balances_changed += 1
    for currency, amount in sorted(derived.cash.items()):
        current = balances.get(currency)
        if current is None:
            CashBalance.objects.create(account=account, currency=currency, amount=amount)
            balances_changed += 1
        elif not _close(current.amount, amount):
            current.amount = amount
            current.save(update_fields=["amount", "updated_at"])
            balances_changed += 1
    return RebuildResult(
        account_code=account.code,
        fills=derived.fills,
        positions=len(derived.positions),
        positions_changed=changed,
        balances=len(derived.cash),
        balances_changed=balances_changed,
    )
