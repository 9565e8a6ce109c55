"""Writes of reference and market data: instruments, latest marks, FX rates, price history, rates.

Every list write is one transaction: all items are stored or none. Marks and FX rates are "latest
value" rows, so a value older than the one stored is ignored rather than allowed to roll the market
back (feeds retry and deliver out of order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from positions.models import AssetClass, FxRate, Instrument, Price, PriceHistory, RiskFreeRate

OPTION_TERMS = ("underlying", "option_type", "strike", "expiry")
# Changing these on an instrument that has fills would silently revalue its booked history.
FROZEN_ONCE_TRADED = ("asset_class", "currency", "multiplier")
BATCH_SIZE = 1000


def option_terms_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """The problems with an instrument's option terms: required for options, forbidden otherwise."""
    errors: dict[str, list[str]] = {}
    is_option = values.get("asset_class") == AssetClass.OPTION
    for name in OPTION_TERMS:
        present = values.get(name) not in (None, "")
        if is_option and not present:
            errors[name] = ["Required for options."]
        elif not is_option and present:
            errors[name] = ["Only options have this field."]
    underlying = values.get("underlying")
    if is_option and isinstance(underlying, Instrument):
        if underlying.asset_class == AssetClass.OPTION:
            errors["underlying"] = ["The underlying of an option cannot be an option."]
        elif underlying.symbol == values.get("symbol"):
            errors["underlying"] = ["An instrument cannot be its own underlying."]
    return errors


@transaction.atomic
def instrument_create(
    *,
    symbol: str,
    asset_class: str,
    currency: str,
    name: str = "",
    multiplier: Decimal = Decimal("1"),
    margin_rate: Decimal = Decimal("0"),
    underlying: Instrument | None = None,
    option_type: str = "",
    strike: Decimal | None = None,
    expiry: date | None = None,
    dividend_yield: Decimal = Decimal("0"),
) -> Instrument:
    instrument = Instrument(
        symbol=symbol,
        name=name,
        asset_class=asset_class,
        currency=currency,
        multiplier=multiplier,
        margin_rate=margin_rate,
        underlying=underlying,
        option_type=option_type or "",
        strike=strike,
        expiry=expiry,
        dividend_yield=dividend_yield,
    )
    instrument.full_clean()
    instrument.save()
    return instrument


@transaction.atomic
def instrument_update(*, instrument: Instrument, changes: Mapping[str, Any]) -> Instrument:
    """Apply `changes` (field name -> new value). The caller validated the merged terms."""
    for name, value in changes.items():
        if name == "option_type" and value is None:
            value = ""
        setattr(instrument, name, value)
    instrument.full_clean()
    instrument.save()
    return instrument


def instrument_has_fills(instrument: Instrument) -> bool:
    return instrument.fills.exists()


@dataclass(frozen=True)
class MarkIn:
    instrument: Instrument
    price: Decimal
    as_of: datetime
    implied_vol: Decimal | None = None


@dataclass(frozen=True)
class FxRateIn:
    base: str
    quote: str
    rate: Decimal
    as_of: datetime


@dataclass(frozen=True)
class CloseIn:
    instrument: Instrument
    date: date
    close: Decimal


@dataclass(frozen=True)
class RateIn:
    currency: str
    rate: Decimal


@dataclass
class UpsertResult:
    """What an upsert did; `stale` names the items ignored because a newer value was already stored."""

    created: int = 0
    updated: int = 0
    stale: list[str] = field(default_factory=list)


@transaction.atomic
def prices_upsert(*, marks: Sequence[MarkIn]) -> UpsertResult:
    """Store the latest marks. A mark older than the stored one is ignored and reported as stale;
    within one list, later items win over earlier ones with the same or an older `as_of`."""
    result = UpsertResult()
    instrument_ids = sorted({m.instrument.pk for m in marks})
    # Lock the rows we may overwrite so that two feeds cannot interleave their staleness checks.
    stored = {
        p.instrument_id: p
        for p in Price.objects.select_for_update().filter(instrument_id__in=instrument_ids).order_by("id")
    }
    latest: dict[int, MarkIn] = {}
    for mark in marks:
        current = latest.get(mark.instrument.pk)
        existing = stored.get(mark.instrument.pk)
        newest_known = current.as_of if current else (existing.as_of if existing else None)
        if newest_known is not None and mark.as_of < newest_known:
            result.stale.append(mark.instrument.symbol)
            continue
        latest[mark.instrument.pk] = mark
    now = timezone.now()
    rows = [
        Price(
            instrument=m.instrument, price=m.price, as_of=m.as_of, implied_vol=m.implied_vol, updated_at=now
        )
        for m in latest.values()
    ]
    result.created = sum(1 for pk in latest if pk not in stored)
    result.updated = len(latest) - result.created
    # update_conflicts also covers a first mark inserted concurrently by another feed (last one wins).
    Price.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["instrument"],
        update_fields=["price", "as_of", "implied_vol", "updated_at"],
    )
    return result


@transaction.atomic
def fx_rates_upsert(*, rates: Sequence[FxRateIn]) -> UpsertResult:
    """Store the latest FX rates (1 base = rate quote), with the same staleness rule as marks."""
    result = UpsertResult()
    pairs = {(r.base, r.quote) for r in rates}
    candidates = FxRate.objects.select_for_update().filter(
        base__in={b for b, _ in pairs}, quote__in={q for _, q in pairs}
    )
    stored = {
        (row.base, row.quote): row for row in candidates.order_by("id") if (row.base, row.quote) in pairs
    }
    latest: dict[tuple[str, str], FxRateIn] = {}
    for rate in rates:
        key = (rate.base, rate.quote)
        current = latest.get(key)
        existing = stored.get(key)
        newest_known = current.as_of if current else (existing.as_of if existing else None)
        if newest_known is not None and rate.as_of < newest_known:
            result.stale.append(f"{rate.base}/{rate.quote}")
            continue
        latest[key] = rate
    now = timezone.now()
    result.created = sum(1 for key in latest if key not in stored)
    result.updated = len(latest) - result.created
    FxRate.objects.bulk_create(
        [
            FxRate(base=r.base, quote=r.quote, rate=r.rate, as_of=r.as_of, updated_at=now)
            for r in latest.values()
        ],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["base", "quote"],
        update_fields=["rate", "as_of", "updated_at"],
    )
    return result


@transaction.atomic
def price_history_upsert(*, closes: Iterable[CloseIn]) -> UpsertResult:
    """Insert or replace daily closes. The caller guarantees one item per (instrument, date)."""
    items = list(closes)
    result = UpsertResult()
    if not items:
        return result
    instrument_ids = {c.instrument.pk for c in items}
    dates = [c.date for c in items]
    existing = set(
        PriceHistory.objects.filter(
            instrument_id__in=instrument_ids, date__gte=min(dates), date__lte=max(dates)
        ).values_list("instrument_id", "date")
    )
    result.updated = sum(1 for c in items if (c.instrument.pk, c.date) in existing)
    result.created = len(items) - result.updated
    PriceHistory.objects.bulk_create(
        [PriceHistory(instrument=c.instrument, date=c.date, close=c.close) for c in items],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["instrument", "date"],
        update_fields=["close"],
    )
    return result


@transaction.atomic
def risk_free_rates_upsert(*, rates: Sequence[RateIn]) -> UpsertResult:
    """Insert or replace the continuously compounded risk-free rate per currency (last item wins)."""
    latest = {r.currency: r for r in rates}
    stored = set(RiskFreeRate.objects.filter(currency__in=latest).values_list("currency", flat=True))
    now = timezone.now()
    RiskFreeRate.objects.bulk_create(
        [RiskFreeRate(currency=r.currency, rate=r.rate, updated_at=now) for r in latest.values()],
        update_conflicts=True,
        unique_fields=["currency"],
        update_fields=["rate", "updated_at"],
    )
    return UpsertResult(created=len(latest) - len(stored), updated=len(stored))
