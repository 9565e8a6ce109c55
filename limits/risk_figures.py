"""Risk figures limits reads but analytics computes, without limits importing analytics.

analytics (a higher layer) registers its readers at start-up (AnalyticsConfig.ready). Without them,
the figures are unknown: a max_var limit then shows no utilization, and every check answers
`"risk": null` with a `var_unavailable` warning (and a max_var limit rejects risk-increasing orders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Protocol

from limits.engine.snapshot import InstrumentRef, Mark, RiskModel

# (account id, currency) -> the 99% 1-day VaR of the account's latest successful risk report in that
# currency, or None.
LatestVar = Callable[[int, str], Decimal | None]

# The generation token (limits/shared_state) the day's risk model is kept under in every process;
# the check reads it with its rate window and hands it to the source.
RISK_MODEL_GENERATION = "risk-model"


class RiskModelSource(Protocol):
    def __call__(
        self,
        *,
        generation: str,
        trading_date: date,
        symbols: Iterable[str],
        instruments: Mapping[str, InstrumentRef],
        marks: Mapping[str, Mark],
    ) -> RiskModel | str:
        """The day's parametric model for `symbols` (their factors' covariance and each one's delta
        exposure per unit at `marks`), or why there is none at all."""
        ...


def _unknown(account_id: int, currency: str) -> Decimal | None:
    return None


def _no_model(
    *,
    generation: str,
    trading_date: date,
    symbols: Iterable[str],
    instruments: Mapping[str, InstrumentRef],
    marks: Mapping[str, Mark],
) -> RiskModel | str:
    return "No risk model source is installed"


_latest_var: LatestVar = _unknown
_risk_model: RiskModelSource = _no_model


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


def register_risk_model_source(source: RiskModelSource) -> None:
    global _risk_model
    _risk_model = source


def latest_var(account_id: int, currency: str) -> Decimal | None:
    """The account's latest 99% VaR in `currency` (its base currency), or None."""
    return _latest_var(account_id, currency)


def latest_vars(accounts: Mapping[int, str]) -> dict[int, Decimal | None]:
    """`latest_var` of every account in {account id: its base currency}."""
    found = _latest_vars(accounts)
    return {pk: found.get(pk) for pk in accounts}


def risk_model(
    *,
    generation: str,
    trading_date: date,
    symbols: Iterable[str],
    instruments: Mapping[str, InstrumentRef],
    marks: Mapping[str, Mark],
) -> RiskModel | str:
    """The day's risk model for a check's instruments (see RiskModelSource)."""
    return _risk_model(
        generation=generation,
        trading_date=trading_date,
        symbols=symbols,
        instruments=instruments,
        marks=marks,
    )
