"""Parametric VaR of a scope's book, before and after one order, on the day's RiskModel.

The book is the scope's positions plus its open reservations as if filled (open buys added, open
sells subtracted). Its exposure per factor is the sum over instruments of quantity x delta exposure
per unit (at the current mark, in the instrument's currency) x the FX rate into the scope's base
currency; VaR = z(confidence) x sqrt(w' C w) x sqrt(horizon). This is the model of
`GET risk/var/?method=parametric` (analytics/riskmath/parametric.py) on the covariance the nightly
run stored, so once the order is filled the endpoint answers the check's `var_after`.

The book's w, C w and w' C w are computed once per scope and snapshot; an order adds to one factor
only, so its VaR is O(1): w' C w + 2 d (C w)_j + d^2 C_jj.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from limits.engine.snapshot import FactorBook, RiskModel, ScopeState, Snapshot, fx_rate
from limits.engine.types import ZERO, Missing

CODE = "var_unavailable"
NOT_IN_MODEL = "not in the day's risk model"


@lru_cache(maxsize=16)
def z_score(confidence: float) -> float:
    """The standard normal quantile at `confidence` (scipy's ndtri to the last digit)."""
    return NormalDist().inv_cdf(confidence)


def value_at_risk(model: RiskModel, variance: float) -> float:
    """VaR of a book whose daily P&L variance is `variance`."""
    return z_score(model.confidence) * math.sqrt(max(variance, 0.0)) * math.sqrt(model.horizon_days)


def expected_shortfall(model: RiskModel, variance: float) -> float:
    """ES of the same normal P&L: sigma sqrt(h) phi(z) / (1 - c), as analytics/riskmath/parametric.py."""
    z = z_score(model.confidence)
    sigma = math.sqrt(max(variance, 0.0)) * math.sqrt(model.horizon_days)
    return sigma * NormalDist().pdf(z) / (1.0 - model.confidence)


def _unavailable(snapshot: Snapshot, symbols: Iterable[str] = ()) -> Missing:
    model = snapshot.risk_model
    if model is None:
        return Missing(CODE, snapshot.risk_unavailable)
    named = sorted(set(symbols))
    reasons = "; ".join(f"{s}: {model.missing.get(s, NOT_IN_MODEL)}" for s in named)
    return Missing(CODE, f"No VaR: no risk model for {reasons}")


def unit_exposure(snapshot: Snapshot, scope: ScopeState, symbol: str) -> tuple[int, float] | Missing:
    """(factor column, base-currency exposure of one unit of `symbol`) for `scope`."""
    model = snapshot.risk_model
    loading = model.loadings.get(symbol) if model is not None else None
    if model is None or loading is None:
        return _unavailable(snapshot, [symbol])
    instrument = snapshot.instruments.get(symbol)
    rate = fx_rate(snapshot, instrument.currency, scope.base_currency) if instrument is not None else None
    if rate is None:
        return _unavailable(snapshot, [symbol])
    column, per_unit = loading
    return column, per_unit * float(rate)


def _net_quantities(scope: ScopeState) -> dict[str, Decimal]:
    net = dict(scope.positions)
    for symbol, quantity in scope.reserved_buy.items():
        net[symbol] = net.get(symbol, ZERO) + quantity
    for symbol, quantity in scope.reserved_sell.items():
        net[symbol] = net.get(symbol, ZERO) - quantity
    return net


def book_exposures(snapshot: Snapshot, scope: ScopeState) -> FactorBook | Missing:
    """The scope's factor book (cached on the snapshot), or why it has no VaR."""
    cached = snapshot._exposures.get(id(scope))
    # The scope is kept in the entry, so a matching id can only be this very object.
    if cached is not None and cached[0] is scope:
        return cached[1]
    result = _compute_book(snapshot, scope)
    snapshot._exposures[id(scope)] = (scope, result)
    return result


def _compute_book(snapshot: Snapshot, scope: ScopeState) -> FactorBook | Missing:
    model = snapshot.risk_model
    if model is None:
        return _unavailable(snapshot)
    exposure = np.zeros(model.covariance.shape[0])
    lacking: list[str] = []
    for symbol, quantity in _net_quantities(scope).items():
        if not quantity:
            continue
        unit = unit_exposure(snapshot, scope, symbol)
        if isinstance(unit, Missing):
            lacking.append(symbol)
            continue
        exposure[unit[0]] += float(quantity) * unit[1]
    if lacking:
        return _unavailable(snapshot, lacking)
    c_w = model.covariance @ exposure
    return FactorBook(exposure, c_w, float(exposure @ c_w))


def with_order(model: RiskModel, book: FactorBook, column: int, delta: float) -> FactorBook:
    """The factor book plus `delta` of exposure on factor `column`."""
    exposure = book.exposure.copy()
    exposure[column] += delta
    variance = book.variance + 2.0 * delta * float(book.covariance_times_exposure[column])
    variance += delta * delta * float(model.covariance[column, column])
    return FactorBook(
        exposure, book.covariance_times_exposure + delta * model.covariance[:, column], variance
    )


def var_before_after(
    snapshot: Snapshot, scope: ScopeState, symbol: str, signed_quantity: Decimal
) -> tuple[float, float] | Missing:
    """The scope's VaR without and with an order of `signed_quantity` of `symbol`."""
    book = book_exposures(snapshot, scope)
    if isinstance(book, Missing):
        return book
    unit = unit_exposure(snapshot, scope, symbol)
    if isinstance(unit, Missing):
        return unit
    model = snapshot.risk_model
    assert model is not None
    after = with_order(model, book, unit[0], float(signed_quantity) * unit[1])
    return value_at_risk(model, book.variance), value_at_risk(model, after.variance)


def rebook_exposures(
    snapshot: Snapshot, before: ScopeState, after: ScopeState, book: FactorBook, symbol: str
) -> FactorBook | Missing:
    """The factor book of `after`, which differs from `before` only in `symbol` (a reservation)."""
    change = _net_quantities(after).get(symbol, ZERO) - _net_quantities(before).get(symbol, ZERO)
    if not change:
        return book
    unit = unit_exposure(snapshot, after, symbol)
    if isinstance(unit, Missing):
        return unit
    model = snapshot.risk_model
    assert model is not None
    return with_order(model, book, unit[0], float(change) * unit[1])
