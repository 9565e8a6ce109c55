"""Recording fills: idempotent, atomic per request, serialized per account."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import DataError, IntegrityError, transaction

from accounts.models import Account, Strategy
from positions.clock import current_day_start
from positions.ledger.book import book_fill
from positions.locks import lock_accounts_for_ledger
from positions.models import Fill, Instrument, Position
from positions.services.cash import cash_balance_add
from positions.services.errors import LIMIT, LedgerOutOfRange, as_text
from positions.services.tracked import TRACKED_FIELDS, copy_to_row, tracked_from_row
from positions.signals import fill_recorded


@dataclass(frozen=True)
class FillInput:
    """One fill as validated by the caller (the API serializer or a loader)."""

    account: Account
    fill_id: str
    instrument: Instrument
    side: str
    quantity: Decimal
    price: Decimal
    executed_at: datetime
    strategy: Strategy | None = None
    fee: Decimal = Decimal(0)
    check_id: uuid.UUID | None = None


@dataclass(frozen=True)
class FillsResult:
    fills: tuple[Fill, ...]  # in the order given
    created: tuple[bool, ...]  # per fill: False for an identical replay

    @property
    def any_created(self) -> bool:
        return any(self.created)


class FillConflict(Exception):
    """A fill_id already stored for the account with a different payload (HTTP 409)."""

    code = "fill_conflict"

    def __init__(self, account_code: str, fill_id: str, differences: dict[str, dict[str, Any]]) -> None:
        super().__init__(
            f"Fill {fill_id} of account {account_code} was already recorded with a different payload."
        )
        self.account_code = account_code
        self.fill_id = fill_id
        self.differences = differences


def fill_differences(stored: Fill, sent: FillInput) -> dict[str, dict[str, Any]]:
    """Field -> {stored, sent} for every field where a replay differs (numbers compare by value)."""
    pairs: dict[str, tuple[object, object]] = {
        "strategy": (
            stored.strategy.code if stored.strategy else None,
            sent.strategy.code if sent.strategy else None,
        ),
        "symbol": (stored.instrument.symbol, sent.instrument.symbol),
        "side": (stored.side, sent.side),
        "quantity": (stored.quantity, sent.quantity),
        "price": (stored.price, sent.price),
        "fee": (stored.fee, sent.fee),
        "executed_at": (stored.executed_at, sent.executed_at),
        "check_id": (stored.check_id, sent.check_id),
    }
    return {
        name: {"stored": as_text(old), "sent": as_text(new)}
        for name, (old, new) in pairs.items()
        if old != new
    }


def _position_key(fill: FillInput) -> tuple[int, int, int]:
    return (fill.account.pk, fill.instrument.pk, fill.strategy.pk if fill.strategy else 0)


@transaction.atomic
def fills_record(
    *, fills: Sequence[FillInput], recorded_by: Any = None, now: datetime | None = None
) -> FillsResult:
    """Store the fills and move positions and cash, all or nothing.

    A fill_id already stored for its account with the same payload is a replay: it changes nothing
    and is reported with created=False. With a different payload the whole call raises FillConflict
    and nothing is stored. `fill_recorded` is sent for each new fill inside the transaction.
    """
    day_start = current_day_start(now)
    lock_accounts_for_ledger(f.account.pk for f in fills)
    user = recorded_by if getattr(recorded_by, "is_authenticated", False) else None

    positions: dict[tuple[int, int, int], Position] = {}
    cash: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    stored: list[Fill] = []
    created: list[bool] = []
    new_fills: list[Fill] = []
    for item in fills:
        try:
            with transaction.atomic():
                fill = Fill.objects.create(
                    account=item.account,
                    strategy=item.strategy,
                    instrument=item.instrument,
                    fill_id=item.fill_id,
                    side=item.side,
                    quantity=item.quantity,
                    price=item.price,
                    fee=item.fee,
                    executed_at=item.executed_at,
                    check_id=item.check_id,
                    recorded_by=user,
                )
        except IntegrityError:
            existing = (
                Fill.objects.select_related("strategy", "instrument")
                .filter(account=item.account, fill_id=item.fill_id)
                .first()
            )
            if existing is None:  # not a duplicate: some other constraint failed
                raise
            diff = fill_differences(existing, item)
            if diff:
                raise FillConflict(item.account.code, item.fill_id, diff) from None
            stored.append(existing)
            created.append(False)
            continue

        key = _position_key(item)
        position = positions.get(key)
        if position is None:
            position, _ = Position.objects.select_for_update().get_or_create(
                account=item.account, strategy=item.strategy, instrument=item.instrument
            )
            positions[key] = position
        booked = book_fill(
            tracked_from_row(position),
            side=item.side,
            quantity=item.quantity,
            price=item.price,
            multiplier=item.instrument.multiplier,
            fee=item.fee,
            executed_at=item.executed_at,
            current_day_start=day_start,
        )
        state = booked.position.state
        for name in ("quantity", "realized_pnl", "fees"):
            if abs(getattr(state, name)) >= LIMIT:
                raise LedgerOutOfRange(item.fill_id, name)
        copy_to_row(booked.position, position)
        cash[item.account.pk][item.instrument.currency] += booked.cash_delta
        new_fills.append(fill)
        stored.append(fill)
        created.append(True)

    try:
        for key in sorted(positions):
            positions[key].save(update_fields=TRACKED_FIELDS)
        for account_id in sorted(cash):
            cash_balance_add(account_id=account_id, deltas=cash[account_id])
    except DataError:  # PostgreSQL: numeric field overflow of a cash balance
        raise LedgerOutOfRange(new_fills[-1].fill_id if new_fills else "", "cash balance") from None
    # Receivers see the positions and cash already moved by every fill of this call.
    for fill in new_fills:
        fill_recorded.send(sender=Fill, fill=fill)
    return FillsResult(fills=tuple(stored), created=tuple(created))
