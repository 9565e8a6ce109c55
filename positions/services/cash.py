"""Cash: balances per (account, currency) and idempotent deposits/withdrawals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DataError, IntegrityError, transaction

from accounts.models import Account
from positions.ledger.numbers import q10
from positions.locks import lock_accounts_for_ledger
from positions.models import CashBalance, CashMovement
from positions.services.chunks import in_chunks
from positions.services.errors import LIMIT, LedgerOutOfRange, as_text
from positions.services.rowstore import row_store


class CashMovementConflict(Exception):
    """The movement_id is already stored for the account with a different payload."""

    code = "cash_movement_conflict"

    def __init__(self, movement_id: str, differences: dict[str, dict[str, Any]]) -> None:
        super().__init__(f"Cash movement {movement_id} was already recorded with a different payload.")
        self.movement_id = movement_id
        self.differences = differences


@dataclass(frozen=True)
class CashMovementResult:
    movement: CashMovement
    created: bool


def cash_balance_add(*, account_id: int, deltas: dict[str, Decimal], item_id: str = "") -> None:
    """Add `deltas` (currency -> amount) to the account's balances; the caller holds the ledger lock."""
    cash_balances_add(
        deltas={(account_id, currency): delta for currency, delta in deltas.items()}, item_id=item_id
    )


def cash_balances_add(*, deltas: Mapping[tuple[int, str], Decimal], item_id: str = "") -> None:
    """Add `deltas` ((account id, currency) -> amount) to the balances, a few statements for any number.

    The caller holds the ledger lock of every account. The balances are read FOR UPDATE in one query,
    moved in Python and written back (existing rows in one UPDATE, new ones in one INSERT), so a
    writer bypassing the ledger lock would still wait on the rows rather than lose an update.
    A balance that would leave the ledger's range raises LedgerOutOfRange naming `item_id`.
    """
    if not deltas:
        return
    accounts = sorted({account_id for account_id, _ in deltas})
    currencies = sorted({currency for _, currency in deltas})
    rows: dict[tuple[int, str], CashBalance] = {}
    for chunk in in_chunks(accounts, others=len(currencies)):
        locked = CashBalance.objects.select_for_update().filter(account_id__in=chunk, currency__in=currencies)
        rows.update(((row.account_id, row.currency), row) for row in locked.order_by("pk"))
    changed: list[CashBalance] = []
    created: list[CashBalance] = []
    for key in sorted(deltas):
        row = rows.get(key)
        if row is None:
            row = CashBalance(account_id=key[0], currency=key[1], amount=Decimal(0))
            created.append(row)
        else:
            changed.append(row)
        row.amount = q10(row.amount + deltas[key])
        if abs(row.amount) >= LIMIT:
            raise LedgerOutOfRange(item_id, "cash balance")
    store = row_store()
    try:
        store.update(CashBalance, changed, ["amount", "updated_at"])
        store.insert(created)
    except DataError:  # PostgreSQL: numeric field overflow (the check above should catch it first)
        raise LedgerOutOfRange(item_id, "cash balance") from None


def _differences(stored: CashMovement, *, currency: str, amount: Decimal, reason: str) -> dict[str, Any]:
    diff: dict[str, dict[str, Any]] = {}
    if stored.currency != currency:
        diff["currency"] = {"stored": stored.currency, "sent": currency}
    if stored.amount != amount:
        diff["amount"] = {"stored": as_text(stored.amount), "sent": as_text(amount)}
    if stored.reason != reason:
        diff["reason"] = {"stored": stored.reason, "sent": reason}
    return diff


@transaction.atomic
def cash_movement_record(
    *,
    account: Account,
    movement_id: str,
    currency: str,
    amount: Decimal,
    reason: str = "",
    recorded_by: Any = None,
) -> CashMovementResult:
    """Store a deposit (+) or withdrawal (-) and move the cash balance; a replay changes nothing.

    The same movement_id with the same payload is a no-op (created=False); with a different payload
    it raises CashMovementConflict.
    """
    lock_accounts_for_ledger([account.pk])
    try:
        with transaction.atomic():
            movement = CashMovement.objects.create(
                account=account,
                movement_id=movement_id,
                currency=currency,
                amount=amount,
                reason=reason,
                recorded_by=recorded_by if getattr(recorded_by, "is_authenticated", False) else None,
            )
    except IntegrityError:
        stored = CashMovement.objects.get(account=account, movement_id=movement_id)
        diff = _differences(stored, currency=currency, amount=amount, reason=reason)
        if diff:
            raise CashMovementConflict(movement_id, diff) from None
        return CashMovementResult(movement=stored, created=False)
    cash_balance_add(account_id=account.pk, deltas={currency: amount}, item_id=movement_id)
    return CashMovementResult(movement=movement, created=True)
