"""Validation and the audit representation of limit values, shared by admin, REST and overrides."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from limits.models import (
    DECIMAL_LIMIT_FIELDS,
    DEFAULT_WARN_UTILIZATION_PCT,
    INTEGER_LIMIT_FIELDS,
    LIMIT_FIELDS,
)
from limits.models.limits import DECIMAL_PLACES, MAX_DIGITS


class InvalidLimit(ValueError):
    """A value that no limit field may hold; the message is fit for a 400 body."""


def clean_limit_value(field: str, value: Any) -> Any:
    """The value to store for `field`, or InvalidLimit.

    None means "no limit"; for `warn_utilization_pct` it means the default (80) and for
    `restricted_symbols` an empty list.
    """
    if field not in LIMIT_FIELDS:
        raise InvalidLimit("Unknown field.")
    if field == "restricted_symbols":
        return _clean_symbols(value)
    if field == "warn_utilization_pct":
        if value is None:
            return Decimal(DEFAULT_WARN_UTILIZATION_PCT)
        number = _decimal(value)
        if not Decimal(0) < number <= Decimal(100):
            raise InvalidLimit("Must be greater than 0 and at most 100.")
        return number
    if value is None:
        return None
    if field in INTEGER_LIMIT_FIELDS:
        number = _decimal(value)
        if number != number.to_integral_value() or number <= 0:
            raise InvalidLimit("Must be a positive whole number.")
        return int(number)
    assert field in DECIMAL_LIMIT_FIELDS
    number = _decimal(value)
    if field == "price_collar_pct":
        if number <= 0:
            raise InvalidLimit("Must be greater than 0.")
    elif number < 0:
        raise InvalidLimit("Must be greater than or equal to 0.")
    return number


def _decimal(value: Any) -> Decimal:
    # bool is an int: True must not become a limit of 1.
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise InvalidLimit("A valid number is required.")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidLimit("A valid number is required.") from None
    if not number.is_finite():
        raise InvalidLimit("A valid number is required.")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -DECIMAL_PLACES:
        raise InvalidLimit(f"Ensure that there are no more than {DECIMAL_PLACES} decimal places.")
    whole_digits = MAX_DIGITS - DECIMAL_PLACES
    if abs(number) >= Decimal(10) ** whole_digits:
        raise InvalidLimit(
            f"Ensure that there are no more than {whole_digits} digits before the decimal point."
        )
    return number


def _clean_symbols(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidLimit("Must be a list of symbols.")
    symbols: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise InvalidLimit("Every symbol must be a non-empty string.")
        # Symbols are case-sensitive in the instruments table: keep them exact, only trim.
        symbol = item.strip()
        if len(symbol) > 64:
            raise InvalidLimit("A symbol has at most 64 characters.")
        if symbol not in symbols:
            symbols.append(symbol)
    return sorted(symbols)


def audit_value(value: Any) -> Any:
    """A limit value as stored in LimitChange: decimals as plain strings, lists as lists, None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("not a limit value")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return str(value)
