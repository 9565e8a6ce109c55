"""Demo limits for `load_demo`: realistic limits on every account, the first strategy of each
account and every group. Idempotent: a second run changes nothing and writes no history.

Amounts are set in USD and converted to each scope's base currency with the stored FX rates
(a rough fallback table when a rate is missing, rounded to two significant figures: demo values).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import Account, AccountGroup
from limits.models import MONEY_LIMIT_FIELDS, LimitChangeSource
from limits.services import limit_set_update
from positions.models import FxRate

DEMO_REASON = "demo data (load_demo)"

ACCOUNT_LIMITS_USD: dict[str, Any] = {
    "max_order_quantity": "500000",
    "max_order_notional": "1000000",
    "max_position_quantity": "2000000",  # FX positions count currency units
    "max_position_notional": "2500000",
    "max_gross_exposure": "20000000",
    "max_net_exposure": "10000000",
    "max_daily_loss": "250000",
    "max_leverage": "4",
    "max_var": "500000",
    "price_collar_pct": "5",
    "max_orders_per_minute": 600,
    "warn_utilization_pct": "80",
    "restricted_symbols": ["GME", "AMC"],
}
STRATEGY_LIMITS_USD: dict[str, Any] = {
    "max_order_notional": "500000",
    "max_position_notional": "1000000",
    "max_gross_exposure": "5000000",
    "max_daily_loss": "100000",
    "max_orders_per_minute": 120,
}
GROUP_LIMITS_USD: dict[str, Any] = {
    "max_gross_exposure": "50000000",
    "max_net_exposure": "20000000",
    "max_daily_loss": "750000",
    "max_var": "1500000",
    "warn_utilization_pct": "75",
}
# Units of the currency per USD, used only when the database has no rate.
FALLBACK_PER_USD = {"USD": "1", "EUR": "0.92", "GBP": "0.79", "CHF": "0.88", "JPY": "150", "BTC": "0.00002"}


def _per_usd(currency: str, rates: dict[tuple[str, str], Decimal]) -> Decimal:
    if currency == "USD":
        return Decimal(1)
    if ("USD", currency) in rates:
        return rates[("USD", currency)]
    if (currency, "USD") in rates and rates[(currency, "USD")] > 0:
        return 1 / rates[(currency, "USD")]
    return Decimal(FALLBACK_PER_USD.get(currency, "1"))


def _two_significant(value: Decimal) -> Decimal:
    if value == 0:
        return value
    exponent = value.adjusted() - 1
    return value.scaleb(-exponent).quantize(Decimal(1)).scaleb(exponent).normalize()


def _in_currency(values: dict[str, Any], per_usd: Decimal) -> dict[str, Any]:
    converted = dict(values)
    for field in MONEY_LIMIT_FIELDS & set(values):
        amount = _two_significant(Decimal(values[field]) * per_usd)
        # Keep it within the limit precision (10 decimal places) for tiny units such as BTC.
        converted[field] = str(
            max(amount, Decimal("0.0000000001")).quantize(Decimal("0.0000000001")).normalize()
        )
    return converted


@transaction.atomic
def load_demo_limits() -> None:
    """Set the demo limits (only the fields that differ are written, each with a history row)."""
    rates = {(r.base, r.quote): r.rate for r in FxRate.objects.all()}
    for account in Account.objects.prefetch_related("strategies").order_by("code"):
        per_usd = _per_usd(account.base_currency, rates)
        limit_set_update(
            target=account,
            values=_in_currency(ACCOUNT_LIMITS_USD, per_usd),
            reason=DEMO_REASON,
            changed_by=None,
            source=LimitChangeSource.ADMIN,
        )
        strategies = sorted(account.strategies.all(), key=lambda s: s.code)
        if strategies:
            limit_set_update(
                target=strategies[0],
                values=_in_currency(STRATEGY_LIMITS_USD, per_usd),
                reason=DEMO_REASON,
                changed_by=None,
                source=LimitChangeSource.ADMIN,
            )
    for group in AccountGroup.objects.order_by("code"):
        limit_set_update(
            target=group,
            values=_in_currency(GROUP_LIMITS_USD, _per_usd(group.base_currency, rates)),
            reason=DEMO_REASON,
            changed_by=None,
            source=LimitChangeSource.ADMIN,
        )
