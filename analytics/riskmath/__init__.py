"""Risk math core: VaR/ES, Greeks, stress, backtests and margin on float64 arrays (no Django).

Shape of every computation: build a `Universe` of m instruments once (`build_universe`), hold
positions as a quantity matrix Q [portfolios x m] (one row per portfolio, signed quantities), feed
daily simple returns R [days x k] of the universe's k factors (`history.lookback_returns`), and get
frozen dataclasses of arrays back. All money is in the base currency the caller converted to via
`InstrumentSpec.fx_to_base`. See README.md in this package for conventions.
"""

from __future__ import annotations

from analytics.riskmath.api import METHODS, portfolio_var, var_batch
from analytics.riskmath.backtest import BacktestBatch, backtest_batch, traffic_light, traffic_light_thresholds
from analytics.riskmath.concentration import (
    Concentration,
    CorrelatedPair,
    concentration_batch,
    most_correlated_pairs,
)
from analytics.riskmath.covariance import (
    correlation,
    covariance,
    ewma_covariance,
    nearest_psd,
    psd_factor,
    sample_covariance,
)
from analytics.riskmath.errors import (
    ImpliedVolError,
    InsufficientHistoryError,
    InvalidInputError,
    MissingImpliedVolError,
    RiskMathError,
)
from analytics.riskmath.greeks import GreeksBatch, GreeksReport, UnderlyingGreeks, greeks_batch
from analytics.riskmath.history import lookback_returns, simple_returns
from analytics.riskmath.margin import MarginBatch, MarginGrid, margin_batch, unit_margins
from analytics.riskmath.parametric import (
    cornish_fisher_var_batch,
    delta_gamma_var_batch,
    normal_var_es,
    parametric_var_batch,
)
from analytics.riskmath.pricing import (
    Greeks,
    black76_greeks,
    black76_price,
    bsm_greeks,
    bsm_price,
    implied_vol,
)
from analytics.riskmath.results import ComponentVar, VarBatch, VarResult
from analytics.riskmath.simulation import historical_var_batch, monte_carlo_var_batch
from analytics.riskmath.stress import (
    BUILTIN_BY_NAME,
    BUILTIN_SCENARIOS,
    StressBatch,
    StressScenario,
    scenario_from_shocks,
    stress_batch,
)
from analytics.riskmath.universe import (
    InstrumentSpec,
    Universe,
    build_universe,
    exposed_factors,
    unit_pnl,
    unit_values,
)

__all__ = [
    "BUILTIN_BY_NAME",
    "BUILTIN_SCENARIOS",
    "METHODS",
    "BacktestBatch",
    "ComponentVar",
    "Concentration",
    "CorrelatedPair",
    "Greeks",
    "GreeksBatch",
    "GreeksReport",
    "ImpliedVolError",
    "InstrumentSpec",
    "InsufficientHistoryError",
    "InvalidInputError",
    "MarginBatch",
    "MarginGrid",
    "MissingImpliedVolError",
    "RiskMathError",
    "StressBatch",
    "StressScenario",
    "UnderlyingGreeks",
    "Universe",
    "VarBatch",
    "VarResult",
    "backtest_batch",
    "black76_greeks",
    "black76_price",
    "bsm_greeks",
    "bsm_price",
    "build_universe",
    "concentration_batch",
    "cornish_fisher_var_batch",
    "correlation",
    "covariance",
    "delta_gamma_var_batch",
    "ewma_covariance",
    "exposed_factors",
    "greeks_batch",
    "historical_var_batch",
    "implied_vol",
    "lookback_returns",
    "margin_batch",
    "monte_carlo_var_batch",
    "most_correlated_pairs",
    "nearest_psd",
    "normal_var_es",
    "parametric_var_batch",
    "portfolio_var",
    "psd_factor",
    "sample_covariance",
    "scenario_from_shocks",
    "simple_returns",
    "stress_batch",
    "traffic_light",
    "traffic_light_thresholds",
    "unit_margins",
    "unit_pnl",
    "unit_values",
    "var_batch",
]
