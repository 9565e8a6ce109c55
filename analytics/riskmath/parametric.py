"""Parametric (variance-covariance) VaR and ES.

Normal (delta-normal), the contract's parametric method: portfolio P&L over h days is
N(0, h w' Sigma w) where w [k] is the base-currency delta exposure per factor (market values for
linear positions, delta-equivalents for options) and Sigma the covariance of daily simple returns
(sample or EWMA). With z_c = Phi^-1(c) and sigma = sqrt(w' Sigma w):

    VaR = z_c sigma sqrt(h)            ES = sigma sqrt(h) phi(z_c) / (1 - c)

Euler decomposition: marginal_i = z_c sqrt(h) (Sigma w)_{f(i)} / sigma for position i on factor
f(i), component_i = exposure_i x marginal_i, and the components sum to VaR exactly. A zero
portfolio (empty, or a zero-variance one) has VaR 0 and components 0, and a singular Sigma needs
no inversion anywhere, so neither fails.

Cornish-Fisher: the normal quantile replaced by
z_cf = z + (z^2-1) S/6 + (z^3-3z) K/24 - (2z^3-5z) S^2/36 with S the skewness and K the excess
kurtosis of the historical daily loss series of the portfolio (losses = -(R w)); ES is the mean of
the Cornish-Fisher quantile over levels (c, 1) (closed form, see `cornish_fisher_es_z`).
Components are the normal ones scaled by VaR_cf / VaR_normal.

Delta-gamma: P&L = w'r + 1/2 sum_j g_j r_j^2 with g_j the gamma exposure (gamma x S^2 x mult x fx
summed per factor; each option has one underlying so Gamma is diagonal), r ~ N(0, h Sigma).
Its cumulants (Mina & Ulmer 1999) are
    k1 = 1/2 tr(G Sigma)                  k2 = w'Sigma w + 1/2 tr((G Sigma)^2)
    k3 = 3 w'Sigma G Sigma w + tr((G Sigma)^3)
    k4 = 12 w'Sigma G Sigma G Sigma w + 3 tr((G Sigma)^4).
"delta_gamma_normal" uses the loss mean -k1 and variance k2 in a normal; "delta_gamma_cf" adds the
Cornish-Fisher correction with skew -k3/k2^1.5 (of losses) and excess kurtosis k4/k2^2.
Components are the delta-normal ones scaled to sum to the delta-gamma VaR.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from analytics.riskmath._checks import check_common, check_covariance, quantity_matrix
from analytics.riskmath._types import FloatArray, as_float
from analytics.riskmath.covariance import sample_covariance
from analytics.riskmath.results import VarBatch
from analytics.riskmath.universe import (
    Universe,
    delta_exposures,
    factor_loadings,
    gamma_exposures,
    unit_values,
)

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def normal_var_es(
    sigma: npt.ArrayLike, confidence: float, horizon_days: float = 1.0
) -> tuple[FloatArray, FloatArray]:
    """(VaR, ES) of mean-zero normal P&L with daily standard deviation `sigma`."""
    s = as_float(sigma) * np.sqrt(horizon_days)
    z = float(ndtri(confidence))
    return as_float(z * s), as_float(s * _INV_SQRT_2PI * np.exp(-0.5 * z * z) / (1.0 - confidence))


def cornish_fisher_z(confidence: float, skew: npt.ArrayLike, excess_kurtosis: npt.ArrayLike) -> FloatArray:
    """Cornish-Fisher adjusted standard quantile of a loss distribution at `confidence`."""
    z = as_float(ndtri(as_float(confidence)))
    s = as_float(skew)
    k = as_float(excess_kurtosis)
    return as_float(z + (z * z - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s * s / 36)


def cornish_fisher_es_z(confidence: float, skew: npt.ArrayLike, excess_kurtosis: npt.ArrayLike) -> FloatArray:
    """Mean of the Cornish-Fisher quantile over levels (confidence, 1), in closed form.

    With x = Phi^-1(u), the mean is 1/(1-c) x integral over x > z of cf(x) phi(x); cf is a
    cubic in x and the partial moments of phi are elementary, which gives
    phi(z)/(1-c) x [1 + z S/6 + (z^2-1) K/24 - (2z^2-1) S^2/36].
    """
    z = float(ndtri(confidence))
    s = as_float(skew)
    k = as_float(excess_kurtosis)
    density = _INV_SQRT_2PI * np.exp(-0.5 * z * z) / (1.0 - confidence)
    return as_float(density * (1 + z * s / 6 + (z * z - 1) * k / 24 - (2 * z * z - 1) * s * s / 36))


def _exposures(u: Universe, q: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(position exposures [P x m], factor exposures W [P x k])."""
    per_unit = delta_exposures(u)
    return as_float(q * per_unit), as_float(q @ factor_loadings(u, per_unit))


def _batch(
    method: str,
    u: Universe,
    q: FloatArray,
    confidence: float,
    horizon_days: float,
    var: FloatArray,
    es: FloatArray,
    exposure: FloatArray,
    marginal: FloatArray,
) -> VarBatch:
    return VarBatch(
        method=method,
        confidence=confidence,
        horizon_days=horizon_days,
        symbols=u.symbols,
        var=var,
        es=es,
        portfolio_value=as_float(q @ unit_values(u)),
        exposure=exposure,
        marginal_var=marginal,
        component_var=as_float(exposure * marginal),
    )


def _normal_parts(
    u: Universe, q: FloatArray, cov: FloatArray, confidence: float, horizon_days: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """(sigma, VaR, ES, exposures [P x m], marginal [P x m]) of the delta-normal model."""
    exposure, w = _exposures(u, q)
    sw = w @ cov
    sigma = np.sqrt(np.clip(np.einsum("pk,pk->p", w, sw), 0.0, None))
    var, es = normal_var_es(sigma, confidence, horizon_days)
    z_sqrt_h = float(ndtri(confidence)) * np.sqrt(horizon_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        marginal = np.where(sigma[:, None] > 0.0, z_sqrt_h * sw[:, u.factor_index] / sigma[:, None], 0.0)
    return as_float(sigma), var, es, exposure, as_float(marginal)


def parametric_var_batch(
    u: Universe,
    quantities: npt.ArrayLike,
    cov: FloatArray,
    *,
    confidence: float = 0.99,
    horizon_days: float = 1.0,
) -> VarBatch:
    """Delta-normal VaR/ES and Euler components of every row of `quantities` [P x m]."""
    check_common(confidence, horizon_days)
    q = quantity_matrix(u, quantities)
    c = check_covariance(u, cov)
    _, var, es, exposure, marginal = _normal_parts(u, q, c, confidence, horizon_days)
    return _batch("parametric", u, q, confidence, horizon_days, var, es, exposure, marginal)


def _scaled(base: FloatArray, new: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return as_float(np.where(base > 0.0, new / base, 0.0))


def cornish_fisher_var_batch(
    u: Universe,
    quantities: npt.ArrayLike,
    returns: FloatArray,
    *,
    confidence: float = 0.99,
    horizon_days: float = 1.0,
) -> VarBatch:
    """Cornish-Fisher VaR/ES: sample covariance plus skew/kurtosis of each portfolio's loss series."""
    check_common(confidence, horizon_days)
    q = quantity_matrix(u, quantities)
    r = as_float(returns)
    cov = sample_covariance(r)
    sigma, var_n, _, exposure, marginal = _normal_parts(u, q, cov, confidence, horizon_days)
    _, w = _exposures(u, q)
    losses = -(r @ w.T)  # [days x P]
    centred = losses - losses.mean(axis=0)
    m2 = (centred**2).mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.where(m2 > 0, (centred**3).mean(axis=0) / m2**1.5, 0.0)
        kurt = np.where(m2 > 0, (centred**4).mean(axis=0) / m2**2 - 3.0, 0.0)
    scale = sigma * np.sqrt(horizon_days)
    var = as_float(scale * cornish_fisher_z(confidence, skew, kurt))
    es = as_float(scale * cornish_fisher_es_z(confidence, skew, kurt))
    ratio = _scaled(var_n, var)
    return _batch(
        "cornish_fisher",
        u,
        q,
        confidence,
        horizon_days,
        var,
        es,
        exposure,
        as_float(marginal * ratio[:, None]),
    )


def delta_gamma_cumulants(
    w: FloatArray, g: FloatArray, cov: FloatArray, *, block: int = 4_000_000
) -> FloatArray:
    """First four cumulants [P x 4] of w'r + 1/2 sum g_j r_j^2, r ~ N(0, cov); w, g are [P x k]."""
    u_ = w @ cov
    k1 = 0.5 * g @ np.diag(cov)
    k2 = np.einsum("pk,pk->p", w, u_) + 0.5 * np.einsum("pi,ij,pj->p", g, cov * cov, g)
    gu = g * u_
    k3 = 3.0 * np.einsum("pk,pk->p", gu, u_)
    k4 = 12.0 * np.einsum("pk,pk->p", gu, gu @ cov)
    # The trace terms only involve factors some portfolio has gamma on; work on that sub-block.
    active = np.flatnonzero(np.any(g != 0.0, axis=0))
    if active.size:
        sub = cov[np.ix_(active, active)]
        ga = g[:, active]
        step = max(1, block // (active.size * active.size))
        for start in range(0, g.shape[0], step):
            a = ga[start : start + step, :, None] * sub[None]  # G Sigma per portfolio
            a2 = a @ a
            k3[start : start + step] += np.einsum("pij,pji->p", a2, a)
            k4[start : start + step] += 3.0 * np.einsum("pij,pji->p", a2, a2)
    return as_float(np.stack([k1, k2, k3, k4], axis=1))


def delta_gamma_var_batch(
    u: Universe,
    quantities: npt.ArrayLike,
    cov: FloatArray,
    *,
    confidence: float = 0.99,
    horizon_days: float = 1.0,
    cornish_fisher: bool = False,
) -> VarBatch:
    """Delta-gamma VaR/ES (normal on the delta-gamma moments, or with Cornish-Fisher)."""
    check_common(confidence, horizon_days)
    q = quantity_matrix(u, quantities)
    c = check_covariance(u, cov) * horizon_days
    _, var_n, _, exposure, marginal = _normal_parts(u, q, c, confidence, 1.0)
    _, w = _exposures(u, q)
    g = q @ factor_loadings(u, gamma_exposures(u))
    k = delta_gamma_cumulants(w, as_float(g), c)
    sd = np.sqrt(np.clip(k[:, 1], 0.0, None))
    loss_mean = -k[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.where(sd > 0, -k[:, 2] / sd**3, 0.0) if cornish_fisher else np.zeros_like(sd)
        kurt = np.where(sd > 0, k[:, 3] / sd**4, 0.0) if cornish_fisher else np.zeros_like(sd)
    var = as_float(loss_mean + sd * cornish_fisher_z(confidence, skew, kurt))
    es = as_float(loss_mean + sd * cornish_fisher_es_z(confidence, skew, kurt))
    empty = ~np.any(q != 0.0, axis=1)
    var[empty] = 0.0
    es[empty] = 0.0
    ratio = _scaled(var_n, var)
    method = "delta_gamma_cf" if cornish_fisher else "delta_gamma_normal"
    return _batch(
        method, u, q, confidence, horizon_days, var, es, exposure, as_float(marginal * ratio[:, None])
    )
