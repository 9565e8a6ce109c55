"""Input validation shared by the VaR methods."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from analytics.riskmath._types import FloatArray, as_float
from analytics.riskmath.errors import InvalidInputError
from analytics.riskmath.tail import check_confidence
from analytics.riskmath.universe import Universe


def quantity_matrix(u: Universe, quantities: npt.ArrayLike) -> FloatArray:
    """Q as [P x m]; a single portfolio [m] becomes one row."""
    q = as_float(quantities)
    if q.ndim == 1:
        q = q[None, :]
    if q.ndim != 2 or q.shape[1] != u.size:
        raise InvalidInputError("quantities", f"expected [portfolios x {u.size}], got {q.shape}")
    if not np.all(np.isfinite(q)):
        raise InvalidInputError("quantities", "must be finite")
    return q


def check_common(confidence: float, horizon_days: float) -> None:
    check_confidence(confidence)
    if not horizon_days > 0:
        raise InvalidInputError("horizon_days", "must be positive")


def check_covariance(u: Universe, cov: FloatArray) -> FloatArray:
    c = as_float(cov)
    k = u.n_factors
    if c.shape != (k, k) or not np.all(np.isfinite(c)):
        raise InvalidInputError("covariance", f"expected a finite [{k} x {k}] matrix, got {c.shape}")
    return c
