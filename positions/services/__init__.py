"""Writes of the positions app: fills, cash movements, rebuilds. Each is one transaction."""

from __future__ import annotations

from positions.services.cash import (
    CashMovementConflict,
    CashMovementResult,
    cash_balance_add,
    cash_movement_record,
)
from positions.services.errors import LedgerOutOfRange
from positions.services.fills import (
    FillConflict,
    FillInput,
    FillsResult,
    fill_differences,
    fills_record,
)
from positions.services.rebuild import DerivedLedger, RebuildResult, ledger_derive, positions_rebuild

__all__ = [
    "CashMovementConflict",
    "CashMovementResult",
    "DerivedLedger",
    "FillConflict",
    "FillInput",
    "FillsResult",
    "LedgerOutOfRange",
    "RebuildResult",
    "cash_balance_add",
    "cash_movement_record",
    "fill_differences",
    "fills_record",
    "ledger_derive",
    "positions_rebuild",
]
