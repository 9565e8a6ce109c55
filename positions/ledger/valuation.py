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
from positions.ledger.margin import position_margin
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


def value_position(p: PositionInput, *, base_currency: str, fx: FxTable) -> PositionValuation:
    state = p.state
    if state.quantity != 0 and p.mark is None:
        raise MissingPrice(p.symbol)
    rate = fx.rate(p.currency, base_currency)
    mark = p.mark if p.mark is not None else ZERO
    mv = market_value(state.quantity, mark, p.multiplier) if state.quantity != 0 else ZERO
    upnl = unrealized_pnl(state, mark, p.multiplier) if state.quantity != 0 else ZERO

    day = p.day_state
    if day.quantity == 0:
        upnl_start = ZERO
    else:
        close = p.previous_close if p.previous_close is not None else day.avg_price
        upnl_start = unrealized_pnl(day, close, p.multiplier)
    realized_today = (state.realized_pnl - day.realized_pnl) - (state.fees - day.fees)
    daily = realized_today + upnl - upnl_start

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
            margin_required_base=q10(position_margin(p, mark_value=mv) * rate),
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
