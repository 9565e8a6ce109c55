"""Daily simple returns from closes, with the missing-history check.

Rows are days (oldest first), columns are the universe's factors. A missing close is NaN (or
marked False in an optional `valid` mask); a return is missing when either of its closes is.
Returns are in the factor's own currency: FX moves enter only through stress scenarios unless the
caller converts closes to base currency first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analytics.riskmath._types import BoolArray, FloatArray, as_float
from analytics.riskmath.errors import InsufficientHistoryError, InvalidInputError


def simple_returns(closes: FloatArray, valid: BoolArray | None = None) -> FloatArray:
    """[days+1 x k] closes -> [days x k] simple returns close_t / close_{t-1} - 1 (NaN when missing)."""
    c = as_float(closes).copy()
    if c.ndim != 2:
        raise InvalidInputError("closes", "expected a [days x factors] matrix")
    if valid is not None:
        c[~np.asarray(valid, dtype=np.bool_)] = np.nan
    c[c <= 0.0] = np.nan
    with np.errstate(invalid="ignore"):
        return as_float(c[1:] / c[:-1] - 1.0)


def lookback_returns(
    returns: FloatArray,
    factor_symbols: Sequence[str],
    lookback_days: int,
    *,
    required: BoolArray | None = None,
) -> FloatArray:
    """The last `lookback_days` rows of `returns`, complete for every required factor.

    `required` [k] marks the factors a portfolio is exposed to (default all); factors not required
    are returned with NaN replaced by 0 (they carry no exposure). Raises `InsufficientHistoryError`
    naming each required factor and how many of the `lookback_days` returns it lacks.
    """
    r = as_float(returns)
    k = len(factor_symbols)
    if r.ndim != 2 or r.shape[1] != k:
        raise InvalidInputError("returns", f"expected [days x {k}] returns, got {r.shape}")
    if lookback_days < 2:
        raise InvalidInputError("lookback_days", "must be at least 2")
    need = np.ones(k, dtype=np.bool_) if required is None else np.asarray(required, dtype=np.bool_)
    window = r[-lookback_days:]
    short_rows = lookback_days - window.shape[0]
    missing = short_rows + np.count_nonzero(~np.isfinite(window), axis=0)
    bad = np.flatnonzero(need & (missing > 0))
    if bad.size:
        raise InsufficientHistoryError({factor_symbols[int(j)]: int(missing[j]) for j in bad}, lookback_days)
    return as_float(np.where(np.isfinite(window), window, 0.0))
