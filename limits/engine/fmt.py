"""Message formatting: thousands separators, currencies, and the shared "missing data" texts.

Missing-data messages come from one place so that several rules hitting the same gap produce
identical findings, which the collector then reports once.
"""

from __future__ import annotations

from decimal import Decimal


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def qty(quantity: Decimal) -> str:
    text = f"{quantity.normalize():,f}"
    return text


def pct(value: Decimal) -> str:
    return f"{value:,.2f}%"


def ratio(value: Decimal) -> str:
    return f"{value:,.2f}x"


def missing_mark(symbol: str) -> str:
    return f"No current mark for {symbol} (missing or older than the maximum mark age)"


def missing_fx(from_ccy: str, to_ccy: str) -> str:
    return f"No FX rate from {from_ccy} to {to_ccy}"


def unknown_instrument(symbol: str) -> str:
    return f"Unknown instrument {symbol}"
