"""Per-scope figures of one order: projected position, notionals, gross/net exposure and margin.

Computed lazily and at most once per (order, scope), because several rules share them. A figure
that cannot be computed (no mark, no FX rate, unknown held instrument) is a `Missing`, which the
rules turn into a violation: a limit that cannot be evaluated rejects (fail closed).

Reservations: the order's instrument counts the open reservations on the order's side (the
contract's projected position). Every other instrument counts its worse side: whichever of
position + open buys or position - open sells is larger in absolute value, since either may fill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from limits.engine import fmt
from limits.engine.orders import ValidatedOrder
from limits.engine.snapshot import InstrumentRef, ScopeState, Snapshot, fresh_mark, fx_rate
from limits.engine.types import ZERO


@dataclass(frozen=True, slots=True)
class Missing:
    """Data needed for a figure is absent; `code` is missing_price, missing_fx_rate or unknown_instrument."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Book:
    """Aggregates of a scope in its base currency, before and after the order."""

    gross_before: Decimal
    gross_after: Decimal
    net_before: Decimal
    net_after: Decimal
    margin_before: Decimal
    margin_after: Decimal


def worst_side(scope: ScopeState, symbol: str) -> Decimal:
    position = scope.positions.get(symbol, ZERO)
    longest = position + scope.reserved_buy.get(symbol, ZERO)
    shortest = position - scope.reserved_sell.get(symbol, ZERO)
    return longest if abs(longest) >= abs(shortest) else shortest


def margin_of(
    snapshot: Snapshot, instrument: InstrumentRef, quantity: Decimal, notional: Decimal, fx: Decimal
) -> Decimal | Missing:
    """Initial margin of a position in base currency (notional already in base).

    Linear instruments: |notional| x margin_rate. Options: a long pays its premium, so the margin is
    the premium itself (|notional|); a short is margined like the underlying it may deliver:
    |quantity| x multiplier x underlying mark x margin_rate.
    """
    if instrument.asset_class != "option":
        return abs(notional) * instrument.margin_rate
    if quantity >= 0:
        return abs(notional)
    underlying = instrument.underlying or ""
    mark = fresh_mark(snapshot, underlying)
    if mark is None:
        return Missing(
            "missing_price", fmt.missing_mark(underlying or f"the underlying of {instrument.symbol}")
        )
    return -quantity * instrument.multiplier * mark * fx * instrument.margin_rate


def build_book(
    snapshot: Snapshot,
    scope: ScopeState,
    symbol: str | None,
    price: Decimal | None,
    before: Decimal,
    after: Decimal,
) -> Book | Missing:
    """Gross, net and margin of `scope`; `symbol` (if given) is valued at `price` with the given
    before/after quantities, every other symbol at its fresh mark and worst side."""
    base = scope.base_currency
    instruments = snapshot.instruments
    gross_b = gross_a = net_b = net_a = margin_b = margin_a = ZERO
    symbols: set[str] = set(scope.positions)
    symbols.update(scope.reserved_buy)
    symbols.update(scope.reserved_sell)
    if symbol is not None:
        symbols.add(symbol)
    fx_cache: dict[str, Decimal | None] = {}
    for sym in symbols:
        if sym == symbol:
            q_b, q_a, px = before, after, price
        else:
            q_b = q_a = worst_side(scope, sym)
            px = None
        if q_b == 0 and q_a == 0:
            continue
        instrument = instruments.get(sym)
        if instrument is None:
            return Missing("unknown_instrument", fmt.unknown_instrument(sym))
        if px is None:
            px = fresh_mark(snapshot, sym)
            if px is None:
                return Missing("missing_price", fmt.missing_mark(sym))
        ccy = instrument.currency
        if ccy in fx_cache:
            fx = fx_cache[ccy]
        else:
            fx = fx_cache[ccy] = fx_rate(snapshot, ccy, base)
        if fx is None:
            return Missing("missing_fx_rate", fmt.missing_fx(ccy, base))
        unit = px * instrument.multiplier * fx
        n_b = q_b * unit
        gross_b += abs(n_b)
        net_b += n_b
        m = margin_of(snapshot, instrument, q_b, n_b, fx)
        if isinstance(m, Missing):
            return m
        margin_b += m
        if q_a == q_b:
            n_a = n_b
        else:
            n_a = q_a * unit
            m = margin_of(snapshot, instrument, q_a, n_a, fx)
            if isinstance(m, Missing):
                return m
        gross_a += abs(n_a)
        net_a += n_a
        margin_a += m
    return Book(gross_b, gross_a, abs(net_b), abs(net_a), margin_b, margin_a)


def cash_in_base(snapshot: Snapshot, cash: Mapping[str, Decimal], base: str) -> Decimal | Missing:
    total = ZERO
    for ccy, amount in cash.items():
        if not amount:
            continue
        fx = fx_rate(snapshot, ccy, base)
        if fx is None:
            return Missing("missing_fx_rate", fmt.missing_fx(ccy, base))
        total += amount * fx
    return total


class ScopeEval:
    """The order seen from one scope. Cheap fields are eager; the rest are computed on first use."""

    __slots__ = (
        "_book",
        "_equity",
        "_fx",
        "before",
        "current",
        "order",
        "projected",
        "risk_increasing",
        "scope",
        "snapshot",
    )

    def __init__(self, snapshot: Snapshot, order: ValidatedOrder, scope: ScopeState) -> None:
        self.snapshot = snapshot
        self.order = order
        self.scope = scope
        current = scope.positions.get(order.symbol, ZERO)
        if order.side == "buy":
            before = current + scope.reserved_buy.get(order.symbol, ZERO)
        else:
            before = current - scope.reserved_sell.get(order.symbol, ZERO)
        projected = before + order.signed_quantity
        self.current = current
        self.before = before
        self.projected = projected
        self.risk_increasing = abs(projected) > abs(current) or (
            current != 0 and projected != 0 and (current > 0) != (projected > 0)
        )
        self._fx: Decimal | Missing | None = None
        self._book: Book | Missing | None = None
        self._equity: Decimal | Missing | None = None

    @property
    def reduces_before(self) -> bool:
        """The order moves the reservation-inclusive position toward zero without crossing it:
        such an order may proceed even when a position limit is already exceeded."""
        before, after = self.before, self.projected
        return abs(after) < abs(before) and (after == 0 or (after > 0) == (before > 0))

    @property
    def priced(self) -> bool:
        """False when the order itself has no instrument or price (already rejected by order rules)."""
        return self.order.price is not None and self.order.instrument is not None

    def fx(self) -> Decimal | Missing:
        """Rate from the order's instrument currency to this scope's base currency."""
        if self._fx is None:
            instrument = self.order.instrument
            assert instrument is not None
            base = self.scope.base_currency
            rate = fx_rate(self.snapshot, instrument.currency, base)
            self._fx = (
                rate
                if rate is not None
                else Missing("missing_fx_rate", fmt.missing_fx(instrument.currency, base))
            )
        return self._fx

    def unit_value(self) -> Decimal | Missing:
        """Base-currency value of one unit of the order's instrument at the order's price."""
        fx = self.fx()
        if isinstance(fx, Missing):
            return fx
        instrument = self.order.instrument
        price = self.order.price
        assert instrument is not None
        assert price is not None
        return price * instrument.multiplier * fx

    def book(self) -> Book | Missing:
        if self._book is None:
            self._book = build_book(
                self.snapshot, self.scope, self.order.symbol, self.order.price, self.before, self.projected
            )
        return self._book

    def equity(self) -> Decimal | Missing:
        """Cash + unrealized P&L in base currency."""
        if self._equity is None:
            cash = cash_in_base(self.snapshot, self.scope.cash, self.scope.base_currency)
            self._equity = cash if isinstance(cash, Missing) else cash + self.scope.unrealized_pnl
        return self._equity
