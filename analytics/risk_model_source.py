"""The pre-trade check's risk model (limits.risk_figures.RiskModelSource) from the stored day's model.

Each process keeps the latest DailyRiskModel (and the risk-free rates) under the shared "risk-model"
generation token, which the nightly run replaces when it stores a new one, so a check reads no
history and no covariance from the database. Per check it prices the exposures of the check's
instruments at the current marks exactly as `GET risk/var/` does (analytics/riskmath/universe.py:
linear: mark x multiplier; option: BSM or Black-76 delta x underlying mark x multiplier) and hands
the engine the covariance of just their factors.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.conf import settings

from analytics.models import DailyRiskModel
from analytics.riskmath._types import FloatArray
from analytics.riskmath.errors import RiskMathError
from analytics.riskmath.universe import InstrumentSpec, build_universe, delta_exposures
from analytics.snapshot import DAYS_PER_YEAR
from limits.engine.snapshot import InstrumentRef, Mark, RiskModel
from positions.models import RiskFreeRate


@dataclass(frozen=True)
class _Day:
    as_of: date
    lookback_days: int
    column: dict[str, int]
    covariance: FloatArray
    missing: dict[str, str]
    rates: dict[str, float]


class StoredRiskModels:
    def __init__(self) -> None:
        self._loaded: tuple[tuple[str, date], _Day | None] | None = None
        self._lock = threading.Lock()

    def clear(self) -> None:
        self._loaded = None

    def _day(self, generation: str, trading_date: date) -> _Day | None:
        key = (generation, trading_date)
        loaded = self._loaded
        if loaded is not None and loaded[0] == key:
            return loaded[1]
        with self._lock:
            row = (
                DailyRiskModel.objects.filter(as_of__lte=trading_date, lookback_days=250, method="sample")
                .order_by("-as_of")
                .first()
            )
            day = None
            if row is not None:
                k = len(row.factors)
                day = _Day(
                    as_of=row.as_of,
                    lookback_days=row.lookback_days,
                    column={symbol: j for j, symbol in enumerate(row.factors)},
                    covariance=np.frombuffer(bytes(row.covariance), dtype="<f8").reshape(k, k),
                    missing=dict(row.missing),
                    rates={c: float(r) for c, r in RiskFreeRate.objects.values_list("currency", "rate")},
                )
            self._loaded = (key, day)
            return day

    def __call__(
        self,
        *,
        generation: str,
        trading_date: date,
        symbols: Iterable[str],
        instruments: Mapping[str, InstrumentRef],
        marks: Mapping[str, Mark],
    ) -> RiskModel | str:
        day = self._day(generation, trading_date)
        if day is None:
            return "No risk model stored yet: the nightly risk run computes it"
        age = (trading_date - day.as_of).days
        if age > settings.RISK_MODEL_MAX_AGE_DAYS:
            return (
                f"The latest risk model is from {day.as_of}, {age} days old: the nightly risk run renews it"
            )
        factors: list[int] = []  # model columns used, in local order
        local: dict[int, int] = {}
        loadings: dict[str, tuple[int, float]] = {}
        missing: dict[str, str] = {}
        options: list[tuple[str, InstrumentSpec]] = []
        for symbol in sorted(set(symbols)):
            ref = instruments.get(symbol)
            if ref is None:
                missing[symbol] = "unknown instrument"
                continue
            driver = ref.underlying if ref.asset_class == "option" else symbol
            column = day.column.get(driver or "")
            mark = marks.get(driver or "")
            if column is None or mark is None:
                missing[symbol] = day.missing.get(driver or "", "not in the day's risk model")
                if mark is None and column is not None:
                    missing[symbol] = f"no mark for {driver}"
                continue
            if column not in local:
                local[column] = len(factors)
                factors.append(column)
            if ref.asset_class != "option":
                loadings[symbol] = (local[column], float(mark.price) * float(ref.multiplier))
                continue
            spec = _option_spec(ref, marks.get(symbol), mark, instruments, day, trading_date)
            if isinstance(spec, str):
                missing[symbol] = spec
            else:
                options.append((symbol, spec))
                loadings[symbol] = (local[column], 0.0)
        if options:
            try:
                per_unit = delta_exposures(build_universe([spec for _, spec in options]))
            except RiskMathError as exc:
                return f"The option deltas cannot be computed: {exc}"
            for (symbol, _), exposure in zip(options, per_unit.tolist(), strict=True):
                loadings[symbol] = (loadings[symbol][0], exposure)
        return RiskModel(
            as_of=day.as_of,
            covariance=day.covariance[np.ix_(factors, factors)],
            loadings=loadings,
            missing=missing,
            lookback_days=day.lookback_days,
        )


def _option_spec(
    ref: InstrumentRef,
    own: Mark | None,
    underlying_mark: Mark,
    instruments: Mapping[str, InstrumentRef],
    day: _Day,
    trading_date: date,
) -> InstrumentSpec | str:
    """The option as analytics.snapshot gives it to the universe (instrument currency, fx 1)."""
    if own is None or own.implied_vol is None:
        return "no implied vol"
    if ref.strike is None or ref.expiry is None or ref.option_type is None or ref.underlying is None:
        return "option terms incomplete"
    underlying = instruments.get(ref.underlying)
    return InstrumentSpec(
        symbol=ref.symbol,
        asset_class="option",
        currency=ref.currency,
        spot=float(underlying_mark.price),
        multiplier=float(ref.multiplier),
        underlying=ref.underlying,
        option_type=ref.option_type,
        strike=float(ref.strike),
        expiry_years=(ref.expiry - trading_date).days / DAYS_PER_YEAR,
        implied_vol=float(own.implied_vol),
        rate=day.rates.get(ref.currency, 0.0),
        dividend_yield=float(ref.dividend_yield),
        future_option=bool(underlying is not None and underlying.asset_class == "future"),
    )


stored_risk_models = StoredRiskModels()
