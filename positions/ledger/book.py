"""A position together with its day-start snapshot, and what a fill does to both. Pure, no Django.

Live recording and `rebuild_positions` both go through `book_fill`, fill by fill in arrival order,
so a rebuild reproduces the live state exactly.

The day-start snapshot: before the first fill executed at or after the current risk day's start,
the position's state is copied into `day_state` and stamped with that day start. A snapshot stamped
with an older day start is stale: no fill of the current day has touched the position since, so
its current state is its day-start state (`effective_day_state`). A late fill (executed before the
day start but recorded after a fill of the current day) moves the position but not the snapshot,
so its realized P&L counts as today's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from positions.ledger.position import PositionState, SideName, apply_fill

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class TrackedPosition:
    state: PositionState = field(default_factory=PositionState)
    day_start_at: datetime | None = None
    day_state: PositionState = field(default_factory=PositionState)


@dataclass(frozen=True, slots=True)
class BookedFill:
    position: TrackedPosition
    realized: Decimal  # realized P&L of this fill, before fees
    cash_delta: Decimal  # realized - fee, in the instrument's currency


def book_fill(
    tracked: TrackedPosition,
    *,
    side: SideName | str,
    quantity: Decimal,
    price: Decimal,
    multiplier: Decimal,
    fee: Decimal,
    executed_at: datetime,
    current_day_start: datetime,
) -> BookedFill:
    """Apply one fill, snapshotting the day-start state first when the fill opens a new risk day."""
    day_start_at, day_state = tracked.day_start_at, tracked.day_state
    if executed_at >= current_day_start and day_start_at != current_day_start:
        day_start_at, day_state = current_day_start, tracked.state
    state, realized = apply_fill(tracked.state, side, quantity, price, multiplier, fee)
    # Built directly rather than with dataclasses.replace: a list of 100,000 fills books 100,000.
    position = TrackedPosition(state=state, day_start_at=day_start_at, day_state=day_state)
    return BookedFill(position=position, realized=realized, cash_delta=realized - fee)


def effective_day_state(tracked: TrackedPosition, current_day_start: datetime) -> PositionState:
    """The position's state when the current risk day began."""
    if tracked.day_start_at == current_day_start:
        return tracked.day_state
    return tracked.state
