"""Market data and books for analytics tests: instruments with a daily close history, marks, positions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np

from accounts.models import Account
from positions.clock import current_trading_date
from positions.models import Instrument, Position, Price, PriceHistory
from tests.factories import InstrumentFactory, PriceFactory


def business_days(end: date, n: int) -> list[date]:
    """The last `n` weekdays up to and including `end`."""
    out: list[date] = []
    day = end
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day -= timedelta(days=1)
    return out[::-1]


def add_history(
    instrument: Instrument,
    *,
    days: int,
    start: float = 100.0,
    vol: float = 0.01,
    seed: int = 0,
    end: date | None = None,
) -> list[float]:
    """A random-walk close history of `days` weekdays ending `end` (default: yesterday); returns closes."""
    last_day = end or current_trading_date() - timedelta(days=1)
    rng = np.random.default_rng(seed)
    closes = start * np.cumprod(1.0 + rng.normal(0.0, vol, days))
    PriceHistory.objects.bulk_create(
        PriceHistory(instrument=instrument, date=d, close=Decimal(f"{c:.6f}"))
        for d, c in zip(business_days(last_day, days), closes, strict=True)
    )
    return [float(f"{c:.6f}") for c in closes]


def listed(
    symbol: str, *, price: str = "100", days: int = 300, seed: int = 0, vol: float = 0.01, **fields: object
) -> Instrument:
    """An instrument with a mark and `days` of history (0: none)."""
    instrument = InstrumentFactory(symbol=symbol, **fields)
    PriceFactory(instrument=instrument, price=Decimal(price))
    if days:
        add_history(instrument, days=days, seed=seed, vol=vol, start=float(price))
    return instrument


def option_on(
    underlying: Instrument,
    symbol: str,
    *,
    strike: str = "100",
    option_type: str = "call",
    expiry_days: int = 90,
    implied_vol: str | None = "0.25",
    price: str = "5",
    multiplier: str = "100",
) -> Instrument:
    option = InstrumentFactory(
        symbol=symbol,
        asset_class="option",
        currency=underlying.currency,
        multiplier=Decimal(multiplier),
        underlying=underlying,
        option_type=option_type,
        strike=Decimal(strike),
        expiry=current_trading_date() + timedelta(days=expiry_days),
    )
    Price.objects.create(
        instrument=option,
        price=Decimal(price),
        as_of=datetime.now(UTC),
        implied_vol=None if implied_vol is None else Decimal(implied_vol),
    )
    return option


def hold(account: Account, instrument: Instrument, quantity: str, avg_price: str = "100") -> Position:
    return Position.objects.create(
        account=account, instrument=instrument, quantity=Decimal(quantity), avg_price=Decimal(avg_price)
    )
