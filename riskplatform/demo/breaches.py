"""A demo day with something to look at: a few limits tightened under what the books use now (over
and near their limits), one account halted and one in reduce-only, and today's reports run again so
the nightly's alerts open. Without it the demo opens all green and none of the highlighting shows.

Idempotent: the limits are set to fractions of today's figures (a second run writes no history when
nothing moved) and the states are set only when they differ.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from accounts.models import Account, TradingState
from analytics.selectors import latest_var_99
from analytics.services.reports import risk_reports_run
from limits.checks.book import book_snapshot
from limits.engine.exposure import holdings
from limits.engine.types import Missing
from limits.services import limit_set_update, trading_state_set
from positions.clock import current_trading_date
from riskplatform.demo.universe import ADMIN_USERNAME

REASON = "demo: a day with breaches (load_demo)"
# (account, limit, fraction of today's figure): above 1 leaves it near the limit, below 1 over it.
# Gross exposure as the check measures it (with open orders), VaR from the latest report.
TIGHTENED = (
    ("EQ-US-01", "max_gross_exposure", Decimal("0.90")),
    ("MACRO-01", "max_var", Decimal("0.85")),
    ("CRYPTO-01", "max_gross_exposure", Decimal("1.15")),
    ("VOL-US-01", "max_var", Decimal("1.10")),
)
STATES = (
    ("FX-01", TradingState.HALTED, "demo: stale FX feed"),
    ("EQ-EU-02", TradingState.REDUCE_ONLY, "demo: drawdown"),
)


def _round(value: Decimal) -> Decimal:
    """Two significant figures: limits a person would set."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted() - 1
    return value.scaleb(-exponent).quantize(Decimal(1)).scaleb(exponent).normalize()


def load_demo_breaches() -> None:
    admin = get_user_model().objects.filter(username=ADMIN_USERNAME).first()
    accounts = {a.code: a for a in Account.objects.filter(code__in=[c for c, *_ in (*TIGHTENED, *STATES)])}
    touched: list[int] = []
    for code, field, fraction in TIGHTENED:
        account = accounts.get(code)
        if account is None:
            continue
        if field == "max_var":
            current = latest_var_99(account_id=account.pk, currency=account.base_currency)
        else:
            snapshot = book_snapshot(account=account)
            held = holdings(snapshot, snapshot.account)
            current = None if isinstance(held, Missing) else held.gross
        if current is None or current <= 0:
            continue  # nothing to breach
        limit_set_update(
            target=account,
            values={field: str(_round(current * fraction))},
            reason=REASON,
            changed_by=admin,
        )
        touched.append(account.pk)
    for code, state, reason in STATES:
        account = accounts.get(code)
        if account is not None and account.trading_state != state:
            trading_state_set(target=account, state=state, reason=reason, changed_by=admin)
    if touched:
        # Today's reports again, for the tightened accounts: the nightly's alerts open on them.
        risk_reports_run(as_of=current_trading_date(), account_ids=touched)
