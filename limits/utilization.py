"""How much of each standing limit an account uses now, for GET /accounts/{code}/summary/.

Computed from the account's valuation (positions/ledger/valuation.py, already in the base currency)
and its effective limits. Order-level limits (order size, price collar) have no standing use and
are not listed; neither is max_orders_per_minute (its counter lives with the check service).
Open reservations are not counted here: this is the use by positions held, not by orders in flight.

The use of `max_var` needs the latest VaR, which the analytics app stores; analytics builds on limits,
so limits does not import it. Limits owns the interface instead, `LatestVar` (account id -> the latest
99% VaR in the base currency, or None), and analytics registers its reader in AnalyticsConfig.ready();
with none registered there is no figure, as for an account without a report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from accounts.models import Account
from limits.selectors import EffectiveLimits, effective_limits

if TYPE_CHECKING:
    from positions.ledger.valuation import AccountValuation

LatestVar = Callable[[int], Decimal | None]

_latest_var: LatestVar | None = None


def register_latest_var(reader: LatestVar | None) -> None:
    """Install the reader of an account's latest 99% VaR (analytics, at start-up); None removes it."""
    global _latest_var
    _latest_var = reader


HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _pct(used: Decimal, limit: Decimal | None) -> Decimal | None:
    """Percent of `limit` in use, to 0.01; None when it cannot be expressed (a zero limit)."""
    if limit is None or limit <= 0:
        return None
    return (used * HUNDRED / limit).quantize(CENT)


def utilization_from_valuation(
    *, limits: EffectiveLimits, valuation: AccountValuation, var: Decimal | None
) -> dict[str, Decimal | None]:
    """{limit name: percent in use} for every standing limit that is set.

    Position limits report the most used instrument (strategies of one symbol summed). A value is
    None when it cannot be computed: leverage with equity at or below zero, max_var without a report,
    a limit of zero.
    """
    quantity: dict[str, Decimal] = defaultdict(Decimal)
    notional: dict[str, Decimal] = defaultdict(Decimal)
    for position in valuation.positions:
        quantity[position.symbol] += position.quantity
        notional[position.symbol] += position.market_value_base
    result: dict[str, Decimal | None] = {}
    if limits.max_position_quantity is not None:
        worst = max((abs(q) for q in quantity.values()), default=Decimal(0))
        result["max_position_quantity"] = _pct(worst, limits.max_position_quantity)
    if limits.max_position_notional is not None:
        worst = max((abs(n) for n in notional.values()), default=Decimal(0))
        result["max_position_notional"] = _pct(worst, limits.max_position_notional)
    if limits.max_gross_exposure is not None:
        result["max_gross_exposure"] = _pct(valuation.gross_exposure, limits.max_gross_exposure)
    if limits.max_net_exposure is not None:
        result["max_net_exposure"] = _pct(abs(valuation.net_exposure), limits.max_net_exposure)
    if limits.max_leverage is not None:
        leverage = valuation.leverage if valuation.equity > 0 else None
        result["max_leverage"] = None if leverage is None else _pct(leverage, limits.max_leverage)
    if limits.max_daily_loss is not None:
        result["max_daily_loss"] = _pct(max(-valuation.daily_pnl, Decimal(0)), limits.max_daily_loss)
    if limits.max_var is not None:
        result["max_var"] = None if var is None else _pct(var, limits.max_var)
    return result


def limit_utilization(
    *, account: Account, valuation: AccountValuation, var: Decimal | None = None
) -> dict[str, Decimal | None]:
    """Percent in use per limit name of `account`'s effective limits (overrides applied).

    `var`: the latest 99% VaR when the caller has it; else the registered `LatestVar` reads it.
    """
    limits = effective_limits(account=account)
    if limits.max_var is not None and var is None and _latest_var is not None:
        var = _latest_var(account.pk)
    return utilization_from_valuation(limits=limits, valuation=valuation, var=var)
