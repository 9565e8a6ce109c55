"""Demo instruments and market data: history, marks, FX rates and risk-free rates, via the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from analytics.riskmath.pricing import bsm_price
from positions.models import Instrument
from positions.services.reference import (
    CloseIn,
    FxRateIn,
    MarkIn,
    RateIn,
    fx_rates_upsert,
    instrument_create,
    price_history_upsert,
    prices_upsert,
    risk_free_rates_upsert,
)
from riskplatform.demo import universe as u
from riskplatform.demo.market import (
    SimulatedPrices,
    business_days_before,
    previous_business_day,
    simulate,
    smile_vol,
)

HISTORY_DAYS = 504  # two years of business days (the default)
OPTION_PLACES = 2


def to_decimal(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


@dataclass(frozen=True)
class OptionSpec:
    symbol: str
    underlying: str
    currency: str
    multiplier: Decimal
    option_type: str
    strike: Decimal
    expiry: date
    implied_vol: float


@dataclass
class Market:
    """What the demo created: per symbol, the history closes (oldest first) and today's mark."""

    days: list[date]
    instruments: dict[str, Instrument]
    closes: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)  # history rows only
    marks: dict[str, Decimal] = field(default_factory=dict)
    places: dict[str, int] = field(default_factory=dict)

    def close_on(self, symbol: str, day_index: int) -> float:
        return float(self.closes[symbol][day_index])

    def usd_per(self, currency: str) -> float:
        """Rough conversion from the simulated FX marks, for sizing demo positions."""
        direct = {"USD": 1.0}
        for symbol, (base, quote) in u.FX_PAIRS.items():
            rate = float(self.marks[symbol])
            if quote == "USD":
                direct[base] = rate
            elif base == "USD":
                direct[quote] = 1.0 / rate
        return direct[currency]


def option_specs(prices: SimulatedPrices, today: date) -> list[OptionSpec]:
    specs: list[OptionSpec] = []
    by_symbol = {x.symbol: x for x in u.UNDERLIERS}
    for underlying, multiplier in u.OPTION_UNDERLYINGS:
        spot = float(prices.column(underlying)[-1])
        for expiry in u.option_expiries(today):
            for moneyness in u.STRIKE_MONEYNESS:
                strike = u.strike_for(spot, moneyness)
                for option_type in ("call", "put"):
                    specs.append(
                        OptionSpec(
                            symbol=u.option_symbol(underlying, expiry, option_type, strike),
                            underlying=underlying,
                            currency=by_symbol[underlying].currency,
                            multiplier=multiplier,
                            option_type=option_type,
                            strike=strike,
                            expiry=expiry,
                            implied_vol=round(smile_vol(by_symbol[underlying].vol, spot, float(strike)), 4),
                        )
                    )
    return specs


def _instrument(symbol: str, **fields: object) -> Instrument:
    existing = Instrument.objects.filter(symbol=symbol).first()
    return existing or instrument_create(symbol=symbol, **fields)  # type: ignore[arg-type]


def market_create(*, now: datetime, seed: int, history_days: int = HISTORY_DAYS) -> Market:
    today = now.date()
    days = business_days_before(previous_business_day(today), history_days)
    prices = simulate(u.UNDERLIERS, steps=history_days, seed=seed)
    market = Market(days=days, instruments={})

    for spec in u.UNDERLIERS:
        market.instruments[spec.symbol] = _instrument(
            spec.symbol,
            name=spec.name,
            asset_class=spec.asset_class,
            currency=spec.currency,
            multiplier=spec.multiplier,
            margin_rate=spec.margin_rate,
            dividend_yield=spec.dividend_yield,
        )
        # Rows 0..history_days-1 are the daily closes (row 0 is the starting level); the last is today.
        path = prices.column(spec.symbol)
        market.closes[spec.symbol] = np.round(path[:history_days], spec.places)
        market.marks[spec.symbol] = to_decimal(float(path[-1]), spec.places)
        market.places[spec.symbol] = spec.places

    rates = {c: float(r) for c, r in u.RISK_FREE_RATES.items()}
    dividend = {x.symbol: float(x.dividend_yield) for x in u.UNDERLIERS}
    mark_vols: dict[str, Decimal] = {}
    day_numbers = np.array([d.toordinal() for d in days], dtype=np.float64)
    for option in option_specs(prices, today):
        market.instruments[option.symbol] = _instrument(
            option.symbol,
            name=f"{option.underlying} {option.expiry:%d %b %y} {option.strike} {option.option_type}",
            asset_class="option",
            currency=option.currency,
            multiplier=option.multiplier,
            margin_rate=Decimal("0.15"),
            underlying=market.instruments[option.underlying],
            option_type=option.option_type,
            strike=option.strike,
            expiry=option.expiry,
        )
        args = (
            rates[option.currency],
            dividend[option.underlying],
            option.implied_vol,
            option.option_type == "call",
        )
        years = (option.expiry.toordinal() - day_numbers) / 365.0
        history = bsm_price(market.closes[option.underlying], float(option.strike), years, *args)
        market.closes[option.symbol] = np.maximum(np.round(history, OPTION_PLACES), 0.01)
        spot = float(market.marks[option.underlying])
        mark = float(bsm_price(spot, float(option.strike), (option.expiry - today).days / 365.0, *args))
        market.marks[option.symbol] = to_decimal(max(mark, 0.01), OPTION_PLACES)
        market.places[option.symbol] = OPTION_PLACES
        mark_vols[option.symbol] = Decimal(str(option.implied_vol))

    price_history_upsert(
        closes=[
            CloseIn(
                instrument=market.instruments[symbol],
                date=day,
                close=to_decimal(float(close), market.places[symbol]),
            )
            for symbol, closes in market.closes.items()
            for day, close in zip(days, closes, strict=True)
        ]
    )
    prices_upsert(
        marks=[
            MarkIn(
                instrument=market.instruments[symbol],
                price=mark,
                as_of=now,
                implied_vol=mark_vols.get(symbol),
            )
            for symbol, mark in market.marks.items()
        ]
    )
    fx_rates_upsert(
        rates=[
            FxRateIn(base=base, quote=quote, rate=market.marks[symbol], as_of=now)
            for symbol, (base, quote) in u.FX_PAIRS.items()
        ]
    )
    risk_free_rates_upsert(rates=[RateIn(currency=c, rate=r) for c, r in u.RISK_FREE_RATES.items()])
    return market
