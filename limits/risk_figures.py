"""Risk figures limits reads but analytics computes, without limits importing analytics.

analytics (a higher layer) registers its reader at start-up (AnalyticsConfig.ready). Without one, the
figure is unknown: a max_var limit then shows no utilization and the check gives no max_var warning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

# (account id, currency) -> the 99% 1-day VaR of the account's latest successful risk report in that
# currency, or None.
LatestVar = Callable[[int, str], Decimal | None]


def _unknown(account_id: int, currency: str) -> Decimal | None:
    return None


_latest_var: LatestVar = _unknown


# {account id: currency} -> the same figure for many accounts at once (pages listing every account);
# accounts without one may be absent.
LatestVars = Callable[[Mapping[int, str]], Mapping[int, Decimal]]


def _one_by_one(accounts: Mapping[int, str]) -> Mapping[int, Decimal]:
    found = {pk: latest_var(pk, currency) for pk, currency in accounts.items()}
    return {pk: var for pk, var in found.items() if var is not None}


_latest_vars: LatestVars = _one_by_one


def register_latest_var(reader: LatestVar, many: LatestVars | None = None) -> None:
    """Install the reader of one account's figure and, optionally, of many accounts' in one go."""
    global _latest_var, _latest_vars
    _latest_var = reader
    _latest_vars = many or _one_by_one


def latest_var(account_id: int, currency: str) -> Decimal | None:
    """The account's latest 99% VaR in `currency` (its base currency), or None."""
    return _latest_var(account_id, currency)


def latest_vars(accounts: Mapping[int, str]) -> dict[int, Decimal | None]:
    """`latest_var` of every account in {account id: its base currency}."""
    found = _latest_vars(accounts)
    return {pk: found.get(pk) for pk in accounts}
