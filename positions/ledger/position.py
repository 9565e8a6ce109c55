"""Position arithmetic: what one fill does to a position. Pure, no Django.

Conventions
- `quantity` is signed: positive long, negative short. A fill's quantity is positive; its side gives
  the sign.
- `avg_price` is the weighted average entry price of the open quantity (0 when flat). Adding to a
  position re-averages; reducing it leaves the average unchanged.
- Realized P&L on a reduction = (exit price - avg price) x closed quantity x multiplier x sign of the
  position closed (+1 long, -1 short). It excludes fees.
- A fill that crosses zero (a flip) closes the whole old position at the fill price and opens the
  remainder at the fill price.
- Fees are tracked apart on the position (`fees`) and reduce cash; the cash effect of a fill is
  `realized - fee` in the instrument's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Literal

from positions.ledger.numbers import WIDE, q10

SideName = Literal["buy", "sell"]
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PositionState:
    quantity: Decimal = ZERO
    avg_price: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    fees: Decimal = ZERO

    @property
    def is_flat(self) -> bool:
        return self.quantity == 0


def signed_quantity(side: SideName | str, quantity: Decimal) -> Decimal:
    """The fill quantity with the side's sign: buy positive, sell negative."""
    if side == "buy":
        return quantity
    if side == "sell":
        return -quantity
    raise ValueError(f"unknown side {side!r}")


def apply_fill(
    state: PositionState,
    side: SideName | str,
    quantity: Decimal,
    price: Decimal,
    multiplier: Decimal,
    fee: Decimal = ZERO,
) -> tuple[PositionState, Decimal]:
    """The position after the fill and the P&L the fill realized (before fees)."""
    if quantity <= 0:
        raise ValueError("fill quantity must be positive")
    delta = signed_quantity(side, quantity)
    old = state.quantity
    with localcontext(WIDE):
        if old == 0 or (old > 0) == (delta > 0):
            # Opening or adding: re-average over the open quantity.
            new_qty = old + delta
            avg = q10((abs(old) * state.avg_price + abs(delta) * price) / abs(new_qty))
            realized = ZERO
        else:
            closed = min(abs(old), abs(delta))
            direction = 1 if old > 0 else -1
            realized = q10((price - state.avg_price) * closed * multiplier * direction)
            new_qty = old + delta
            if new_qty == 0:
                avg = ZERO
            elif (new_qty > 0) == (old > 0):
                avg = state.avg_price  # a partial close keeps the entry price of what is left
            else:
                avg = q10(price)  # flipped: the remainder opens at the fill price
        new_state = PositionState(
            quantity=q10(new_qty),
            avg_price=avg,
            realized_pnl=q10(state.realized_pnl + realized),
            fees=q10(state.fees + fee),
        )
    return new_state, realized


def unrealized_pnl(state: PositionState, mark: Decimal, multiplier: Decimal) -> Decimal:
    """(mark - avg price) x quantity x multiplier: the P&L if the position were closed at `mark`."""
    return q10((mark - state.avg_price) * state.quantity * multiplier)


def market_value(quantity: Decimal, mark: Decimal, multiplier: Decimal) -> Decimal:
    """Signed market value (notional) at `mark`, in the instrument's currency."""
    return q10(quantity * mark * multiplier)
