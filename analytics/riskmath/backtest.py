"""VaR backtesting: exceptions, Kupiec POF, Christoffersen independence, Basel traffic light.

An exception is a day whose loss (-P&L) exceeds that day's VaR forecast (strictly greater).
Arrays are [T] for one series or [P x T] for many; every figure is computed along the last axis.

* Kupiec (1995) proportion of failures, with p = 1 - confidence, x exceptions in T days:
  LR = -2 ln[(1-p)^(T-x) p^x] + 2 ln[(1-x/T)^(T-x) (x/T)^x], p-value = P(chi2_1 > LR).
* Christoffersen (1998) independence: with n_ij the count of day pairs going from state i to j
  (1 = exception), pi01 = n01/(n00+n01), pi11 = n11/(n10+n11), pi = (n01+n11)/(T-1):
  LR = -2 ln[(1-pi)^(n00+n10) pi^(n01+n11)] + 2 ln[(1-pi01)^n00 pi01^n01 (1-pi11)^n10 pi11^n11],
  p-value from chi2 with 1 dof. 0 ln 0 is taken as 0 (scipy.special.xlogy), so an empty row of the
  transition table (e.g. no exceptions at all) contributes nothing instead of NaN; p-value is then 1.
* Basel traffic light: with X ~ Binomial(T, p), the zone of x exceptions is green while
  P(X <= x) < 95%, yellow while P(X <= x) < 99.99%, red from there on. At 99% and 250 days this is
  the Basel table: green 0-4, yellow 5-9, red 10+; other windows and confidences scale with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import xlogy
from scipy.stats import binom, chi2

from analytics.riskmath._types import FloatArray, IntArray, as_float
from analytics.riskmath.errors import InvalidInputError
from analytics.riskmath.tail import check_confidence

GREEN_LIMIT = 0.95
YELLOW_LIMIT = 0.9999


@dataclass(frozen=True)
class BacktestBatch:
    """Per series: observations, exceptions, both p-values and the zone (green|yellow|red)."""

    observations: int
    exceptions: IntArray
    kupiec_lr: FloatArray
    kupiec_p_value: FloatArray
    christoffersen_lr: FloatArray
    christoffersen_p_value: FloatArray
    traffic_light: tuple[str, ...]


def kupiec_lr(exceptions: npt.ArrayLike, observations: int, confidence: float) -> FloatArray:
    """Kupiec POF likelihood-ratio statistic (>= 0)."""
    x = as_float(exceptions)
    t = float(observations)
    p = 1.0 - confidence
    rate = x / t
    null = xlogy(t - x, 1.0 - p) + xlogy(x, p)
    alt = xlogy(t - x, 1.0 - rate) + xlogy(x, rate)
    return as_float(np.maximum(-2.0 * (null - alt), 0.0))


def christoffersen_lr(hits: npt.ArrayLike) -> FloatArray:
    """Christoffersen independence LR statistic of boolean exception series [.. x T]."""
    h = np.asarray(hits, dtype=np.bool_)
    prev, curr = h[..., :-1], h[..., 1:]
    n00 = np.count_nonzero(~prev & ~curr, axis=-1).astype(np.float64)
    n01 = np.count_nonzero(~prev & curr, axis=-1).astype(np.float64)
    n10 = np.count_nonzero(prev & ~curr, axis=-1).astype(np.float64)
    n11 = np.count_nonzero(prev & curr, axis=-1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        pi01 = np.where(n00 + n01 > 0, n01 / (n00 + n01), 0.0)
        pi11 = np.where(n10 + n11 > 0, n11 / (n10 + n11), 0.0)
        total = n00 + n01 + n10 + n11
        pi = np.where(total > 0, (n01 + n11) / total, 0.0)
    null = xlogy(n00 + n10, 1.0 - pi) + xlogy(n01 + n11, pi)
    alt = xlogy(n00, 1.0 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1.0 - pi11) + xlogy(n11, pi11)
    return as_float(np.maximum(-2.0 * (null - alt), 0.0))


def traffic_light_thresholds(observations: int, confidence: float) -> tuple[int, int]:
    """(first yellow count, first red count) for the Basel zones at this window and confidence."""
    counts = np.arange(observations + 1)
    cdf = binom.cdf(counts, observations, 1.0 - confidence)
    yellow = int(np.argmax(cdf >= GREEN_LIMIT)) if np.any(cdf >= GREEN_LIMIT) else observations + 1
    red = int(np.argmax(cdf >= YELLOW_LIMIT)) if np.any(cdf >= YELLOW_LIMIT) else observations + 1
    return yellow, red


def traffic_light(exceptions: int, observations: int, confidence: float) -> str:
    yellow, red = traffic_light_thresholds(observations, confidence)
    return "green" if exceptions < yellow else ("yellow" if exceptions < red else "red")


def backtest_batch(pnl: npt.ArrayLike, var: npt.ArrayLike, *, confidence: float = 0.99) -> BacktestBatch:
    """Backtest realised `pnl` against the VaR forecast for each day ([T] or [P x T], VaR > 0)."""
    check_confidence(confidence)
    p = as_float(pnl)
    v = as_float(var)
    p2 = np.atleast_2d(p)
    v2 = np.broadcast_to(np.atleast_2d(v), p2.shape) if v.ndim <= p.ndim else None
    if v2 is None or p2.shape[-1] < 2:
        raise InvalidInputError("pnl", "need matching pnl and var series of at least 2 days")
    if not (np.all(np.isfinite(p2)) and np.all(np.isfinite(v2))):
        raise InvalidInputError("pnl", "pnl and var must be finite")
    hits = -p2 > v2
    t = p2.shape[-1]
    x = np.count_nonzero(hits, axis=-1)
    k_lr = kupiec_lr(x, t, confidence)
    c_lr = christoffersen_lr(hits)
    yellow, red = traffic_light_thresholds(t, confidence)
    zones = tuple("green" if n < yellow else ("yellow" if n < red else "red") for n in x)
    return BacktestBatch(
        observations=t,
        exceptions=np.asarray(x, dtype=np.intp),
        kupiec_lr=k_lr,
        kupiec_p_value=as_float(chi2.sf(k_lr, 1)),
        christoffersen_lr=c_lr,
        christoffersen_p_value=as_float(chi2.sf(c_lr, 1)),
        traffic_light=zones,
    )
