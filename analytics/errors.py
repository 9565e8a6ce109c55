"""Data problems that make a risk figure impossible: answered 422 by the API, stored on failed reports.

Every one has a stable `code` and JSON-serialisable `fields` naming what is missing, so clients and
dashboards can show "AAPL: 120 days of history missing" without parsing messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analytics.riskmath.errors import RiskMathError
from positions.ledger.errors import MarketDataError, MissingFxRate, MissingPrice


class RiskDataError(Exception):
    """A risk figure cannot be computed from the stored data."""

    def __init__(self, code: str, detail: str, fields: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.fields: dict[str, Any] = dict(fields or {})

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.fields}

    @classmethod
    def from_exception(cls, exc: Exception) -> RiskDataError:
        """Wrap a core or market-data error, keeping its code and the names it carries."""
        if isinstance(exc, RiskDataError):
            return exc
        if isinstance(exc, RiskMathError):
            return cls(exc.code, str(exc), exc.fields)
        if isinstance(exc, MissingPrice):
            return cls(exc.code, str(exc), {"symbols": [exc.symbol]})
        if isinstance(exc, MissingFxRate):
            return cls(exc.code, str(exc), {"base": exc.base, "quote": exc.quote})
        if isinstance(exc, MarketDataError):
            return cls(exc.code, str(exc))
        raise TypeError(f"not a risk data error: {exc!r}")


def missing_prices(symbols: list[str]) -> RiskDataError:
    return RiskDataError(
        MissingPrice.code, "No mark price for " + ", ".join(symbols) + ".", {"symbols": symbols}
    )


def missing_fx(currencies: list[str], base: str) -> RiskDataError:
    pairs = ", ".join(f"{c}/{base}" for c in currencies)
    return RiskDataError(
        MissingFxRate.code,
        f"No FX rate {pairs} (direct, inverse or through a common currency).",
        {"currencies": currencies, "quote": base},
    )
