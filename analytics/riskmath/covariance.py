"""Covariance estimators and the positive-semidefinite repairs the simulations rely on.

* `sample_covariance`: the unbiased sample covariance (ddof=1) of daily simple returns.
* `ewma_covariance`: RiskMetrics, zero-mean, weights (1-lambda) lambda^age normalised to sum to
  one over the window (lambda 0.94 by default; age 0 is the newest row, the last one).
* `nearest_psd`: symmetric eigenvalue clipping at zero (Higham-style projection without the unit
  diagonal constraint), the fallback when Cholesky fails.
* `psd_factor`: L with L L^T = Sigma (Cholesky, or the eigen factor of the clipped matrix); it
  never fails on a singular or slightly indefinite matrix, and reports which path it took.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.riskmath._types import FloatArray, as_float
from analytics.riskmath.errors import InvalidInputError

RISKMETRICS_LAMBDA = 0.94


def sample_covariance(returns: FloatArray) -> FloatArray:
    """Sample covariance [k x k] of `returns` [days x k] (ddof=1; needs at least 2 days)."""
    r = as_float(returns)
    if r.ndim != 2 or r.shape[0] < 2:
        raise InvalidInputError("returns", "need at least 2 days of returns")
    centred = r - r.mean(axis=0)
    return as_float(centred.T @ centred / (r.shape[0] - 1))


def ewma_weights(n_days: int, lam: float = RISKMETRICS_LAMBDA) -> FloatArray:
    """Normalised EWMA weights, oldest first."""
    if not 0.0 < lam < 1.0:
        raise InvalidInputError("lambda", "must be in (0, 1)")
    w = (1.0 - lam) * lam ** np.arange(n_days - 1, -1, -1, dtype=np.float64)
    return as_float(w / w.sum())


def ewma_covariance(returns: FloatArray, lam: float = RISKMETRICS_LAMBDA) -> FloatArray:
    """RiskMetrics zero-mean EWMA covariance of `returns` [days x k], newest day last."""
    r = as_float(returns)
    w = ewma_weights(r.shape[0], lam)
    return as_float(r.T @ (r * w[:, None]))


def covariance(returns: FloatArray, method: str = "sample", lam: float = RISKMETRICS_LAMBDA) -> FloatArray:
    """Dispatch on `method`: "sample" or "ewma"."""
    if method == "sample":
        return sample_covariance(returns)
    if method == "ewma":
        return ewma_covariance(returns, lam)
    raise InvalidInputError("covariance_method", f"unknown method {method!r} (sample|ewma)")


def correlation(cov: FloatArray) -> FloatArray:
    """Correlation matrix; a zero-variance factor gets correlation 0 with others and 1 with itself."""
    c = as_float(cov)
    sd = np.sqrt(np.clip(np.diag(c), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = c / np.outer(sd, sd)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    return as_float(np.clip(corr, -1.0, 1.0))


def nearest_psd(cov: FloatArray) -> FloatArray:
    """Symmetrise and clip negative eigenvalues to zero."""
    c = as_float(cov)
    sym = 0.5 * (c + c.T)
    vals, vecs = np.linalg.eigh(sym)
    return as_float((vecs * np.clip(vals, 0.0, None)) @ vecs.T)


@dataclass(frozen=True)
class Factor:
    """`matrix` L with L @ L.T == the (repaired) covariance; `method` "cholesky" or "eigen"."""

    matrix: FloatArray
    method: str
    min_eigenvalue: float


def psd_factor(cov: FloatArray) -> Factor:
    """Cholesky of `cov`, falling back to the eigen factor of `nearest_psd(cov)` when not PD."""
    c = as_float(cov)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise InvalidInputError("covariance", "must be a square matrix")
    if c.shape[0] == 0:
        return Factor(np.zeros((0, 0)), "cholesky", 0.0)
    try:
        return Factor(as_float(np.linalg.cholesky(0.5 * (c + c.T))), "cholesky", float("nan"))
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(0.5 * (c + c.T))
        return Factor(as_float(vecs * np.sqrt(np.clip(vals, 0.0, None))), "eigen", float(vals.min()))
