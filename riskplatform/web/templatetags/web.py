"""Template filters of the pages: money with its currency (to the cent, half to even, as the API
rounds), quantities without trailing zeros, percentages, and a limit's figure in its unit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from accounts.api.fields import cents

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


@register.filter
def money(value: Any, currency: str = "") -> str:
    """1234567.891 -> "1,234,567.89 USD"; None -> "—"."""
    number = _decimal(value)
    if number is None:
        return "—"
    text = f"{cents(number):,.2f}"
    return f"{text} {currency}" if currency else text


@register.filter
def qty(value: Any) -> str:
    number = _decimal(value)
    if number is None:
        return "—"
    text = f"{number.normalize():,f}"
    return text


@register.filter
def pct(value: Any) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{cents(number):,.2f}%"


@register.filter
def figure(value: Any, unit_and_currency: str) -> str:
    """A limit's figure written in its unit: "money:USD", "quantity", "ratio", "percent", "count"."""
    unit, _, currency = unit_and_currency.partition(":")
    number = _decimal(value)
    if number is None:
        return "—"
    if unit == "money":
        return money(number, currency)
    if unit == "ratio":
        return f"{cents(number):,.2f}x"
    if unit == "percent":
        return f"{number.normalize():f}%"
    return qty(number)


@register.filter
def bar_width(value: Any) -> str:
    """A utilization percent as the width of its bar (0-100, an SVG attribute, never inline style)."""
    number = _decimal(value)
    if number is None:
        return "0"
    return f"{max(Decimal(0), min(Decimal(100), number)):.1f}"


@register.filter
def sort_key(value: Any) -> str:
    """A number for the sortable tables' data-sort attribute (unknown sorts last)."""
    number = _decimal(value)
    return "" if number is None else f"{number.normalize():f}"


@register.filter
def signed_class(value: Any) -> str:
    number = _decimal(value)
    if number is None or number == 0:
        return ""
    return "neg" if number < 0 else "pos"
