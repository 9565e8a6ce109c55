"""Cash: balances per (account, currency) and idempotent deposits/withdrawals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.db.models import F

from accounts.models import Account
from positions.ledger.numbers import q10
from positions.locks import lock_accounts_for_ledger
from positions.models import CashBalance, CashMovement
from positions.services.errors import LedgerOutOfRange, as_text


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


def cash_balance_add(*, account_id: int, deltas: dict[str, Decimal]) -> None:
    """Add `deltas` (currency -> amount) to the account's balances; the caller holds the ledger lock.

    Currencies are visited in sorted order and updated with `amount = amount + delta` in the database,
    so concurrent writers (should the lock ever be bypassed) still never lose an update.
    """
    for currency in sorted(deltas):
        delta = q10(deltas[currency])
        updated = CashBalance.objects.filter(account_id=account_id, currency=currency).update(
            amount=F("amount") + delta
        )
        if not updated:
            CashBalance.objects.create(account_id=account_id, currency=currency, amount=delta)


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
    try:
        cash_balance_add(account_id=account.pk, deltas={currency: amount})
    except DataError:  # PostgreSQL: numeric field overflow of the balance
        raise LedgerOutOfRange(movement_id, "cash balance") from None
    return CashMovementResult(movement=movement, created=True)
