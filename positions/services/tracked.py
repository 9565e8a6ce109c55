"""Moving a position between its row and the ledger's TrackedPosition.

A row is a Position, or any object with the tracked fields as attributes (a stored position read as
a tuple, see positions/services/fills.py).
"""

from __future__ import annotations

from typing import Any

from positions.ledger.book import TrackedPosition
from positions.ledger.position import PositionState


def tracked_from_row(position: Any) -> TrackedPosition:
    return TrackedPosition(
        state=PositionState(
            quantity=position.quantity,
            avg_price=position.avg_price,
            realized_pnl=position.realized_pnl,
            fees=position.fees,
        ),
        day_start_at=position.day_start_at,
        day_state=PositionState(
            quantity=position.day_start_quantity,
            avg_price=position.day_start_avg_price,
            realized_pnl=position.day_start_realized_pnl,
            fees=position.day_start_fees,
        ),
    )


def copy_to_row(tracked: TrackedPosition, position: Any) -> None:
    position.quantity = tracked.state.quantity
    position.avg_price = tracked.state.avg_price
    position.realized_pnl = tracked.state.realized_pnl
    position.fees = tracked.state.fees
    position.day_start_at = tracked.day_start_at
    position.day_start_quantity = tracked.day_state.quantity
    position.day_start_avg_price = tracked.day_state.avg_price
    position.day_start_realized_pnl = tracked.day_state.realized_pnl
    position.day_start_fees = tracked.day_state.fees


# Stored by every fill, in this order (with updated_at, stamped on write).
TRACKED_COLUMNS = (
    "quantity",
    "avg_price",
    "realized_pnl",
    "fees",
    "day_start_at",
    "day_start_quantity",
    "day_start_avg_price",
    "day_start_realized_pnl",
    "day_start_fees",
)
TRACKED_FIELDS = [
    "quantity",
    "avg_price",
    "realized_pnl",
    "fees",
    "day_start_at",
    "day_start_quantity",
    "day_start_avg_price",
    "day_start_realized_pnl",
    "day_start_fees",
    "updated_at",
]
