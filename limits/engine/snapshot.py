"""The data a check needs, built by the caller (Django) from the database and Redis.

Everything is plain and immutable by convention: the engine never mutates a snapshot; batch
evaluation derives new ones with `dataclasses.replace`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from limits.engine.types import ZERO, AssetClass, Missing, OptionType, ScopeKind, TradingState


@dataclass(frozen=True, slots=True)
class InstrumentRef:
    """Reference data of one instrument. For options `underlying` names another instrument."""

    symbol: str
    asset_class: AssetClass
    currency: str
    multiplier: Decimal = Decimal(1)
    margin_rate: Decimal = ZERO
    underlying: str | None = None
    option_type: OptionType | None = None
    strike: Decimal | None = None
    expiry: date | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    price: Decimal
    as_of: datetime


@dataclass(frozen=True, slots=True)
class Limits:
    """The contract's limit fields for one scope; None means "no limit"."""

    max_order_quantity: Decimal | None = None
    max_order_notional: Decimal | None = None
    max_position_quantity: Decimal | None = None
    max_position_notional: Decimal | None = None
    max_gross_exposure: Decimal | None = None
    max_net_exposure: Decimal | None = None
    max_daily_loss: Decimal | None = None
    max_leverage: Decimal | None = None
    max_var: Decimal | None = None
    price_collar_pct: Decimal | None = None
    max_orders_per_minute: int | None = None
    warn_utilization_pct: Decimal = Decimal(80)
    restricted_symbols: frozenset[str] = frozenset()


NO_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class ScopeState:
    """One strategy, account or group as the engine sees it.

    positions: signed quantity per symbol held in this scope (strategy: the strategy's positions;
        account: all of the account's; group: the sum over the group's accounts).
    reserved_buy / reserved_sell: open (accepted, unfilled, unreleased) reservations per symbol,
        as positive quantities per side, over the same population as `positions`.
    cash: balances per currency; converted to `base_currency` with the snapshot's FX rates.
        A strategy has no capital of its own: pass its account's cash and unrealized P&L.
    unrealized_pnl, daily_pnl: in `base_currency`; daily_pnl is today's realized + unrealized.
    orders_last_minute: orders already counted in the last minute (from Redis), excluding this one.
    latest_var: the latest stored VaR in `base_currency`, or None when no report exists.
    """

    kind: ScopeKind
    code: str
    base_currency: str
    trading_state: TradingState = "active"
    limits: Limits = NO_LIMITS
    positions: Mapping[str, Decimal] = field(default_factory=dict)
    reserved_buy: Mapping[str, Decimal] = field(default_factory=dict)
    reserved_sell: Mapping[str, Decimal] = field(default_factory=dict)
    cash: Mapping[str, Decimal] = field(default_factory=dict)
    unrealized_pnl: Decimal = ZERO
    daily_pnl: Decimal = ZERO
    orders_last_minute: int = 0
    latest_var: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Holdings:
    """A scope's book without any new order: per symbol its worst-side signed notional and
    margin in base currency, with the totals. Built once per (snapshot, scope) by
    exposure.holdings and reused by every check on that snapshot, so a check only revalues the
    order's own instrument."""

    per_symbol: Mapping[str, tuple[Decimal, Decimal]]
    gross: Decimal
    net: Decimal  # signed
    margin: Decimal


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a check of orders for one account needs.

    strategies: the account's strategies that orders may name (only those needed).
    groups: every group the account belongs to.
    fx_rates: (base, quote) -> rate, meaning 1 base = rate quote; either direction is used.
    Marks older than `max_mark_age` at `now` count as missing.
    """

    now: datetime
    account: ScopeState
    instruments: Mapping[str, InstrumentRef]
    marks: Mapping[str, Mark]
    fx_rates: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    strategies: Mapping[str, ScopeState] = field(default_factory=dict)
    groups: tuple[ScopeState, ...] = ()
    max_mark_age: timedelta = timedelta(minutes=15)
    # Valued holdings per scope (see exposure.holdings); never copied by dataclasses.replace.
    _holdings: dict[int, tuple[ScopeState, Holdings | Missing]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )


def fx_rate(snapshot: Snapshot, from_ccy: str, to_ccy: str) -> Decimal | None:
    """Units of `to_ccy` per unit of `from_ccy`, or None when no rate is known (never 1.0)."""
    if from_ccy == to_ccy:
        return Decimal(1)
    rates = snapshot.fx_rates
    direct = rates.get((from_ccy, to_ccy))
    if direct is not None and direct > 0:
        return direct
    inverse = rates.get((to_ccy, from_ccy))
    if inverse is not None and inverse > 0:
        return 1 / inverse
    return None


def fresh_mark(snapshot: Snapshot, symbol: str) -> Decimal | None:
    """The latest mark if present, positive and not older than max_mark_age; else None."""
    mark = snapshot.marks.get(symbol)
    if mark is None or mark.price <= 0 or snapshot.now - mark.as_of > snapshot.max_mark_age:
        return None
    return mark.price
