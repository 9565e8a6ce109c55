"""Decision type states: AcceptedDecision | RejectedDecision; only an accepted one reserves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from limits.engine.orders import ValidatedOrder
from limits.engine.types import Finding, Side

# Decisions are built by the engine only (see check.py), so a Reservation always stems from a check.
_TOKEN = object()


@dataclass(frozen=True, slots=True)
class RiskFigures:
    """The order's risk in the account's book (positions plus open reservations), in the account's
    base currency: parametric VaR before and after the order (limits/engine/risk.py)."""

    method: str
    confidence: float
    horizon_days: int
    lookback_days: int
    currency: str
    var_before: float
    var_after: float

    @property
    def incremental_var(self) -> float:
        return self.var_after - self.var_before


@dataclass(frozen=True, slots=True)
class AcceptedDecision:
    """The order passed every rule of every scope. `notional` and `margin` are the order's own
    figures in the account's base currency (`currency`): what its reservation holds."""

    order: ValidatedOrder
    warnings: tuple[Finding, ...]
    evaluated_at: datetime
    notional: Decimal
    margin: Decimal
    currency: str
    risk: RiskFigures | None
    _token: object = field(repr=False, compare=False)

    decision: Literal["accepted"] = "accepted"
    violations: tuple[Finding, ...] = ()

    def __post_init__(self) -> None:
        if self._token is not _TOKEN:
            raise TypeError("AcceptedDecision is only built by the engine")


@dataclass(frozen=True, slots=True)
class RejectedDecision:
    order: ValidatedOrder
    violations: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    evaluated_at: datetime
    risk: RiskFigures | None = None

    decision: Literal["rejected"] = "rejected"


Decision = AcceptedDecision | RejectedDecision


@dataclass(frozen=True, slots=True)
class Reservation:
    """Exposure held for an accepted order until filled, released or expired.

    signed_quantity: + for a buy, - for a sell; notional is |quantity x price x multiplier| and
    margin the order's own initial margin, both in `currency` (the account's base currency).
    """

    account: str
    strategy: str | None
    symbol: str
    side: Side
    signed_quantity: Decimal
    price: Decimal
    notional: Decimal
    margin: Decimal
    currency: str


def accept(
    order: ValidatedOrder,
    warnings: tuple[Finding, ...],
    evaluated_at: datetime,
    notional: Decimal,
    margin: Decimal,
    currency: str,
    risk: RiskFigures | None,
) -> AcceptedDecision:
    return AcceptedDecision(order, warnings, evaluated_at, notional, margin, currency, risk, _TOKEN)


def reserve(decision: AcceptedDecision) -> Reservation:
    """The reservation of an accepted order. Takes AcceptedDecision only: mypy refuses a rejected one."""
    order = decision.order
    assert order.price is not None
    return Reservation(
        account=order.account,
        strategy=order.strategy,
        symbol=order.symbol,
        side=order.side,
        signed_quantity=order.signed_quantity,
        price=order.price,
        notional=decision.notional,
        margin=decision.margin,
        currency=decision.currency,
    )
