"""Array type aliases shared by the risk-math modules."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]
BoolArray: TypeAlias = npt.NDArray[np.bool_]


def as_float(values: npt.ArrayLike) -> FloatArray:
    """A float64 ndarray view or copy of `values` (so callers may pass lists or scalars)."""
    return np.asarray(values, dtype=np.float64)
