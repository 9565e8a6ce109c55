"""How every app's admin writes numbers and JSON: money with its currency to the cent, quantities
without the ten stored decimals, JSON documents as tables. In accounts, the lowest layer, so that
every admin can use it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from accounts.api.fields import cents


def money(value: Any, currency: str = "") -> str:
    """1234567.8912 -> "1,234,567.89 USD"; None -> "-"."""
    if value is None:
        return "-"
    text = f"{cents(Decimal(str(value))):,.2f}"
    return f"{text} {currency}".strip()


def quantity(value: Any) -> str:
    """A stored decimal without its trailing zeros: 500000.0000000000 -> "500,000"."""
    if value is None:
        return "-"
    return f"{Decimal(str(value)).normalize():,f}"


def _cell(value: Any) -> SafeString:
    if isinstance(value, Mapping | list | tuple):
        return json_table(value)
    if isinstance(value, float):
        return format_html("{}", f"{value:,.2f}")
    return format_html("{}", "" if value is None else value)


def json_table(value: Any) -> SafeString:
    """A JSON document as an HTML table: an object as key/value rows, a list of objects as rows under
    the union of their keys, nested documents as tables in their cells; scalars as text."""
    if isinstance(value, Mapping):
        if not value:
            return mark_safe('<span class="quiet">(empty)</span>')
        rows = format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", ((k, _cell(v)) for k, v in value.items())
        )
        return format_html('<table class="json">{}</table>', rows)
    if isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            return mark_safe('<span class="quiet">(empty)</span>')
        if all(isinstance(item, Mapping) for item in value):
            columns = list(dict.fromkeys(key for item in value for key in item))
            head = format_html_join("", "<th>{}</th>", ((c,) for c in columns))
            body = format_html_join(
                "",
                "<tr>{}</tr>",
                (
                    (format_html_join("", "<td>{}</td>", ((_cell(item.get(c)),) for c in columns)),)
                    for item in value
                ),
            )
            return format_html('<table class="json"><tr>{}</tr>{}</table>', head, body)
        return format_html_join(", ", "{}", ((_cell(item),) for item in value))
    return _cell(value)
