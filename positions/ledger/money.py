"""Money: a Decimal amount with its currency.

Adding or comparing two currencies without an FX conversion is a bug we want to find early: mypy
sees the `Money` type everywhere, and the currency check runs on every operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Self


class CurrencyMismatchError(ValueError):
    """Two amounts in different currencies were combined without an FX conversion."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"cannot combine {left} with {right} without an FX rate")
        self.left = left
        self.right = right


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be Decimal, got {type(self.amount).__name__}")
        if not self.currency:
            raise ValueError("Money needs a currency")

    @classmethod
    def zero(cls, currency: str) -> Self:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, Money | float):
            raise TypeError("Money can only be scaled by a Decimal or int")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def converted(self, rate: Decimal, to_currency: str) -> Money:
        """This amount in `to_currency`, where `rate` is units of `to_currency` per unit of ours."""
        return Money(self.amount * rate, to_currency)

    def quantized(self, places: int = 2) -> Money:
        return Money(self.amount.quantize(Decimal(1).scaleb(-places)), self.currency)

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


def money_sum(amounts: list[Money] | tuple[Money, ...], currency: str) -> Money:
    """Sum of amounts that must all be in `currency` (an empty sum is zero in that currency)."""
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total
