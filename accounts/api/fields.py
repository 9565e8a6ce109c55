"""Serializer fields that encode the contract's input rules once: currencies, decimals, timestamps."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from accounts.models import currency_validator

# Feeds and OMSs run on other clocks: a timestamp this far ahead of ours is still believable.
MAX_CLOCK_SKEW = timedelta(minutes=5)


class CurrencyField(serializers.CharField):
    """An ISO 4217 code or a crypto ticker: upper case, 3-10 characters (`USD`, `EUR`, `USDT`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.validators.append(currency_validator)


class DecimalString(serializers.DecimalField):
    """A decimal rendered as a plain string without trailing zeros ("187.2", "1", "0.0001").

    Input keeps DRF's checks (digits, decimal places, min/max); strings and JSON numbers are accepted.
    """

    def __init__(self, max_digits: int | None = 28, decimal_places: int | None = 10, **kwargs: Any) -> None:
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        # DRF would read True as "True" and fail with a vague message; say what is wrong instead.
        if isinstance(data, bool) or not isinstance(data, (str, int, float, Decimal)):
            self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        if value is None:
            return None
        number = Decimal(value).normalize()
        # normalize() may give an exponent ("1E+2"): the "f" format writes it out in full.
        return format(number, "f")


CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """`value` to two places, half to even: how every answer rounds money and percentages, once, at
    the edge (ledger amounts keep ten decimals inside). A figure that rounds to zero is 0.00, never
    -0.00."""
    rounded = Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return abs(rounded) if rounded == 0 else rounded


class MoneyString(DecimalString):
    """A money figure rendered to the cent ("1250000.00"), as the contract writes money.

    Ledger amounts keep ten decimals internally (FX conversions, crypto); answers round once, at the
    edge, half to even, so sums of rounded figures drift by at most a cent per term.
    """

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        if value is None:
            return None
        return format(cents(value), "f")


def positive_decimal(**kwargs: Any) -> DecimalString:
    """A price, rate or quantity: strictly greater than zero (zero is rejected, not clamped)."""
    # Through kwargs, not appended later: DRF rebuilds declared fields from their kwargs per request.
    kwargs["validators"] = [*kwargs.get("validators", ()), greater_than_zero]
    return DecimalString(**kwargs)


def greater_than_zero(value: Decimal) -> None:
    if value <= 0:
        raise serializers.ValidationError("Must be greater than 0.", code="min_value")


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 timestamp that must carry a UTC offset and must not lie in the future.

    A timestamp without an offset is ambiguous (whose local time?), so it is refused rather than guessed.
    """

    default_error_messages = {
        **serializers.DateTimeField.default_error_messages,
        "naive": "Include a UTC offset, e.g. 2026-01-31T14:30:00Z.",
        "future": "Must not be in the future.",
    }

    def __init__(self, *, allow_future: bool = False, **kwargs: Any) -> None:
        self.allow_future = allow_future
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        elif isinstance(value, datetime) and timezone.is_naive(value):
            self.fail("naive")
        elif not isinstance(value, (str, datetime)):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]]+HH:MM")
        result: datetime = super().to_internal_value(value)
        if not self.allow_future and result > timezone.now() + MAX_CLOCK_SKEW:
            self.fail("future")
        return result


class StrictDateField(serializers.DateField):
    """A `YYYY-MM-DD` date; a full timestamp or another type is refused instead of truncated."""

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)
