"""Risk figures limits reads but analytics computes, without limits importing analytics.

analytics (a higher layer) registers its reader at start-up (AnalyticsConfig.ready). Without one, the
figure is unknown: a max_var limit then shows no utilization and the check gives no max_var warning.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

# (account id, currency) -> the 99% 1-day VaR of the account's latest successful risk report in that
# currency, or None.
LatestVar = Callable[[int, str], Decimal | None]


def _unknown(account_id: int, currency: str) -> Decimal | None:
    return None


_latest_var: LatestVar = _unknown


def register_latest_var(reader: LatestVar) -> None:
    global _latest_var
    _latest_var = reader


def latest_var(account_id: int, currency: str) -> Decimal | None:
    """The account's latest 99% VaR in `currency` (its base currency), or None."""
    return _latest_var(account_id, currency)
