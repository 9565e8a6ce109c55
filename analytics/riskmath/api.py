"""One entry point per question the Django side asks; everything else is reachable from here.

`var_batch` dispatches on the contract's `method` (parametric | historical | monte_carlo) plus the
extra methods ewma, cornish_fisher, delta_gamma_normal and delta_gamma_cf, for P portfolios over one
universe; `portfolio_var` is the same for one portfolio and returns the contract-shaped result.
`returns` is the complete lookback window from `history.lookback_returns`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from analytics.riskmath._types import FloatArray, as_float
from analytics.riskmath.covariance import RISKMETRICS_LAMBDA, covariance
from analytics.riskmath.errors import InvalidInputError
from analytics.riskmath.parametric import (
    cornish_fisher_var_batch,
    delta_gamma_var_batch,
    parametric_var_batch,
)
from analytics.riskmath.results import VarBatch, VarResult
from analytics.riskmath.simulation import (
    DEFAULT_CHUNK,
    DEFAULT_SCENARIOS,
    historical_var_batch,
    monte_carlo_var_batch,
)
from analytics.riskmath.universe import Universe

METHODS = (
    "parametric",
    "historical",
    "monte_carlo",
    "ewma",
    "cornish_fisher",
    "delta_gamma_normal",
    "delta_gamma_cf",
)


def var_batch(
    u: Universe,
    quantities: npt.ArrayLike,
    returns: FloatArray,
    *,
    method: str = "parametric",
    confidence: float = 0.99,
    horizon_days: float = 1.0,
    covariance_method: str = "sample",
    ewma_lambda: float = RISKMETRICS_LAMBDA,
    n_scenarios: int = DEFAULT_SCENARIOS,
    seed: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> VarBatch:
    """VaR, ES and components of every row of `quantities` [P x m] by `method`.

    `covariance_method` ("sample" | "ewma") applies to parametric, delta-gamma and Monte Carlo;
    method "ewma" is parametric with the EWMA covariance.
    """
    r = as_float(returns)
    if method not in METHODS:
        raise InvalidInputError("method", f"unknown method {method!r}; one of {', '.join(METHODS)}")
    if method == "historical":
        return historical_var_batch(u, quantities, r, confidence=confidence, horizon_days=horizon_days)
    if method == "cornish_fisher":
        return cornish_fisher_var_batch(u, quantities, r, confidence=confidence, horizon_days=horizon_days)
    if not np.all(np.isfinite(r)):
        raise InvalidInputError("returns", "returns must be finite (see lookback_returns)")
    cov = covariance(r, "ewma" if method == "ewma" else covariance_method, ewma_lambda)
    if method in ("parametric", "ewma"):
        batch = parametric_var_batch(u, quantities, cov, confidence=confidence, horizon_days=horizon_days)
        return batch if method == "parametric" else _renamed(batch, "ewma")
    if method == "monte_carlo":
        return monte_carlo_var_batch(
            u,
            quantities,
            cov,
            confidence=confidence,
            horizon_days=horizon_days,
            n_scenarios=n_scenarios,
            seed=seed,
            chunk_size=chunk_size,
        )
    return delta_gamma_var_batch(
        u,
        quantities,
        cov,
        confidence=confidence,
        horizon_days=horizon_days,
        cornish_fisher=method == "delta_gamma_cf",
    )


def _renamed(batch: VarBatch, method: str) -> VarBatch:
    return replace(batch, method=method)


def portfolio_var(
    u: Universe,
    quantities: npt.ArrayLike,
    returns: FloatArray,
    *,
    method: str = "parametric",
    confidence: float = 0.99,
    horizon_days: float = 1.0,
    covariance_method: str = "sample",
    n_scenarios: int = DEFAULT_SCENARIOS,
    seed: int | None = None,
) -> VarResult:
    """`var_batch` for one portfolio (`quantities` [m]), as a contract-shaped `VarResult`."""
    q = as_float(quantities)
    if q.ndim != 1:
        raise InvalidInputError("quantities", "expected one portfolio [m]")
    batch = var_batch(
        u,
        q[None, :],
        returns,
        method=method,
        confidence=confidence,
        horizon_days=horizon_days,
        covariance_method=covariance_method,
        n_scenarios=n_scenarios,
        seed=seed,
    )
    return batch.portfolio(0)
