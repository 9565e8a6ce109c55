"""Greeks of positions aggregated per underlying (the contract's `/risk/greeks/`).

Per position: delta = quantity x multiplier x option delta (a linear position: quantity x
multiplier), gamma likewise, vega / theta / rho = quantity x multiplier x per-unit Greek x fx, i.e.
base currency per vol point (0.01), per calendar day, per 1% rate move. delta_notional = delta x
underlying price x fx (base currency). Delta and gamma stay in units of the underlying, so their
`total` is a plain sum that only means something for a single underlying; delta_notional, vega,
theta and rho totals are base-currency sums. Underlyings are the universe's factors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analytics.riskmath._checks import quantity_matrix
from analytics.riskmath._types import FloatArray, as_float
from analytics.riskmath.universe import Universe, factor_loadings, unit_greeks


@dataclass(frozen=True)
class UnderlyingGreeks:
    underlying: str
    delta: float
    gamma: float
    vega: float
    theta: float
    rho: float
    delta_notional: float


@dataclass(frozen=True)
class GreeksReport:
    by_underlying: tuple[UnderlyingGreeks, ...]
    total: UnderlyingGreeks  # underlying "total"


@dataclass(frozen=True)
class GreeksBatch:
    """[P x k x 6] figures in the order delta, gamma, vega, theta, rho, delta_notional."""

    factor_symbols: tuple[str, ...]
    values: FloatArray

    FIELDS = ("delta", "gamma", "vega", "theta", "rho", "delta_notional")

    def report(self, i: int, *, include_zero: bool = False) -> GreeksReport:
        rows = tuple(
            UnderlyingGreeks(sym, *(float(v) for v in self.values[i, j]))
            for j, sym in enumerate(self.factor_symbols)
            if include_zero or np.any(self.values[i, j] != 0.0)
        )
        total = UnderlyingGreeks("total", *(float(v) for v in self.values[i].sum(axis=0)))
        return GreeksReport(rows, total)


def greeks_batch(u: Universe, quantities: npt.ArrayLike) -> GreeksBatch:
    """Aggregated Greeks of every row of `quantities` [P x m] (or one portfolio [m])."""
    q = quantity_matrix(u, quantities)
    g = unit_greeks(u)
    per_unit = np.stack(
        [
            g.delta,
            g.gamma,
            g.vega * u.fx_to_base,
            g.theta * u.fx_to_base,
            g.rho * u.fx_to_base,
            g.delta * u.spot * u.fx_to_base,
        ],
        axis=1,
    )  # [m x 6]
    values = np.stack([q @ factor_loadings(u, per_unit[:, f]) for f in range(6)], axis=2)
    return GreeksBatch(u.factor_symbols, as_float(values))
