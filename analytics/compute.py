"""The glue between a snapshot `Book` and the risk-math core: which core function, on which rows.

No database access here: the API selectors and the nightly service both call these on books built
by `analytics.snapshot`. An empty book (no positions at all) short-circuits to zeros: the core needs
at least one scenario, and "no positions" is a legitimate VaR of 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analytics.riskmath._types import FloatArray
from analytics.riskmath.covariance import covariance
from analytics.riskmath.greeks import GreeksBatch, greeks_batch
from analytics.riskmath.margin import MarginBatch, margin_batch
from analytics.riskmath.parametric import parametric_var_batch
from analytics.riskmath.results import VarBatch
from analytics.riskmath.simulation import DEFAULT_SCENARIOS, historical_var_batch, monte_carlo_var_batch
from analytics.riskmath.stress import StressBatch, StressScenario, stress_batch
from analytics.snapshot import Book

METHODS = ("parametric", "historical", "monte_carlo")
DEFAULT_SEED = 20_240_101  # a fixed default seed: the same book gives the same Monte Carlo answer


def _rows(book: Book, rows: Sequence[int] | None) -> FloatArray:
    q = book.quantities
    return q if rows is None else q[list(rows)]


def _is_empty(book: Book, q: FloatArray) -> bool:
    return book.universe.size == 0 or not np.any(q != 0.0)


def zero_var(method: str, book: Book, n: int, confidence: float, horizon_days: float) -> VarBatch:
    m = book.universe.size
    return VarBatch(
        method=method,
        confidence=confidence,
        horizon_days=horizon_days,
        symbols=book.universe.symbols,
        var=np.zeros(n),
        es=np.zeros(n),
        portfolio_value=np.zeros(n),
        exposure=np.zeros((n, m)),
        marginal_var=np.zeros((n, m)),
        component_var=np.zeros((n, m)),
    )


COVARIANCE_METHODS = ("sample", "ewma")


def covariance_of(book: Book, method: str = "sample") -> FloatArray:
    """Covariance of the book's daily returns: "sample" or "ewma" (RiskMetrics, lambda 0.94)."""
    return covariance(book.returns, method)


def var_batch(
    book: Book,
    *,
    method: str,
    confidence: float,
    horizon_days: float = 1.0,
    rows: Sequence[int] | None = None,
    n_scenarios: int = DEFAULT_SCENARIOS,
    seed: int | None = DEFAULT_SEED,
    components: bool = True,
    cov: FloatArray | None = None,
    covariance_method: str = "sample",
) -> VarBatch:
    """VaR/ES of `rows` of the book (default all) by `method` (one of METHODS); parametric and Monte
    Carlo use `cov`, or the `covariance_method` covariance of the book's returns."""
    q = _rows(book, rows)
    if _is_empty(book, q):
        return zero_var(method, book, q.shape[0], confidence, horizon_days)
    u = book.universe
    if method == "historical":
        return historical_var_batch(u, q, book.returns, confidence=confidence, horizon_days=horizon_days)
    c = cov if cov is not None else covariance_of(book, covariance_method)
    if method == "parametric":
        return parametric_var_batch(u, q, c, confidence=confidence, horizon_days=horizon_days)
    if method == "monte_carlo":
        return monte_carlo_var_batch(
            u,
            q,
            c,
            confidence=confidence,
            horizon_days=horizon_days,
            n_scenarios=n_scenarios,
            seed=seed,
            components=components,
        )
    raise ValueError(f"unknown method {method!r}")


def greeks_of(book: Book, rows: Sequence[int] | None = None) -> GreeksBatch:
    return greeks_batch(book.universe, _rows(book, rows))


def stress_of(
    book: Book, scenarios: Sequence[StressScenario], rows: Sequence[int] | None = None
) -> StressBatch:
    return stress_batch(book.universe, _rows(book, rows), scenarios, base_currency=book.base_currency)


def margin_of(book: Book, rows: Sequence[int] | None = None) -> MarginBatch:
    return margin_batch(book.universe, _rows(book, rows), book.margin_rates)


def unit_values_of(book: Book) -> FloatArray:
    """Base-currency value of one unit of each instrument of the book."""
    from analytics.riskmath.universe import unit_values

    return unit_values(book.universe)
