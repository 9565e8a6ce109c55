"""The demo book: a deposit per account and fills that leave long and short positions.

Fills are recorded through `fills_record` at prices taken from the simulated history, so positions,
realized P&L and cash follow from them exactly as they would from an OMS. Each account's fills are
generated once: an account that already has demo fills is left alone (reruns change nothing).
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

import numpy as np

from accounts.models import Account
from positions.models import Fill, Instrument
from positions.services import FillInput, cash_movement_record, fills_record
from riskplatform.demo import universe as u
from riskplatform.demo.data import Market, to_decimal

FILL_PREFIX = "demo-"
WINDOW_DAYS = 40  # fills happen over the last two months of history
POSITIONS_PER_ACCOUNT = 8


def deposits_record(accounts: list[Account], recorded_by: object) -> None:
    specs = {spec.code: spec for spec in u.ACCOUNTS}
    for account in accounts:
        spec = specs[account.code]
        cash_movement_record(
            account=account,
            movement_id=f"{FILL_PREFIX}deposit",
            currency=account.base_currency,
            amount=spec.deposit,
            reason="Initial funding (demo)",
            recorded_by=recorded_by,
        )


def _tradables(spec: u.DemoAccount, market: Market) -> list[str]:
    names = [s for s in spec.universe if s != "options"]
    if "options" in spec.universe:
        names += [
            symbol
            for symbol, instrument in market.instruments.items()
            if instrument.asset_class == "option"
            and instrument.underlying is not None
            and instrument.underlying.symbol in names
        ]
    return names


def _round_quantity(instrument: Instrument, raw: float) -> Decimal:
    if instrument.asset_class == "fx":
        return Decimal(max(10_000, int(raw / 10_000) * 10_000))
    if instrument.asset_class == "crypto":
        return max(Decimal("0.01"), Decimal(str(raw)).quantize(Decimal("0.01"), rounding=ROUND_DOWN))
    return Decimal(max(1, int(raw)))


def _fee(instrument: Instrument, quantity: Decimal, price: Decimal) -> Decimal:
    if instrument.asset_class == "equity":
        return max(Decimal("1"), (quantity * Decimal("0.005"))).quantize(Decimal("0.01"))
    if instrument.asset_class in {"future", "option"}:
        return (quantity * Decimal("0.85")).quantize(Decimal("0.01"))
    if instrument.asset_class == "crypto":
        return (quantity * price * Decimal("0.001")).quantize(Decimal("0.01"))
    return Decimal("0")


def account_fills(account: Account, market: Market, *, seed: int) -> list[FillInput]:
    """Open, add to and partly close a handful of long and short positions in the account's universe."""
    spec = next(s for s in u.ACCOUNTS if s.code == account.code)
    rng = np.random.default_rng([seed, zlib.crc32(account.code.encode())])
    strategies = list(account.strategies.order_by("code"))
    tradables = _tradables(spec, market)
    picks = rng.choice(len(tradables), size=min(POSITIONS_PER_ACCOUNT, len(tradables)), replace=False)
    base_per_usd = 1.0 / market.usd_per(account.base_currency)
    last = len(market.days) - 1
    fills: list[FillInput] = []
    for n, pick in enumerate(sorted(int(p) for p in picks)):
        symbol = tradables[pick]
        instrument = market.instruments[symbol]
        long = rng.random() < 0.6
        target = float(rng.uniform(150_000, 900_000)) * float(spec.deposit) / 8_000_000  # in base currency
        open_day = int(rng.integers(last - WINDOW_DAYS, last - 10))
        add_day = int(rng.integers(open_day + 1, last - 4))
        close_day = int(rng.integers(add_day + 1, last + 1))
        to_base = market.usd_per(instrument.currency) * base_per_usd
        # Size options by the underlying they control (about half of it at these strikes), not by premium.
        sizing_symbol = instrument.underlying.symbol if instrument.underlying is not None else symbol
        exposure = 0.5 if instrument.asset_class == "option" else 1.0
        unit_value = (
            market.close_on(sizing_symbol, open_day) * float(instrument.multiplier) * to_base * exposure
        )
        first = _round_quantity(instrument, 0.6 * target / unit_value)
        second = _round_quantity(instrument, 0.4 * target / unit_value)
        trim = _round_quantity(instrument, float(first + second) * float(rng.uniform(0.2, 0.5)))
        if trim >= first + second:
            trim = Decimal(0)
        opening, closing = ("buy", "sell") if long else ("sell", "buy")
        legs = [(open_day, opening, first), (add_day, opening, second)]
        if trim > 0:
            legs.append((close_day, closing, trim))
        for leg, (day_index, side, quantity) in enumerate(legs):
            slip = 1 + float(rng.uniform(-0.001, 0.001))
            price = to_decimal(market.close_on(symbol, day_index) * slip, market.places[symbol])
            if price <= 0:
                price = Decimal("0.01")
            minutes = int(rng.integers(14 * 60 + 30, 20 * 60 + 55))
            executed_at = datetime.combine(market.days[day_index], time(0, 0), tzinfo=UTC) + timedelta(
                minutes=minutes
            )
            fills.append(
                FillInput(
                    account=account,
                    fill_id=f"{FILL_PREFIX}{account.code}-{n:02d}-{leg}",
                    instrument=instrument,
                    side=side,
                    quantity=quantity,
                    price=price,
                    executed_at=executed_at,
                    strategy=strategies[n % len(strategies)] if strategies else None,
                    fee=_fee(instrument, quantity, price),
                )
            )
    return sorted(fills, key=lambda f: (f.executed_at, f.fill_id))


def fills_create(accounts: list[Account], market: Market, *, seed: int, recorded_by: object) -> int:
    """Record the demo fills of every account that has none yet; returns how many were stored."""
    stored = 0
    for account in accounts:
        if Fill.objects.filter(account=account, fill_id__startswith=FILL_PREFIX).exists():
            continue
        result = fills_record(fills=account_fills(account, market, seed=seed), recorded_by=recorded_by)
        stored += sum(result.created)
    return stored
