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
from limits.engine.snapshot import Holdings, InstrumentRef, ScopeState, Snapshot, fresh_mark, fx_rate
from limits.engine.types import ZERO, Missing
from positions.ledger.margin import initial_margin


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
    """Initial margin of a position in base currency (notional already in base), by the one method
    the summary and the nightly report use too (positions/ledger/margin.py). A short option needs its
    underlying's fresh mark."""
    underlying_value = None
    if instrument.asset_class == "option" and quantity < 0:
        underlying = instrument.underlying or ""
        mark = fresh_mark(snapshot, underlying)
        if mark is None:
            return Missing(
                "missing_price", fmt.missing_mark(underlying or f"the underlying of {instrument.symbol}")
            )
        underlying_value = -quantity * instrument.multiplier * mark * fx
    return initial_margin(
        asset_class=instrument.asset_class,
        quantity=quantity,
        market_value=notional,
        margin_rate=instrument.margin_rate,
        underlying_value=underlying_value,
    )


def _entry(snapshot: Snapshot, scope: ScopeState, symbol: str) -> tuple[Decimal, Decimal] | Missing | None:
    """(signed notional, margin) of `symbol` at its worst side and fresh mark; None if flat."""
    quantity = worst_side(scope, symbol)
    if not quantity:
        return None
    instrument = snapshot.instruments.get(symbol)
    if instrument is None:
        return Missing("unknown_instrument", fmt.unknown_instrument(symbol))
    price = fresh_mark(snapshot, symbol)
    if price is None:
        return Missing("missing_price", fmt.missing_mark(symbol))
    fx = fx_rate(snapshot, instrument.currency, scope.base_currency)
    if fx is None:
        return Missing("missing_fx_rate", fmt.missing_fx(instrument.currency, scope.base_currency))
    notional = quantity * price * instrument.multiplier * fx
    margin = margin_of(snapshot, instrument, quantity, notional, fx)
    if isinstance(margin, Missing):
        return margin
    return notional, margin


def holdings(snapshot: Snapshot, scope: ScopeState) -> Holdings | Missing:
    """The cached Holdings of `scope` in `snapshot`, or the first datum missing to value it."""
    cached = snapshot._holdings.get(id(scope))
    # The scope is kept in the entry, so a matching id can only be this very object.
    if cached is not None and cached[0] is scope:
        return cached[1]
    symbols: set[str] = set(scope.positions)
    symbols.update(scope.reserved_buy)
    symbols.update(scope.reserved_sell)
    per_symbol: dict[str, tuple[Decimal, Decimal]] = {}
    result: Holdings | Missing | None = None
    gross = net = margin = ZERO
    for symbol in symbols:
        entry = _entry(snapshot, scope, symbol)
        if entry is None:
            continue
        if isinstance(entry, Missing):
            result = entry
            break
        per_symbol[symbol] = entry
        gross += abs(entry[0])
        net += entry[0]
        margin += entry[1]
    if result is None:
        result = Holdings(per_symbol, gross, net, margin)
    snapshot._holdings[id(scope)] = (scope, result)
    return result


def rebook(snapshot: Snapshot, scope: ScopeState, previous: Holdings, symbol: str) -> Holdings | Missing:
    """Holdings of `scope` when only `symbol` changed since `previous` (a reservation was added)."""
    old_notional, old_margin = previous.per_symbol.get(symbol, (ZERO, ZERO))
    entry = _entry(snapshot, scope, symbol)
    if isinstance(entry, Missing):
        return entry
    per_symbol = dict(previous.per_symbol)
    new_notional, new_margin = ZERO, ZERO
    if entry is None:
        per_symbol.pop(symbol, None)
    else:
        per_symbol[symbol] = entry
        new_notional, new_margin = entry
    return Holdings(
        per_symbol,
        previous.gross - abs(old_notional) + abs(new_notional),
        previous.net - old_notional + new_notional,
        previous.margin - old_margin + new_margin,
    )


def build_book(
    snapshot: Snapshot,
    scope: ScopeState,
    instrument: InstrumentRef,
    price: Decimal,
    before: Decimal,
    after: Decimal,
) -> Book | Missing:
    """Gross, net and margin of `scope` before and after an order: the order's instrument valued at
    the order's price with the given quantities, every other symbol as in the scope's Holdings."""
    held = holdings(snapshot, scope)
    if isinstance(held, Missing):
        return held
    base = scope.base_currency
    fx = fx_rate(snapshot, instrument.currency, base)
    if fx is None:
        return Missing("missing_fx_rate", fmt.missing_fx(instrument.currency, base))
    old_notional, old_margin = held.per_symbol.get(instrument.symbol, (ZERO, ZERO))
    gross = held.gross - abs(old_notional)
    net = held.net - old_notional
    margin = held.margin - old_margin
    unit = price * instrument.multiplier * fx
    n_before = before * unit
    n_after = after * unit
    m_before = margin_of(snapshot, instrument, before, n_before, fx)
    if isinstance(m_before, Missing):
        return m_before
    m_after = margin_of(snapshot, instrument, after, n_after, fx)
    if isinstance(m_after, Missing):
        return m_after
    return Book(
        gross + abs(n_before),
        gross + abs(n_after),
        abs(net + n_before),
        abs(net + n_after),
        margin + m_before,
        margin + m_after,
    )


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
            instrument, price = self.order.instrument, self.order.price
            assert instrument is not None
            assert price is not None
            self._book = build_book(self.snapshot, self.scope, instrument, price, self.before, self.projected)
        return self._book

    def equity(self) -> Decimal | Missing:
        """Cash + unrealized P&L in base currency."""
        if self._equity is None:
            cash = cash_in_base(self.snapshot, self.scope.cash, self.scope.base_currency)
            self._equity = cash if isinstance(cash, Missing) else cash + self.scope.unrealized_pnl
        return self._equity
