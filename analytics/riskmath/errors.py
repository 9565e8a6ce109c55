"""Exceptions raised by the risk-math core.

Every error carries a stable `code` and a `fields` mapping of JSON-serialisable details so the Django
side can turn it into a 400 body without parsing messages, e.g.
`{"code": "insufficient_history", "detail": str(exc), **exc.fields}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class RiskMathError(ValueError):
    """Base class: bad or insufficient input to a risk computation."""

    code = "risk_math_error"

    def __init__(self, message: str, fields: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, Any] = dict(fields or {})

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": str(self), **self.fields}


class InsufficientHistoryError(RiskMathError):
    """Some risk factors lack returns over the requested lookback window.

    `fields["missing"]` maps each factor symbol to the number of daily returns it is missing;
    `fields["required_days"]` is the lookback asked for.
    """

    code = "insufficient_history"

    def __init__(self, missing: Mapping[str, int], required_days: int) -> None:
        self.missing = dict(missing)
        self.required_days = required_days
        listing = ", ".join(f"{sym} ({n} days missing)" for sym, n in self.missing.items())
        super().__init__(
            f"insufficient price history for a {required_days}-day lookback: {listing}",
            {"missing": self.missing, "required_days": required_days},
        )


class MissingImpliedVolError(RiskMathError):
    """Option positions without an implied volatility cannot be priced."""

    code = "missing_implied_vol"

    def __init__(self, symbols: Sequence[str]) -> None:
        self.symbols = list(symbols)
        super().__init__(
            "options without an implied volatility: " + ", ".join(self.symbols),
            {"symbols": self.symbols},
        )


class ImpliedVolError(RiskMathError):
    """No volatility in the search bracket reproduces the given option price."""

    code = "implied_vol_not_found"

    def __init__(self, index: int, price: float, lower: float, upper: float) -> None:
        super().__init__(
            f"option price {price:.6g} at position {index} is outside the attainable range "
            f"[{lower:.6g}, {upper:.6g}] for volatilities in the search bracket",
            {"index": index, "price": price, "min_price": lower, "max_price": upper},
        )


class InvalidInputError(RiskMathError):
    """Shapes, confidences, horizons or scenario keys that make no sense."""

    code = "invalid_input"

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}", {"field": field})
