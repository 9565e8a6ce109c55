"""Concentration figures: largest exposures, diversification ratio, most correlated pairs.

Diversification ratio = sum of standalone parametric VaRs of the positions / portfolio parametric
VaR (>= 1 for a long-only book; 1 when everything is perfectly correlated). A portfolio with zero
VaR gets ratio 1 if it has no standalone VaR either, else +inf. Standalone VaR of position i is
z_c sqrt(h) |e_i| sigma_{f(i)} for its delta exposure e_i.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from analytics.riskmath._checks import check_common, check_covariance, quantity_matrix
from analytics.riskmath._types import FloatArray, IntArray, as_float
from analytics.riskmath.covariance import correlation
from analytics.riskmath.universe import Universe, delta_exposures, factor_loadings


@dataclass(frozen=True)
class CorrelatedPair:
    first: str
    second: str
    correlation: float


@dataclass(frozen=True)
class Concentration:
    """Per portfolio [P]: indices of the largest |exposures| and the diversification ratio."""

    top_index: IntArray  # [P x n_top] instrument indices, largest |exposure| first
    top_exposure: FloatArray  # [P x n_top] signed exposures
    top_share: FloatArray  # [P x n_top] |exposure| / gross exposure
    standalone_var_sum: FloatArray  # [P]
    portfolio_var: FloatArray  # [P]
    diversification_ratio: FloatArray  # [P]


def concentration_batch(
    u: Universe,
    quantities: npt.ArrayLike,
    cov: FloatArray,
    *,
    confidence: float = 0.99,
    horizon_days: float = 1.0,
    n_top: int = 5,
) -> Concentration:
    check_common(confidence, horizon_days)
    q = quantity_matrix(u, quantities)
    c = check_covariance(u, cov)
    exposure = q * delta_exposures(u)
    n_top = min(n_top, u.size)
    order = np.argsort(-np.abs(exposure), axis=1, kind="stable")[:, :n_top]
    top = np.take_along_axis(exposure, order, axis=1)
    gross = np.abs(exposure).sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(gross > 0, np.abs(top) / gross, 0.0)
    z = float(ndtri(confidence)) * np.sqrt(horizon_days)
    vol = np.sqrt(np.clip(np.diag(c), 0.0, None))[u.factor_index]
    standalone = z * (np.abs(exposure) * vol).sum(axis=1)
    w = q @ factor_loadings(u, delta_exposures(u))
    port = z * np.sqrt(np.clip(np.einsum("pk,pk->p", w, w @ c), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(port > 0, standalone / port, np.where(standalone > 0, np.inf, 1.0))
    return Concentration(
        top_index=np.asarray(order, dtype=np.intp),
        top_exposure=as_float(top),
        top_share=as_float(share),
        standalone_var_sum=as_float(standalone),
        portfolio_var=as_float(port),
        diversification_ratio=as_float(ratio),
    )


def most_correlated_pairs(
    symbols: tuple[str, ...], cov: FloatArray, *, n: int = 5, by_absolute: bool = True
) -> tuple[CorrelatedPair, ...]:
    """The `n` factor pairs with the highest (absolute, by default) correlation, highest first."""
    corr = correlation(cov)
    i, j = np.triu_indices(corr.shape[0], k=1)
    vals = corr[i, j]
    key = np.abs(vals) if by_absolute else vals
    order = np.argsort(-key, kind="stable")[:n]
    return tuple(CorrelatedPair(symbols[i[o]], symbols[j[o]], float(vals[o])) for o in order)
