"""What an accepted check holds, and the three ways it stops holding it: fills, release, expiry.

A reservation is the `open_quantity` of an accepted CheckDecision (see limits/models/checks.py).
Checks count it while open_quantity > 0 and expires_at > now, through ReservationTotal: the open
quantities summed per (account, strategy, symbol, side, expiry). Every change of an open quantity
here locks the decision row, moves it, and moves its total by the same quantity in the same
transaction, so a replayed fill, a double release or a cleanup running twice cannot free the same
quantity twice, and the totals stay the sum of the decisions.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Greatest
from django.utils import timezone

from limits.models.checks import CheckDecision, ReservationTotal
from positions.clock import current_day_end
from positions.services.chunks import chunk_size, in_chunks
from positions.services.rowstore import row_store

if TYPE_CHECKING:
    from positions.models import Fill

logger = logging.getLogger(__name__)
ZERO = Decimal(0)


class NothingReserved(Exception):
    """Only an accepted check holds a reservation; a rejected one has nothing to release."""


def reservation_expiry(now: datetime) -> datetime:
    """When a reservation made at `now` stops counting.

    settings.RISK_RESERVATION_TTL_SECONDS (if > 0) gives a fixed lifetime; otherwise the reservation
    lasts until the end of the firm's risk day, when an unfilled day order is gone anyway.
    """
    ttl = settings.RISK_RESERVATION_TTL_SECONDS
    if ttl > 0:
        return now + timedelta(seconds=ttl)
    return current_day_end(now)


# (account id, strategy id or None, symbol, side, expires_at): the key of a ReservationTotal.
TotalKey = tuple[int, int | None, str, str, datetime]


def total_key(decision: CheckDecision) -> TotalKey:
    if decision.expires_at is None:
        raise ValueError(f"Check {decision.check_id} holds no reservation (no expiry).")
    return (decision.account_id, decision.strategy_id, decision.symbol, decision.side, decision.expires_at)


def opened_totals(decisions: Sequence[CheckDecision]) -> dict[TotalKey, Decimal]:
    """The totals that newly stored accepted decisions add, one entry per key (baskets repeat keys)."""
    deltas: dict[TotalKey, Decimal] = defaultdict(Decimal)
    for decision in decisions:
        if decision.open_quantity > 0:
            deltas[total_key(decision)] += decision.open_quantity
    return dict(deltas)


def add_totals(deltas: Mapping[TotalKey, Decimal]) -> None:
    """Add `deltas` to the totals through the ORM (the caller holds the check's locks)."""
    for key, qty in deltas.items():
        if not _total_rows(key).update(quantity=F("quantity") + qty):
            account_id, strategy_id, symbol, side, expires_at = key
            ReservationTotal.objects.create(
                account_id=account_id,
                strategy_id=strategy_id,
                symbol=symbol,
                side=side,
                expires_at=expires_at,
                quantity=qty,
            )


def _subtract_total(key: TotalKey, qty: Decimal) -> None:
    if not _total_rows(key).update(quantity=Greatest(F("quantity") - qty, ZERO)):
        # Only a total deleted by the expiry task can be missing, and it no longer counts anyway.
        logger.info("no reservation total for %s to reduce by %s", key, qty)


def _total_rows(key: TotalKey) -> QuerySet[ReservationTotal]:
    account_id, strategy_id, symbol, side, expires_at = key
    rows = ReservationTotal.objects.filter(
        account_id=account_id, symbol=symbol, side=side, expires_at=expires_at
    )
    return rows.filter(strategy__isnull=True) if strategy_id is None else rows.filter(strategy_id=strategy_id)


def _locked_open(**filters: Any) -> CheckDecision | None:
    return (
        CheckDecision.objects.select_for_update()
        .filter(open_quantity__gt=0, **filters)
        .only("id", "check_id", "account_id", "strategy_id", "symbol", "side", "expires_at", "open_quantity")
        .first()
    )


def consume_for_fills(fills: Sequence[Fill]) -> list[Decimal]:
    """Consume the reservations named by the fills' `check_id`, each by its fill's quantity.

    Runs inside the fills' transaction (positions.signals.fills_recorded), set-based for any number
    of fills: one read of the named open decisions FOR UPDATE (in id order), the fills applied in
    their order in Python (several fills naming one check consume it in turn, an over-fill consumes
    what is left), one write of the decisions and one of their totals. A fill for another account,
    symbol or side than its check, or naming a check that holds nothing, consumes nothing. Returns
    the quantity each fill consumed (at most what was open), in the order given.
    """
    named = [f for f in fills if f.check_id is not None]
    if not named:
        return [ZERO] * len(fills)
    held = _locked_open_by_check(
        check_ids=sorted({f.check_id for f in named if f.check_id is not None}),
        account_ids=sorted({f.account_id for f in named}),
    )
    consumed_of: list[Decimal] = []
    moved: dict[int, _Held] = {}
    totals: dict[TotalKey, Decimal] = defaultdict(Decimal)
    for fill in fills:
        held_by = held.get(fill.check_id) if fill.check_id is not None else None
        if (
            held_by is None
            or held_by.open_quantity <= 0
            or held_by.account_id != fill.account_id
            or held_by.symbol != fill.instrument.symbol
            or held_by.side != fill.side
        ):
            if fill.check_id is not None:
                logger.info("fill %s names check %s, which holds nothing for it", fill.fill_id, fill.check_id)
            consumed_of.append(ZERO)
            continue
        consumed = min(held_by.open_quantity, fill.quantity)
        held_by.open_quantity -= consumed
        held_by.filled_quantity += consumed
        moved[held_by.pk] = held_by
        totals[held_by.total_key] += consumed
        consumed_of.append(consumed)
    if moved:
        ordered = [moved[pk] for pk in sorted(moved)]
        row_store().update(CheckDecision, ordered, ["open_quantity", "filled_quantity"])
        _subtract_totals(totals)
    return consumed_of


@dataclass
class _Held:
    """What a fill needs of an open decision, and what the row store writes back (read as a tuple:
    a model row costs more to build)."""

    pk: int
    account_id: int
    symbol: str
    side: str
    total_key: TotalKey
    open_quantity: Decimal
    filled_quantity: Decimal


def _locked_open_by_check(*, check_ids: Sequence[uuid.UUID], account_ids: Sequence[int]) -> dict[Any, _Held]:
    """The open decisions of `account_ids` named by `check_ids`, locked in id order, by check_id."""
    found: dict[Any, _Held] = {}
    for chunk in in_chunks(check_ids, others=len(account_ids)):
        rows = (
            CheckDecision.objects.select_for_update()
            .filter(check_id__in=chunk, account_id__in=account_ids, open_quantity__gt=0)
            .order_by("id")
            .values_list(
                "id", "check_id", "account_id", "strategy_id", "symbol", "side", "expires_at",
                "open_quantity", "filled_quantity",
            )
        )  # fmt: skip
        for pk, check_id, account_id, strategy_id, symbol, side, expires_at, open_qty, filled in rows:
            # An open decision is an accepted one: it always has an expiry.
            key: TotalKey = (account_id, strategy_id, symbol, side, cast(datetime, expires_at))
            found[check_id] = _Held(pk, account_id, symbol, side, key, open_qty, filled)
    return found


@dataclass
class _Total:
    pk: int
    quantity: Decimal


def _subtract_totals(deltas: Mapping[TotalKey, Decimal]) -> None:
    """Reduce the totals by `deltas` (never below zero): one read FOR UPDATE, one write."""
    accounts = sorted({key[0] for key in deltas})
    symbols = sorted({key[2] for key in deltas})
    rows: dict[TotalKey, _Total] = {}
    for account_chunk in in_chunks(accounts, size=chunk_size() // 2):
        for symbol_chunk in in_chunks(symbols, others=len(account_chunk)):
            locked = (
                ReservationTotal.objects.select_for_update()
                .filter(account_id__in=account_chunk, symbol__in=symbol_chunk)
                .order_by("id")
                .values_list("id", "account_id", "strategy_id", "symbol", "side", "expires_at", "quantity")
            )
            for pk, account_id, strategy_id, symbol, side, expires_at, quantity in locked:
                key: TotalKey = (account_id, strategy_id, symbol, side, expires_at)
                if key in deltas:
                    rows[key] = _Total(pk, quantity)
    for key, qty in deltas.items():
        found = rows.get(key)
        if found is None:
            # Only a total deleted by the expiry task can be missing, and it no longer counts anyway.
            logger.info("no reservation total for %s to reduce by %s", key, qty)
            continue
        found.quantity = max(found.quantity - qty, ZERO)
    ordered = [rows[key] for key in sorted(rows, key=_total_sort_key)]
    row_store().update(ReservationTotal, ordered, ["quantity"])


def _total_sort_key(key: TotalKey) -> tuple[int, int, str, str, datetime]:
    return (key[0], key[1] or 0, key[2], key[3], key[4])


@transaction.atomic
def release(*, decision: CheckDecision, now: datetime | None = None) -> CheckDecision:
    """Free what is left of the decision's reservation. Idempotent: a second release frees nothing.

    Allowed whatever the trading state: releasing only ever reduces risk.
    """
    if decision.decision != CheckDecision.Outcome.ACCEPTED:
        raise NothingReserved(f"Check {decision.check_id} was rejected: it holds no reservation.")
    now = now or timezone.now()
    held = _locked_open(pk=decision.pk)
    if held is not None:
        CheckDecision.objects.filter(pk=held.pk).update(
            released_quantity=F("released_quantity") + held.open_quantity, open_quantity=ZERO, released_at=now
        )
        _subtract_total(total_key(held), held.open_quantity)
    decision.refresh_from_db()
    return decision


@transaction.atomic
def rebuild_reservation_totals() -> int:
    """Recompute every ReservationTotal from the open decisions (after a restore or a manual edit).

    Blocks the checks' writes to the totals meanwhile: a check that stored its decision after this
    read adds its own total once this commits. Returns the number of totals.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE limits_reservationtotal IN SHARE ROW EXCLUSIVE MODE")
    ReservationTotal.objects.all().delete()
    sums = (
        CheckDecision.objects.filter(open_quantity__gt=0, expires_at__isnull=False)
        .values("account_id", "strategy_id", "symbol", "side", "expires_at")
        .annotate(total=Sum("open_quantity"))
        .order_by()
    )
    rows = [
        ReservationTotal(
            account_id=s["account_id"],
            strategy_id=s["strategy_id"],
            symbol=s["symbol"],
            side=s["side"],
            expires_at=cast(datetime, s["expires_at"]),
            quantity=s["total"],
        )
        for s in sums
    ]
    ReservationTotal.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def expire_reservations(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Zero the open quantity of expired reservations (they already stopped counting at expires_at).

    Housekeeping only: it keeps the partial index of open reservations and the totals small. Safe to
    run twice.
    """
    now = now or timezone.now()
    ReservationTotal.objects.filter(expires_at__lte=now).delete()
    total = 0
    while True:
        ids = list(
            CheckDecision.objects.filter(open_quantity__gt=0, expires_at__lte=now)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return total
        total += CheckDecision.objects.filter(Q(id__in=ids), open_quantity__gt=0, expires_at__lte=now).update(
            open_quantity=ZERO
        )
