"""Helpers for ledger tests: record fills and cash through the services, as production does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from accounts.models import Account, Strategy
from positions.models import Instrument
from positions.services import FillInput, FillsResult, cash_movement_record, fills_record

_counter = iter(range(1, 10**9))


def fill_input(
    account: Account,
    instrument: Instrument,
    side: str,
    quantity: str | Decimal,
    price: str | Decimal,
    *,
    fill_id: str | None = None,
    strategy: Strategy | None = None,
    fee: str | Decimal = "0",
    executed_at: datetime | None = None,
    check_id: uuid.UUID | None = None,
) -> FillInput:
    return FillInput(
        account=account,
        fill_id=fill_id or f"F-{next(_counter)}",
        instrument=instrument,
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        executed_at=executed_at or datetime.now(UTC) - timedelta(seconds=1),
        strategy=strategy,
        fee=Decimal(fee),
        check_id=check_id,
    )


def record(
    account: Account,
    instrument: Instrument,
    side: str,
    quantity: str | Decimal,
    price: str | Decimal,
    *,
    now: datetime | None = None,
    **kwargs: object,
) -> FillsResult:
    return fills_record(
        fills=[fill_input(account, instrument, side, quantity, price, **kwargs)],  # type: ignore[arg-type]
        now=now,
    )


def deposit(account: Account, amount: str, currency: str = "USD", movement_id: str | None = None) -> None:
    cash_movement_record(
        account=account,
        movement_id=movement_id or f"M-{next(_counter)}",
        currency=currency,
        amount=Decimal(amount),
        reason="test deposit",
    )
