"""Errors shared by the ledger services."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

# Stored figures are numeric(28, 10): at most 18 digits before the decimal point.
LIMIT = Decimal(10) ** 18


class LedgerOutOfRange(ValueError):
    """A write would push a position or a cash balance beyond what the ledger can store (HTTP 400)."""

    code = "out_of_range"

    def __init__(self, item_id: str, field: str) -> None:
        super().__init__(f"{item_id} would take the {field} beyond the supported range.")
        self.item_id = item_id
        self.field = field


def as_text(value: object) -> object:
    """A value of a replay difference, as JSON."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # "187.2", whatever the stored scale
    return str(value)
