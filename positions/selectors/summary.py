"""The account summary: valuation, margin and the figures other apps contribute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from accounts.models import Account
from positions.ledger.fx import FxTable
from positions.selectors.valuation import account_valuation
from positions.summary_extensions import summary_extension


@dataclass(frozen=True)
class AccountSummary:
    base_currency: str
    cash: Decimal
    equity: Decimal
    gross_exposure: Decimal
    net_exposure: Decimal
    leverage: Decimal | None
    daily_pnl: Decimal
    realized_pnl_today: Decimal
    unrealized_pnl: Decimal
    margin_required: Decimal
    margin_excess: Decimal
    var_99: Any
    utilization: dict[str, Any]


def account_summary(
    *, account: Account, fx: FxTable | None = None, now: datetime | None = None
) -> AccountSummary:
    """Everything `GET /accounts/{code}/summary/` shows. Raises MissingPrice / MissingFxRate."""
    valuation = account_valuation(account=account, fx=fx, now=now)
    margin = summary_extension(
        "margin_required", account=account, valuation=valuation, default=valuation.margin_required
    )
    return AccountSummary(
        base_currency=valuation.base_currency,
        cash=valuation.cash,
        equity=valuation.equity,
        gross_exposure=valuation.gross_exposure,
        net_exposure=valuation.net_exposure,
        leverage=valuation.leverage,
        daily_pnl=valuation.daily_pnl,
        realized_pnl_today=valuation.realized_pnl_today,
        unrealized_pnl=valuation.unrealized_pnl,
        margin_required=margin,
        margin_excess=valuation.equity - margin,
        var_99=summary_extension("var_99", account=account, valuation=valuation, default=None),
        utilization=summary_extension("utilization", account=account, valuation=valuation, default={}),
    )
