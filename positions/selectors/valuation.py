"""Account state reads: positions, valuation in the base currency, margin.

`account_valuation` costs three queries whatever the number of positions: positions with their
instrument, mark, strategy, underlying's mark and previous close (one query with a subquery); cash
balances; the FX table (none when the caller passes `fx`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import Account
from positions.clock import current_day_start, current_trading_date
from positions.ledger.book import effective_day_state
from positions.ledger.fx import FxTable
from positions.ledger.position import market_value, unrealized_pnl
from positions.ledger.valuation import AccountValuation, PositionInput, value_account
from positions.models import CashBalance, Instrument, Position, Price, PriceHistory
from positions.selectors.fx import load_fx_table
from positions.services.tracked import tracked_from_row


def _mark_of(instrument: Instrument | None) -> Price | None:
    if instrument is None:
        return None
    try:
        return instrument.mark
    except Price.DoesNotExist:
        return None


def _positions_with_market_data(account: Account) -> QuerySet[Position]:
    return Position.objects.filter(account=account).select_related(
        "strategy", "instrument", "instrument__mark", "instrument__underlying", "instrument__underlying__mark"
    )


def positions_for_account(*, account: Account) -> QuerySet[Position]:
    """The account's open positions and the flat ones that still carry realized P&L."""
    return (
        _positions_with_market_data(account)
        .filter(~Q(quantity=0) | ~Q(realized_pnl=0))
        .order_by("instrument__symbol", "strategy__code")
    )


def _position_input(position: Position, day_start: datetime, previous_close: Decimal | None) -> PositionInput:
    instrument = position.instrument
    mark = _mark_of(instrument)
    underlying = instrument.underlying
    underlying_mark = _mark_of(underlying)
    tracked = tracked_from_row(position)
    return PositionInput(
        symbol=instrument.symbol,
        strategy=position.strategy.code if position.strategy else None,
        currency=instrument.currency,
        multiplier=instrument.multiplier,
        asset_class=instrument.asset_class,
        margin_rate=instrument.margin_rate,
        state=tracked.state,
        day_state=effective_day_state(tracked, day_start),
        mark=mark.price if mark else None,
        mark_as_of=mark.as_of if mark else None,
        previous_close=previous_close,
        underlying_symbol=underlying.symbol if underlying else None,
        underlying_mark=underlying_mark.price if underlying_mark else None,
    )


def account_valuation(
    *, account: Account, fx: FxTable | None = None, now: datetime | None = None
) -> AccountValuation:
    """Cash, P&L, exposure, leverage, daily P&L and margin of `account` in its base currency.

    Methods: positions/ledger/valuation.py (daily P&L, exposure) and positions/ledger/margin.py.
    Raises MissingPrice (a non-flat position without a mark; a short option whose underlying has no
    mark) and MissingFxRate (a currency with no rate to the base currency).
    """
    day_start = current_day_start(now)
    previous_close = (
        PriceHistory.objects.filter(instrument=OuterRef("instrument"), date__lt=current_trading_date(now))
        .order_by("-date")
        .values("close")[:1]
    )
    rows: Any = _positions_with_market_data(account).annotate(previous_close=Subquery(previous_close))
    inputs = [
        _position_input(p, day_start, p.previous_close) for p in rows.order_by("instrument__symbol", "id")
    ]
    cash = list(CashBalance.objects.filter(account=account).values_list("currency", "amount"))
    return value_account(
        base_currency=account.base_currency,
        positions=inputs,
        cash=cash,
        fx=fx if fx is not None else load_fx_table(),
    )


def margin_required(
    *, account: Account, fx: FxTable | None = None, valuation: AccountValuation | None = None
) -> Decimal:
    """Initial margin of the account's positions in its base currency (positions/ledger/margin.py)."""
    if valuation is None:
        valuation = account_valuation(account=account, fx=fx)
    return valuation.margin_required


@dataclass(frozen=True)
class PositionRow:
    """A position as listed: valued in its own currency, so no FX rate is needed; without a mark
    the mark, market value and unrealized P&L are None rather than an error."""

    symbol: str
    strategy: str | None
    quantity: Decimal
    avg_price: Decimal
    realized_pnl: Decimal
    fees: Decimal
    mark_price: Decimal | None
    mark_as_of: datetime | None
    market_value: Decimal | None
    unrealized_pnl: Decimal | None
    currency: str
    multiplier: Decimal
    asset_class: str


def position_rows(*, account: Account) -> list[PositionRow]:
    """The listing of `positions_for_account`, valued at the latest marks (one query)."""
    rows = []
    for position in positions_for_account(account=account):
        instrument = position.instrument
        mark = _mark_of(instrument)
        tracked = tracked_from_row(position)
        rows.append(
            PositionRow(
                symbol=instrument.symbol,
                strategy=position.strategy.code if position.strategy else None,
                quantity=position.quantity,
                avg_price=position.avg_price,
                realized_pnl=position.realized_pnl,
                fees=position.fees,
                mark_price=mark.price if mark else None,
                mark_as_of=mark.as_of if mark else None,
                market_value=market_value(position.quantity, mark.price, instrument.multiplier)
                if mark
                else None,
                unrealized_pnl=unrealized_pnl(tracked.state, mark.price, instrument.multiplier)
                if mark
                else None,
                currency=instrument.currency,
                multiplier=instrument.multiplier,
                asset_class=instrument.asset_class,
            )
        )
    return rows
