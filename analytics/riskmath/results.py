"""Result dataclasses shared by the VaR methods.

Units: every money figure is in the base currency of the `Universe` it was computed on. VaR and ES
are positive numbers meaning losses over `horizon_days`. Arrays in `VarBatch` have one row per
portfolio (the rows of the quantity matrix Q) and one column per instrument of the universe.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.riskmath._types import FloatArray


@dataclass(frozen=True)
class ComponentVar:
    """One position's share of VaR (the contract's `components` item).

    `exposure`: base-currency delta exposure (market value for a linear position, delta x
    underlying notional for an option). `marginal_var`: d VaR / d exposure. `component_var`:
    exposure x marginal_var; components sum to the portfolio VaR.
    """

    symbol: str
    exposure: float
    marginal_var: float
    component_var: float


@dataclass(frozen=True)
class VarResult:
    """VaR and ES of one portfolio (the contract's `/risk/var/` body, less currency and lookback)."""

    method: str
    confidence: float
    horizon_days: float
    var: float
    expected_shortfall: float
    portfolio_value: float
    components: tuple[ComponentVar, ...]


@dataclass(frozen=True)
class VarBatch:
    """VaR and ES of P portfolios at once; `portfolio(i)` gives the `VarResult` of one."""

    method: str
    confidence: float
    horizon_days: float
    symbols: tuple[str, ...]
    var: FloatArray  # [P]
    es: FloatArray  # [P]
    portfolio_value: FloatArray  # [P]
    exposure: FloatArray  # [P x m]
    marginal_var: FloatArray  # [P x m]
    component_var: FloatArray  # [P x m]

    def portfolio(self, i: int, *, include_zero: bool = False) -> VarResult:
        """Result of row `i`; positions with zero exposure are left out unless `include_zero`."""
        comps = tuple(
            ComponentVar(
                sym,
                float(self.exposure[i, j]),
                float(self.marginal_var[i, j]),
                float(self.component_var[i, j]),
            )
            for j, sym in enumerate(self.symbols)
            if include_zero or self.exposure[i, j] != 0.0 or self.component_var[i, j] != 0.0
        )
        return VarResult(
            method=self.method,
            confidence=self.confidence,
            horizon_days=self.horizon_days,
            var=float(self.var[i]),
            expected_shortfall=float(self.es[i]),
            portfolio_value=float(self.portfolio_value[i]),
            components=comps,
        )
