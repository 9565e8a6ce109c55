"""The JSON shape of violations and warnings, stored with each decision and returned as-is on replay."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounts.api.fields import cents
from limits.engine.types import Finding

# Codes whose limit/value are counts or quantities; every other figure is money, a percentage or a
# ratio and is shown with two decimals.
QUANTITY_CODES = frozenset({"order_quantity", "position_quantity", "reduce_only", "order_rate"})


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: "100", "0.0001"."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def figure(code: str, value: Decimal | None) -> str | None:
    if value is None:
        return None
    if code in QUANTITY_CODES:
        return plain(value)
    return format(cents(value), "f")


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "scope": finding.scope,
        "scope_code": finding.scope_code,
        "message": finding.message,
        "limit": figure(finding.code, finding.limit),
        "value": figure(finding.code, finding.value),
    }
