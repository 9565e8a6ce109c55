"""Initial margin per position and per portfolio, and margin excess.

* Linear positions: |quantity x spot x multiplier x fx| x margin_rate (the instrument's rate).
* Options, by a scenario grid (SPAN-like, no offsets between positions): the option position is
  fully revalued for every underlying move in `MarginGrid.moves` (default -15% .. +15% in 5%
  steps) combined with every implied-vol shift in `MarginGrid.vol_shifts` (default -0.05, 0,
  +0.05, absolute); its margin is the worst loss over the grid (0 if it never loses). A short
  option's margin is at least `short_option_floor` (default 5%) of its underlying notional
  |quantity| x spot x multiplier x fx, since the grid may understate tail risk far out of the
  money. A long option's grid loss is bounded by its premium. Option margin_rate is not used.
* Portfolio margin = sum over positions; margin excess = equity - margin (negative: a shortfall).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from analytics.riskmath._checks import quantity_matrix
from analytics.riskmath._types import FloatArray, as_float
from analytics.riskmath.errors import InvalidInputError
from analytics.riskmath.universe import Universe, instrument_pnl


def _default_moves() -> FloatArray:
    return as_float(np.linspace(-0.15, 0.15, 7))


@dataclass(frozen=True)
class MarginGrid:
    moves: FloatArray = field(default_factory=_default_moves)
    vol_shifts: tuple[float, ...] = (-0.05, 0.0, 0.05)
    short_option_floor: float = 0.05


@dataclass(frozen=True)
class MarginBatch:
    """`by_position` [P x m] margin per position; `total` [P]; `excess` [P] when equity was given."""

    by_position: FloatArray
    total: FloatArray
    excess: FloatArray | None


def unit_margins(
    u: Universe, margin_rate: npt.ArrayLike, grid: MarginGrid | None = None
) -> tuple[FloatArray, FloatArray]:
    """(margin of one long unit [m], margin of one short unit [m]) of each instrument."""
    g = grid or MarginGrid()
    rate = as_float(margin_rate)
    if rate.shape != (u.size,) or np.any(rate < 0) or not np.all(np.isfinite(rate[~u.is_option])):
        raise InvalidInputError("margin_rate", f"expected {u.size} non-negative rates")
    notional = np.abs(u.spot * u.multiplier * u.fx_to_base)
    long_m = np.where(u.is_option, 0.0, notional * np.nan_to_num(rate))
    short_m = long_m.copy()
    opt = u.option_index
    if opt.size:
        moves = np.repeat(as_float(g.moves), len(g.vol_shifts))
        vols = np.tile(np.asarray(g.vol_shifts, dtype=np.float64), len(g.moves))
        pnl = instrument_pnl(u, opt, np.broadcast_to(moves[:, None], (moves.size, opt.size)), vol_shift=vols)
        long_m[opt] = np.maximum(-pnl.min(axis=0), 0.0)
        short_m[opt] = np.maximum(np.maximum(pnl.max(axis=0), 0.0), g.short_option_floor * notional[opt])
    return as_float(long_m), as_float(short_m)


def margin_batch(
    u: Universe,
    quantities: npt.ArrayLike,
    margin_rate: npt.ArrayLike,
    *,
    equity: npt.ArrayLike | None = None,
    grid: MarginGrid | None = None,
) -> MarginBatch:
    """Initial margin of every row of `quantities` [P x m]; `equity` [P] (base) gives the excess."""
    q = quantity_matrix(u, quantities)
    long_m, short_m = unit_margins(u, margin_rate, grid)
    by_pos = np.where(q >= 0.0, q * long_m, -q * short_m)
    total = by_pos.sum(axis=1)
    excess = None if equity is None else as_float(as_float(equity) - total)
    return MarginBatch(as_float(by_pos), as_float(total), excess)
