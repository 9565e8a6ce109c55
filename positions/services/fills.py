"""Recording fills: idempotent, atomic per request, serialized per account, set-based per call."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import DataError, transaction

from accounts.models import Account, Strategy
from positions.clock import current_day_start
from positions.ledger.book import book_fill
from positions.locks import lock_accounts_for_ledger
from positions.models import Fill, Instrument, Position
from positions.services.cash import cash_balances_add
from positions.services.chunks import chunk_size, in_chunks
from positions.services.errors import LIMIT, LedgerOutOfRange, as_text
from positions.services.rowstore import row_store
from positions.services.tracked import TRACKED_COLUMNS, TRACKED_FIELDS, copy_to_row, tracked_from_row
from positions.signals import fills_recorded


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


PositionKey = tuple[int, int, int | None]  # (account id, instrument id, strategy id or None)


def _position_key(fill: FillInput) -> PositionKey:
    return (fill.account.pk, fill.instrument.pk, fill.strategy.pk if fill.strategy else None)


def _same_payload(stored: Fill, sent: FillInput) -> bool:
    """fill_differences(stored, sent) is empty, without loading the stored row's instrument or strategy
    (symbols are unique, and so are a strategy's code within the fill's account)."""
    return (
        stored.instrument_id == sent.instrument.pk
        and stored.strategy_id == (sent.strategy.pk if sent.strategy else None)
        and stored.side == sent.side
        and stored.quantity == sent.quantity
        and stored.price == sent.price
        and stored.fee == sent.fee
        and stored.executed_at == sent.executed_at
        and stored.check_id == sent.check_id
    )


def _stored_fills(fills: Sequence[FillInput]) -> dict[tuple[int, str], Fill]:
    """The fills already stored under the (account, fill_id) pairs of `fills`: their ids in one
    lookup of the unique index, then (only when there are replays) their rows."""
    keys = sorted({(f.account.pk, f.fill_id) for f in fills})
    pks = sorted(row_store().find(Fill, ("account_id", "fill_id"), keys))
    found: dict[tuple[int, str], Fill] = {}
    for chunk in in_chunks(pks):
        found.update(((row.account_id, row.fill_id), row) for row in Fill.objects.filter(pk__in=chunk))
    return found


def _conflict(stored: Fill, sent: FillInput) -> FillConflict:
    stored = Fill.objects.select_related("strategy", "instrument").get(pk=stored.pk) if stored.pk else stored
    return FillConflict(sent.account.code, sent.fill_id, fill_differences(stored, sent))


_ACCOUNT, _STRATEGY, _INSTRUMENT = Fill.account.field, Fill.strategy.field, Fill.instrument.field
_FILL_COLUMNS = tuple(f.attname for f in Fill._meta.concrete_fields)


def _new_fill(item: FillInput, user: Any) -> Fill:
    # Built as the ORM builds rows it reads (values in column order, keys by id), then the related
    # objects put in the row's cache: a third of the cost of keyword arguments through the
    # descriptors, and the answer still reads them without a query.
    values = {
        "id": None,
        "account_id": item.account.pk,
        "strategy_id": item.strategy.pk if item.strategy else None,
        "instrument_id": item.instrument.pk,
        "fill_id": item.fill_id,
        "side": item.side,
        "quantity": item.quantity,
        "price": item.price,
        "fee": item.fee,
        "executed_at": item.executed_at,
        "check_id": item.check_id,
        "recorded_at": None,  # auto_now_add: stamped on insert
        "recorded_by_id": user.pk if user is not None else None,
    }
    fill = Fill(*[values[name] for name in _FILL_COLUMNS])
    _cache_related(fill, item)
    return fill


def _cache_related(fill: Fill, item: FillInput) -> None:
    _ACCOUNT.set_cached_value(fill, item.account)
    _STRATEGY.set_cached_value(fill, item.strategy)
    _INSTRUMENT.set_cached_value(fill, item.instrument)


def _as_stored(fill: Fill) -> Fill:
    """A new fill of this call as a later duplicate compares with it: as the database returns it."""
    return Fill(
        account=fill.account,
        strategy=fill.strategy,
        instrument=fill.instrument,
        fill_id=fill.fill_id,
        side=fill.side,
        quantity=fill.quantity,
        price=fill.price,
        fee=fill.fee,
        executed_at=fill.executed_at.astimezone(UTC),
        check_id=fill.check_id,
    )


@dataclass
class _StoredPosition:
    """A stored position read as a tuple (a Position instance costs several times more to build),
    booked in place and written back by the row store."""

    pk: int
    quantity: Decimal
    avg_price: Decimal
    realized_pnl: Decimal
    fees: Decimal
    day_start_at: datetime | None
    day_start_quantity: Decimal
    day_start_avg_price: Decimal
    day_start_realized_pnl: Decimal
    day_start_fees: Decimal
    updated_at: datetime | None = None  # auto_now: stamped by the store


def _locked_positions(keys: set[PositionKey]) -> dict[PositionKey, _StoredPosition | Position]:
    """The positions of `keys`, selected FOR UPDATE in a few queries; missing ones as new rows."""
    accounts = sorted({k[0] for k in keys})
    instruments = sorted({k[1] for k in keys})
    rows: dict[PositionKey, _StoredPosition | Position] = {}
    for account_chunk in in_chunks(accounts, size=chunk_size() // 2):
        for instrument_chunk in in_chunks(instruments, others=len(account_chunk)):
            locked = (
                Position.objects.select_for_update()
                .filter(account_id__in=account_chunk, instrument_id__in=instrument_chunk)
                .order_by("pk")
                .values_list("pk", "account_id", "instrument_id", "strategy_id", *TRACKED_COLUMNS)
            )
            for pk, account_id, instrument_id, strategy_id, *tracked in locked:
                key = (account_id, instrument_id, strategy_id)
                if key in keys:
                    rows[key] = _StoredPosition(pk, *tracked)
    for key in keys - set(rows):
        rows[key] = Position(account_id=key[0], instrument_id=key[1], strategy_id=key[2])
    return rows


def _write_positions(rows: Sequence[_StoredPosition | Position]) -> None:
    """Write the booked rows back: stored ones in one update, new ones in one insert."""
    store = row_store()
    store.update(Position, [row for row in rows if isinstance(row, _StoredPosition)], TRACKED_FIELDS)
    store.insert([row for row in rows if isinstance(row, Position)])


@transaction.atomic
def fills_record(
    *, fills: Sequence[FillInput], recorded_by: Any = None, now: datetime | None = None
) -> FillsResult:
    """Store the fills and move positions and cash, all or nothing.

    A fill_id already stored for its account with the same payload is a replay: it changes nothing
    and is reported with created=False; so is a repeat of a fill_id earlier in the same list with the
    same payload. With a different payload the whole call raises FillConflict and nothing is stored.
    `fills_recorded` is sent once, inside the transaction, with the new fills in the order applied.

    Set-based whatever the length of the list: one ledger lock statement for all its accounts, one
    read of the stored fill_ids, one read of the touched positions FOR UPDATE, booking in Python
    (`book_fill`, as `rebuild_positions` does), then one insert of the fills, one write of the
    positions and one of the cash balances through `row_store()` (COPY and UPDATE FROM unnest on
    PostgreSQL; reads in chunks of SQLite's parameter limit).
    """
    day_start = current_day_start(now)
    lock_accounts_for_ledger(f.account.pk for f in fills)
    user = recorded_by if getattr(recorded_by, "is_authenticated", False) else None

    # Replays and conflicts first, in list order, so the first conflicting item is the one reported.
    stored = _stored_fills(fills)
    first_in_list: dict[tuple[int, str], Fill] = {}
    out: list[Fill] = []
    created: list[bool] = []
    new_items: list[tuple[FillInput, Fill]] = []
    for item in fills:
        id_key = (item.account.pk, item.fill_id)
        existing = stored.get(id_key)
        if existing is not None:
            if not _same_payload(existing, item):
                raise _conflict(existing, item)
            # The replay answers with the caller's own objects (same ids): no query per related row.
            _cache_related(existing, item)
            out.append(existing)
            created.append(False)
            continue
        earlier = first_in_list.get(id_key)
        if earlier is not None:
            if not _same_payload(_as_stored(earlier), item):
                raise _conflict(_as_stored(earlier), item)
            out.append(earlier)
            created.append(False)
            continue
        fill = _new_fill(item, user)
        first_in_list[id_key] = fill
        new_items.append((item, fill))
        out.append(fill)
        created.append(True)

    positions = _locked_positions({_position_key(item) for item, _ in new_items})
    tracked = {key: tracked_from_row(row) for key, row in positions.items()}
    cash: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for item, _ in new_items:
        key = _position_key(item)
        booked = book_fill(
            tracked[key],
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
        tracked[key] = booked.position
        cash[(item.account.pk, item.instrument.currency)] += booked.cash_delta

    new_fills = [fill for _, fill in new_items]
    if not new_fills:
        return FillsResult(fills=tuple(out), created=tuple(created))
    # In list order, so ids ascend in the order the fills were booked (rebuilds replay in id order).
    row_store().insert(new_fills)
    for key, row in positions.items():
        copy_to_row(tracked[key], row)
    try:
        _write_positions([positions[key] for key in sorted(positions, key=_sort_key)])
    except DataError:  # PostgreSQL: numeric field overflow (the range check above comes first)
        raise LedgerOutOfRange(new_fills[-1].fill_id, "position") from None
    cash_balances_add(deltas=cash, item_id=new_fills[-1].fill_id)
    # Receivers see the positions and cash already moved by every fill of this call.
    fills_recorded.send(sender=Fill, fills=tuple(new_fills))
    return FillsResult(fills=tuple(out), created=tuple(created))


def _sort_key(key: PositionKey) -> tuple[int, int, int]:
    return (key[0], key[1], key[2] or 0)
