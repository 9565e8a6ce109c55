"""Stress tests by full revaluation, many scenarios on many portfolios at once.

A `StressScenario` moves, at the same instant:

* prices, as relative shocks: `asset_class_shocks` move every factor (driving price) of that class,
  `symbol_shocks` move one factor and override its class shock. Options are never shocked
  directly: they are repriced at their shocked underlying (keying a shock by an option's own symbol
  is an error). Classes: equity, future, fx, crypto.
* implied vols: `vol_shift` is added to every option's implied vol (floored at 0.0001);
* rates: `rate_shift` is added to every risk-free rate used to price options;
* FX: `fx_shocks` maps a currency to its relative move against the base currency (-0.15: the
  currency loses 15%); the key "*" applies to every non-base currency without its own entry.
  It scales the base value of every instrument in that currency.

Built-in scenarios (`BUILTIN_SCENARIOS`), chosen from well-known episodes and rounded:

* equity_crash_1987: equity -20%, future -15%, crypto -25%, vol +0.15 (19 Oct 1987, S&P -20.5%).
* gfc_2008: equity -9%, future -8%, crypto -20%, vol +0.10, rates -0.50% (15 Oct 2008 week).
* rates_shock_1994: rates +2%, equity -5%, future -3%, crypto -8%, vol +0.03 (the 1994 bond rout:
  there are no bond instruments; rates reach the book through option repricing and the moves of
  rate-sensitive classes).
* fx_devaluation: every non-base currency -15% against base, fx instruments -15%.
* covid_2020: equity -12%, future -10%, crypto -35%, vol +0.25, rates -1%, non-base FX -5%.
* crypto_crash_2022: crypto -40%, vol +0.20.

Scenario P&L [P x N] = Q @ U', with U [N x m] the full-revaluation P&L of one unit of each
instrument under each scenario; `by_symbol` is Q[p] x U[s].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from analytics.riskmath._checks import quantity_matrix
from analytics.riskmath._types import FloatArray, IntArray, as_float
from analytics.riskmath.errors import InvalidInputError
from analytics.riskmath.universe import ASSET_CLASSES, Universe, unit_pnl

ALL_OTHER_CURRENCIES = "*"
SHOCKABLE_CLASSES = tuple(c for c in ASSET_CLASSES if c != "option")


@dataclass(frozen=True)
class StressScenario:
    name: str
    asset_class_shocks: Mapping[str, float] = field(default_factory=dict)
    symbol_shocks: Mapping[str, float] = field(default_factory=dict)
    vol_shift: float = 0.0
    rate_shift: float = 0.0
    fx_shocks: Mapping[str, float] = field(default_factory=dict)
    description: str = ""


BUILTIN_SCENARIOS: tuple[StressScenario, ...] = (
    StressScenario(
        "equity_crash_1987",
        {"equity": -0.20, "future": -0.15, "crypto": -0.25},
        vol_shift=0.15,
        description="Black Monday: equities -20% with a volatility spike",
    ),
    StressScenario(
        "gfc_2008",
        {"equity": -0.09, "future": -0.08, "crypto": -0.20},
        vol_shift=0.10,
        rate_shift=-0.005,
        description="October 2008: equities -9%, vol +10, rates -50bp",
    ),
    StressScenario(
        "rates_shock_1994",
        {"equity": -0.05, "future": -0.03, "crypto": -0.08},
        vol_shift=0.03,
        rate_shift=0.02,
        description="1994 bond rout: rates +200bp",
    ),
    StressScenario(
        "fx_devaluation",
        {"fx": -0.15},
        fx_shocks={ALL_OTHER_CURRENCIES: -0.15},
        description="every non-base currency -15% against the base currency",
    ),
    StressScenario(
        "covid_2020",
        {"equity": -0.12, "future": -0.10, "crypto": -0.35},
        vol_shift=0.25,
        rate_shift=-0.01,
        fx_shocks={ALL_OTHER_CURRENCIES: -0.05},
        description="March 2020: equities -12%, vol +25, rates -100bp",
    ),
    StressScenario(
        "crypto_crash_2022",
        {"crypto": -0.40},
        vol_shift=0.20,
        description="2022 crypto collapse: crypto -40%",
    ),
)

BUILTIN_BY_NAME: dict[str, StressScenario] = {s.name: s for s in BUILTIN_SCENARIOS}


def scenario_from_shocks(shocks: Mapping[str, float | str], name: str = "custom") -> StressScenario:
    """Parse the contract's `{"shocks": {...}}`: keys "vol", "rates", an asset class, "fx:<CCY>"
    (or "fx:*"), else an instrument symbol. Values are decimal strings or numbers."""
    classes: dict[str, float] = {}
    symbols: dict[str, float] = {}
    fx: dict[str, float] = {}
    vol = rate = 0.0
    for key, raw in shocks.items():
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise InvalidInputError(key, f"shock {raw!r} is not a number") from None
        if not np.isfinite(value):
            raise InvalidInputError(key, "shock must be finite")
        if key == "vol":
            vol = value
        elif key == "rates":
            rate = value
        elif key == "option":
            raise InvalidInputError(key, "options move through their underlying; shock its class or symbol")
        elif key in SHOCKABLE_CLASSES:
            classes[key] = value
        elif key.startswith("fx:"):
            fx[key[3:]] = value
        else:
            symbols[key] = value
    return StressScenario(name, classes, symbols, vol, rate, fx)


@dataclass(frozen=True)
class StressBatch:
    """`pnl` [P x N] base-currency P&L; `unit_pnl` [N x m]; worst (most negative) scenario per row."""

    names: tuple[str, ...]
    symbols: tuple[str, ...]
    quantities: FloatArray
    unit_pnl: FloatArray
    pnl: FloatArray
    worst_index: IntArray
    worst_pnl: FloatArray

    def by_symbol(self, portfolio: int, scenario: int, *, include_zero: bool = False) -> dict[str, float]:
        row = self.quantities[portfolio] * self.unit_pnl[scenario]
        return {
            s: float(v)
            for s, v, q in zip(self.symbols, row, self.quantities[portfolio], strict=True)
            if include_zero or q != 0.0
        }

    def worst_name(self, portfolio: int) -> str:
        return self.names[int(self.worst_index[portfolio])]


def scenario_arrays(
    u: Universe, scenarios: Sequence[StressScenario], base_currency: str
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(factor shocks [N x k], vol shifts [N], rate shifts [N], fx moves [N x m])."""
    option_symbols = {s for s, o in zip(u.symbols, u.is_option, strict=True) if o}
    factor_pos = {s: j for j, s in enumerate(u.factor_symbols)}
    n, k = len(scenarios), u.n_factors
    classes = np.array(u.factor_asset_classes, dtype=object)
    currencies = np.array(u.currencies, dtype=object)
    shocks = np.zeros((n, k))
    fx = np.zeros((n, u.size))
    for i, sc in enumerate(scenarios):
        for cls, value in sc.asset_class_shocks.items():
            if cls not in SHOCKABLE_CLASSES:
                raise InvalidInputError(cls, f"scenario {sc.name}: unknown or unshockable asset class")
            shocks[i, classes == cls] = value
        for sym, value in sc.symbol_shocks.items():
            if sym in option_symbols:
                raise InvalidInputError(
                    sym, f"scenario {sc.name}: shock the option's underlying, not the option"
                )
            if sym in factor_pos:
                shocks[i, factor_pos[sym]] = value
        default = sc.fx_shocks.get(ALL_OTHER_CURRENCIES, 0.0)
        fx[i, currencies != base_currency] = default
        for ccy, value in sc.fx_shocks.items():
            if ccy not in (ALL_OTHER_CURRENCIES, base_currency):
                fx[i, currencies == ccy] = value
    if np.any(shocks <= -1.0) or np.any(fx <= -1.0):
        raise InvalidInputError("shocks", "a relative shock must be greater than -1 (-100%)")
    vol = np.array([s.vol_shift for s in scenarios], dtype=np.float64)
    rate = np.array([s.rate_shift for s in scenarios], dtype=np.float64)
    return as_float(shocks), vol, rate, as_float(fx)


def stress_batch(
    u: Universe,
    quantities: npt.ArrayLike,
    scenarios: Sequence[StressScenario] = BUILTIN_SCENARIOS,
    *,
    base_currency: str,
) -> StressBatch:
    """Full-revaluation P&L of every portfolio under every scenario."""
    q = quantity_matrix(u, quantities)
    if not scenarios:
        raise InvalidInputError("scenarios", "need at least one scenario")
    shocks, vol, rate, fx = scenario_arrays(u, scenarios, base_currency)
    units = unit_pnl(u, shocks, vol_shift=vol, rate_shift=rate, fx_returns=fx)
    pnl = q @ units.T
    worst = np.argmin(pnl, axis=1)
    return StressBatch(
        names=tuple(s.name for s in scenarios),
        symbols=u.symbols,
        quantities=q,
        unit_pnl=units,
        pnl=as_float(pnl),
        worst_index=np.asarray(worst, dtype=np.intp),
        worst_pnl=as_float(np.take_along_axis(pnl, worst[:, None], axis=1)[:, 0]),
    )
