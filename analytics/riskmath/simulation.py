"""Historical-simulation and Monte Carlo VaR / ES by full revaluation.

Both revalue the current portfolio under each scenario (options repriced with BSM / Black-76 at the
shocked underlying, same vol and time to expiry) and read VaR and ES off the losses with the
convention of `tail.py` (VaR = numpy.quantile(losses, c), linear; ES = mean of losses >= VaR).

Historical: scenario s is day s of the lookback window: every factor moves by its simple return of
that day. The 1-day losses are scaled by sqrt(horizon_days) (square-root-of-time, as parametric).

Monte Carlo: factor returns over the horizon are r = sqrt(h) L z with z ~ N(0, I) drawn from
`numpy.random.default_rng(seed)` in chunks of `chunk_size` rows, L L' = Sigma (Cholesky, or the
eigen factor of the nearest PSD matrix when Sigma is not positive definite). Linear books use the
reassociation Z (W L)' so the k x S factor scenarios are never formed per portfolio; only the
tail of each portfolio's losses is kept between chunks, so memory is bounded by chunk_size x
(k + P) plus the tails. Components need the normals of the tail scenarios: a copy of the generator
replays the draws afterwards and keeps just those rows. The same seed and chunk size give
the same scenarios whatever the number of portfolios.

Components (both methods): the ES-based Euler allocation, position i's mean loss over the
scenarios ES averages, rescaled by VaR/ES so the components sum to VaR exactly;
marginal = component / exposure (0 where the exposure is 0).
"""

from __future__ import annotations

import copy

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array

from analytics.riskmath._checks import check_common, check_covariance, quantity_matrix
from analytics.riskmath._types import FloatArray, IntArray, as_float
from analytics.riskmath.covariance import psd_factor
from analytics.riskmath.errors import InvalidInputError
from analytics.riskmath.results import VarBatch
from analytics.riskmath.tail import TailTracker, TailVarEs, tail_size, var_es_from_losses, var_es_from_tail
from analytics.riskmath.universe import (
    Universe,
    delta_exposures,
    factor_loadings,
    instrument_pnl,
    unit_pnl,
    unit_values,
)

DEFAULT_SCENARIOS = 10_000
DEFAULT_CHUNK = 2_000


def _tail_weights(tail: TailVarEs, row_of: IntArray, n_rows: int) -> csr_array:
    """Sparse [P x n_rows] averaging matrix: row p has weight 1/|ES set| on its ES scenarios."""
    p, t = row_of.shape
    weights = tail.in_es / tail.in_es.sum(axis=1, keepdims=True)
    indptr = np.arange(0, p * t + 1, t) if t else np.zeros(p + 1, dtype=np.intp)
    return csr_array((weights.ravel(), row_of.ravel(), indptr), shape=(p, n_rows))


def _rescaled(q: FloatArray, mean_unit_pnl: FloatArray, tail: TailVarEs, scale: float) -> FloatArray:
    """Component VaR [P x m] from each position's mean unit P&L over the ES scenarios."""
    es_comp = -scale * q * mean_unit_pnl
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(tail.es > 0.0, tail.var / tail.es, 0.0)
    return as_float(es_comp * ratio[:, None])


def _batch(
    method: str,
    u: Universe,
    q: FloatArray,
    confidence: float,
    horizon_days: float,
    tail: TailVarEs,
    component: FloatArray,
) -> VarBatch:
    exposure = q * delta_exposures(u)
    with np.errstate(divide="ignore", invalid="ignore"):
        marginal = np.where(exposure != 0.0, component / exposure, 0.0)
    return VarBatch(
        method=method,
        confidence=confidence,
        horizon_days=horizon_days,
        symbols=u.symbols,
        var=tail.var,
        es=tail.es,
        portfolio_value=as_float(q @ unit_values(u)),
        exposure=as_float(exposure),
        marginal_var=as_float(marginal),
        component_var=component,
    )


def historical_var_batch(
    u: Universe,
    quantities: npt.ArrayLike,
    returns: FloatArray,
    *,
    confidence: float = 0.99,
    horizon_days: float = 1.0,
) -> VarBatch:
    """Historical-simulation VaR/ES of each row of `quantities` over `returns` [days x k].

    `returns` should come from `history.lookback_returns` (complete, the lookback window).
    """
    check_common(confidence, horizon_days)
    q = quantity_matrix(u, quantities)
    r = as_float(returns)
    if r.ndim != 2 or r.shape[1] != u.n_factors or not np.all(np.isfinite(r)):
        raise InvalidInputError("returns", "expected finite [days x factors] returns (see lookback_returns)")
    scale = float(np.sqrt(horizon_days))
    pnl_units = unit_pnl(u, r)  # [n x m]
    losses = -scale * (q @ pnl_units.T)  # [P x n]
    tail = var_es_from_losses(losses, confidence)
    mean_unit = _tail_weights(tail, tail.tail_ids, r.shape[0]) @ pnl_units
    comp = _rescaled(q, as_float(mean_unit), tail, scale)
    return _batch("historical", u, q, confidence, horizon_days, tail, comp)


def _replay_rows(
    replay: np.random.Generator, wanted: IntArray, n_scenarios: int, chunk_size: int, k: int
) -> FloatArray:
    """The normals of scenarios `wanted` (sorted ids), redrawn chunk by chunk from a copy of the
    generator: cheaper than keeping candidate rows during the main pass, and memory-bounded."""
    out = np.empty((wanted.size, k))
    done = 0
    while done < n_scenarios:
        s = min(chunk_size, n_scenarios - done)
        z = replay.standard_normal((s, k))
        lo, hi = np.searchsorted(wanted, [done, done + s])
        out[lo:hi] = z[wanted[lo:hi] - done]
        done += s
    return out


def monte_carlo_var_batch(
    u: Universe,
    quantities: npt.ArrayLike,
    cov: FloatArray,
    *,
    confidence: float = 0.99,
    horizon_days: float = 1.0,
    n_scenarios: int = DEFAULT_SCENARIOS,
    seed: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    components: bool = True,
) -> VarBatch:
    """Monte Carlo VaR/ES of each row of `quantities` with normal factor returns of covariance `cov`.

    `components=False` skips keeping tail scenarios (component and marginal VaR are then zeros).
    """
    check_common(confidence, horizon_days)
    if n_scenarios < 2 or chunk_size < 1:
        raise InvalidInputError("n_scenarios", "need at least 2 scenarios and a positive chunk size")
    q = quantity_matrix(u, quantities)
    c = check_covariance(u, cov)
    sqrt_h = float(np.sqrt(horizon_days))
    chol = psd_factor(c).matrix * sqrt_h  # horizon factor: r = chol @ z
    opt = u.option_index
    per_unit = delta_exposures(u)
    lin_per_unit = np.where(u.is_option, 0.0, per_unit)
    lin_loadings = factor_loadings(u, lin_per_unit)
    wl = (q @ lin_loadings) @ chol  # [P x k]: linear P&L of scenario z is wl @ z
    opt_drivers = chol[u.factor_index[opt]]  # [n_opt x k]: each option's underlying return
    q_opt = q[:, opt]
    rng = np.random.default_rng(seed)
    replay = copy.deepcopy(rng)
    t = tail_size(n_scenarios, confidence)
    tracker = TailTracker(q.shape[0], t)
    done = 0
    while done < n_scenarios:
        s = min(chunk_size, n_scenarios - done)
        z = rng.standard_normal((s, u.n_factors))
        pnl = wl @ z.T  # [P x s]
        if opt.size:
            pnl += q_opt @ instrument_pnl(u, opt, z @ opt_drivers.T).T
        tracker.update(-pnl, done)
        done += s
    tail = var_es_from_tail(tracker.losses, tracker.ids, n_scenarios, confidence)
    if components and q.shape[0]:
        kept_ids = np.unique(tracker.ids)
        kept_z = _replay_rows(replay, kept_ids, n_scenarios, chunk_size, u.n_factors)
        avg = _tail_weights(tail, np.searchsorted(kept_ids, tail.tail_ids), kept_ids.size)
        # Linear unit P&L is exposure x factor return, so averaging z first is exact and cheap.
        mean_unit = ((avg @ kept_z) @ chol.T)[:, u.factor_index] * lin_per_unit
        if opt.size:
            mean_unit[:, opt] = avg @ instrument_pnl(u, opt, kept_z @ opt_drivers.T)
        comp = _rescaled(q, as_float(mean_unit), tail, 1.0)
    else:
        comp = np.zeros_like(q)
    return _batch("monte_carlo", u, q, confidence, horizon_days, tail, comp)
