"""Vocabulary shared by every module of the engine: literals and the finding record."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Side = Literal["buy", "sell"]
OrderType = Literal["limit", "market"]
ScopeKind = Literal["strategy", "account", "group"]
TradingState = Literal["active", "reduce_only", "halted"]
AssetClass = Literal["equity", "future", "option", "fx", "crypto"]
OptionType = Literal["call", "put"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Missing:
    """Data needed for a figure is absent; `code` is missing_price, missing_fx_rate or unknown_instrument."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation or warning, in the shape of the contract's `violations`/`warnings` items.

    `limit` and `value` are raw Decimals (money in the scope's base currency); the API renders them.
    `scope_code` names which strategy/account/group it is (an extra field the contract welcomes).
    """

    code: str
    scope: ScopeKind
    scope_code: str
    message: str
    limit: Decimal | None = None
    value: Decimal | None = None
