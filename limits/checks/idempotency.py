"""`client_order_id` is an idempotency key per account.

The same id with the same order returns the first decision (same check_id, no second reservation);
the same id with a different order is a conflict (409). "The same order" compares every field of the
order, with numbers compared by value ("100" and "100.0" are the same quantity). The lookup runs
after the account lock, so two concurrent first attempts cannot both be decided; a unique
constraint on (account, client_order_id) backs it up.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from limits.checks.render import plain
from limits.engine.orders import DraftOrder
from limits.models.checks import CheckDecision


class IdempotencyConflict(Exception):
    """A client_order_id already used for a different order of the account."""

    def __init__(self, client_order_id: str, check_id: str) -> None:
        super().__init__(f"client_order_id {client_order_id!r} was already used for a different order")
        self.client_order_id = client_order_id
        self.check_id = check_id


def _number(value: Decimal | None) -> str:
    return "" if value is None else plain(Decimal(value))


def fingerprint(order: DraftOrder) -> str:
    parts = [
        order.account,
        order.strategy or "",
        order.symbol,
        order.side,
        _number(order.quantity),
        _number(order.price),
        order.order_type,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def replayed(order: DraftOrder, stored: CheckDecision) -> bool:
    """True when `stored` is the first decision of this very order; raises IdempotencyConflict if the
    client_order_id was used for another order."""
    if stored.fingerprint != fingerprint(order):
        raise IdempotencyConflict(order.client_order_id or "", str(stored.check_id))
    return True
