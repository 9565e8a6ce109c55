"""Valuing an account from plain data: positions, marks, closes, cash and an FX table. Pure, no Django.

Per position (instrument currency, then converted to the account's base currency at the latest rate):
- market value = quantity x mark x multiplier (signed; for options the premium);
- unrealized P&L = (mark - avg price) x quantity x multiplier;
- gross exposure = sum of |market value|, net exposure = sum of market value. Options count at their
  premium (market value), not delta-adjusted: a deliberate simplification, the Greeks endpoint gives
  the delta view.
- equity = cash + unrealized P&L; leverage = gross exposure / equity, None when equity <= 0.

Daily P&L (since the start of the risk day, see tradingday.py):
    daily = (realized today - fees today) + unrealized now - unrealized at the day start
where "today" is the difference between the position now and its state at the day start
(`day_state`: quantity, avg price, realized P&L and fees when the day began), and the unrealized P&L
at the day start values `day_state` at the previous close (the latest daily close dated before the
risk day's trading date). This equals the mark-to-market change of the book since the day start net
of fees, because realized + unrealized = marked value - cost of all fills, at any time. A position
opened today has a flat `day_state`, so only today's fills count. A position held over the day
start without a previous close is taken at its entry price (unrealized 0 at the day start), so the
whole unrealized P&L shows as today's: conservative for the daily-loss limit.
`realized_pnl_today` is reported net of today's fees, so daily = realized today + unrealized change.

A non-flat position without a mark raises MissingPrice; a currency without an FX path to the base
currency raises MissingFxRate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext

from positions.ledger.errors import MissingPrice
from positions.ledger.fx import FxTable
from positions.ledger.margin import initial_margin
from positions.ledger.numbers import WIDE, q10
from positions.ledger.position import PositionState, market_value, unrealized_pnl

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PositionInput:
    """One position with everything needed to value it."""

    symbol: str
    strategy: str | None
    currency: str
    multiplier: Decimal
    asset_class: str
    margin_rate: Decimal
    state: PositionState
    day_state: PositionState
    mark: Decimal | None = None
    mark_as_of: datetime | None = None
    previous_close: Decimal | None = None
    underlying_symbol: str | None = None
    underlying_mark: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PositionValuation:
    symbol: str
    strategy: str | None
    quantity: Decimal
    avg_price: Decimal
    realized_pnl: Decimal
    fees: Decimal
    mark_price: Decimal | None
    mark_as_of: datetime | None
    market_value: Decimal  # instrument currency, signed
    market_value_base: Decimal
    unrealized_pnl: Decimal  # instrument currency
    unrealized_pnl_base: Decimal
    realized_pnl_today_base: Decimal  # net of today's fees
    daily_pnl_base: Decimal
    margin_required_base: Decimal
    currency: str
    multiplier: Decimal
    asset_class: str


@dataclass(frozen=True, slots=True)
class AccountValuation:
    base_currency: str
    cash: Decimal
    unrealized_pnl: Decimal
    equity: Decimal
    gross_exposure: Decimal
    net_exposure: Decimal
    leverage: Decimal | None
    realized_pnl_today: Decimal
    daily_pnl: Decimal
    margin_required: Decimal
    positions: tuple[PositionValuation, ...]

    @property
    def margin_excess(self) -> Decimal:
        return self.equity - self.margin_required


@dataclass(frozen=True, slots=True)
class BookLine:
    """One instrument's positions in a book, summed: the position's state now and at the day start as
    the linear aggregates unrealized and daily P&L are computed from. Every figure here is linear in
    these sums, so a line of many positions (a strategy's, an account's, a desk's) values exactly as
    the sum of its positions valued one by one.

    cost = sum of quantity x avg price; day_cost = sum of day-start quantity x day-start avg price;
    realized_today / fees_today = realized P&L (before fees) and fees since the day start.
    """

    quantity: Decimal = ZERO
    cost: Decimal = ZERO
    realized_today: Decimal = ZERO
    fees_today: Decimal = ZERO
    day_quantity: Decimal = ZERO
    day_cost: Decimal = ZERO

    def __add__(self, other: BookLine) -> BookLine:
        with localcontext(WIDE):
            return BookLine(
                self.quantity + other.quantity,
                self.cost + other.cost,
                self.realized_today + other.realized_today,
                self.fees_today + other.fees_today,
                self.day_quantity + other.day_quantity,
                self.day_cost + other.day_cost,
            )


def book_line(state: PositionState, day_state: PositionState) -> BookLine:
    """The line of one position whose state at the day start was `day_state` (see
    book.effective_day_state)."""
    with localcontext(WIDE):
        return BookLine(
            quantity=state.quantity,
            cost=state.quantity * state.avg_price,
            realized_today=state.realized_pnl - day_state.realized_pnl,
            fees_today=state.fees - day_state.fees,
            day_quantity=day_state.quantity,
            day_cost=day_state.quantity * day_state.avg_price,
        )


def line_unrealized_pnl(line: BookLine, mark: Decimal, multiplier: Decimal) -> Decimal:
    """(mark x quantity - cost) x multiplier, in the instrument's currency."""
    with localcontext(WIDE):
        return (mark * line.quantity - line.cost) * multiplier


def line_daily_pnl(
    line: BookLine, *, mark: Decimal | None, previous_close: Decimal | None, multiplier: Decimal
) -> Decimal:
    """Daily P&L of the line in the instrument's currency: realized today - fees today + unrealized
    now - unrealized at the day start (the day-start book valued at the previous close; without one,
    at its entry price, i.e. unrealized 0 at the day start). A flat line needs no mark."""
    with localcontext(WIDE):
        now = line_unrealized_pnl(line, mark, multiplier) if mark is not None else ZERO
        start = (
            (previous_close * line.day_quantity - line.day_cost) * multiplier
            if previous_close is not None
            else ZERO
        )
        return line.realized_today - line.fees_today + now - start


def value_position(p: PositionInput, *, base_currency: str, fx: FxTable) -> PositionValuation:
    state = p.state
    if state.quantity != 0 and p.mark is None:
        raise MissingPrice(p.symbol)
    rate = fx.rate(p.currency, base_currency)
    mark = p.mark if p.mark is not None else ZERO
    mv = market_value(state.quantity, mark, p.multiplier) if state.quantity != 0 else ZERO
    upnl = unrealized_pnl(state, mark, p.multiplier) if state.quantity != 0 else ZERO
    line = book_line(state, p.day_state)
    realized_today = line.realized_today - line.fees_today
    daily = line_daily_pnl(
        line,
        mark=p.mark if state.quantity != 0 else None,
        previous_close=p.previous_close,
        multiplier=p.multiplier,
    )
    underlying_value = (
        abs(state.quantity) * p.underlying_mark * p.multiplier if p.underlying_mark is not None else None
    )

    with localcontext(WIDE):
        return PositionValuation(
            symbol=p.symbol,
            strategy=p.strategy,
            quantity=state.quantity,
            avg_price=state.avg_price,
            realized_pnl=state.realized_pnl,
            fees=state.fees,
            mark_price=p.mark,
            mark_as_of=p.mark_as_of,
            market_value=mv,
            market_value_base=q10(mv * rate),
            unrealized_pnl=upnl,
            unrealized_pnl_base=q10(upnl * rate),
            realized_pnl_today_base=q10(realized_today * rate),
            daily_pnl_base=q10(daily * rate),
            margin_required_base=q10(
                initial_margin(
                    asset_class=p.asset_class,
                    quantity=state.quantity,
                    market_value=mv,
                    margin_rate=p.margin_rate,
                    underlying_value=underlying_value,
                    underlying=p.underlying_symbol or f"underlying of {p.symbol}",
                )
                * rate
            ),
            currency=p.currency,
            multiplier=p.multiplier,
            asset_class=p.asset_class,
        )


def value_account(
    *,
    base_currency: str,
    positions: Sequence[PositionInput],
    cash: Sequence[tuple[str, Decimal]],
    fx: FxTable,
) -> AccountValuation:
    """The account's figures in `base_currency`; `cash` is (currency, amount) per balance."""
    valued = tuple(value_position(p, base_currency=base_currency, fx=fx) for p in positions)
    with localcontext(WIDE):
        cash_base = q10(sum((fx.convert(amount, ccy, base_currency) for ccy, amount in cash), ZERO))
        unrealized = sum((v.unrealized_pnl_base for v in valued), ZERO)
        equity = cash_base + unrealized
        gross = sum((abs(v.market_value_base) for v in valued), ZERO)
        net = sum((v.market_value_base for v in valued), ZERO)
        leverage = q10(gross / equity) if equity > 0 else None
        return AccountValuation(
            base_currency=base_currency,
            cash=cash_base,
            unrealized_pnl=unrealized,
            equity=equity,
            gross_exposure=gross,
            net_exposure=net,
            leverage=leverage,
            realized_pnl_today=sum((v.realized_pnl_today_base for v in valued), ZERO),
            daily_pnl=sum((v.daily_pnl_base for v in valued), ZERO),
            margin_required=sum((v.margin_required_base for v in valued), ZERO),
            positions=valued,
        )
