"""The pre-trade rule engine: plain Python on plain data, no Django. See README.md."""

from __future__ import annotations

from limits.engine.check import (
    BatchResult,
    apply_reservation,
    check_batch,
    check_order,
    evaluate,
)
from limits.engine.decision import (
    AcceptedDecision,
    Decision,
    RejectedDecision,
    Reservation,
    reserve,
)
from limits.engine.orders import DraftOrder, InvalidOrder, ValidatedOrder, validate_order
from limits.engine.registry import RULES, rule
from limits.engine.snapshot import InstrumentRef, Limits, Mark, ScopeState, Snapshot, fresh_mark, fx_rate
from limits.engine.types import Finding
from limits.engine.utilization import utilization

__all__ = [
    "RULES",
    "AcceptedDecision",
    "BatchResult",
    "Decision",
    "DraftOrder",
    "Finding",
    "InstrumentRef",
    "InvalidOrder",
    "Limits",
    "Mark",
    "RejectedDecision",
    "Reservation",
    "ScopeState",
    "Snapshot",
    "ValidatedOrder",
    "apply_reservation",
    "check_batch",
    "check_order",
    "evaluate",
    "fresh_mark",
    "fx_rate",
    "reserve",
    "rule",
    "utilization",
    "validate_order",
]
