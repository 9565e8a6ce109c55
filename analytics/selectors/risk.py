"""On-demand risk of one account (the /risk/ endpoints): snapshot, core, plain result.

Each function raises `RiskDataError` (answered 422) when the stored data cannot support the figure,
and `ShockError` / `UnknownScenarios` (answered 400) for bad stress input.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from accounts.models import Account
from analytics import compute
from analytics.errors import RiskDataError
from analytics.models import StressScenario
from analytics.riskmath.errors import RiskMathError
from analytics.riskmath.greeks import GreeksReport
from analytics.riskmath.results import VarResult
from analytics.riskmath.simulation import DEFAULT_SCENARIOS
from analytics.riskmath.stress import StressScenario as CoreScenario
from analytics.scenarios import ShockError, parse_shocks
from analytics.snapshot import Book, account_book
from positions.ledger.errors import MarketDataError
from positions.models import Instrument

logger = logging.getLogger(__name__)


def _book(account: Account, lookback_days: int | None, as_of: date | None = None) -> Book:
    try:
        return account_book(
            account_id=account.pk,
            base_currency=account.base_currency,
            lookback_days=lookback_days,
            as_of=as_of,
        )
    except (RiskMathError, MarketDataError) as exc:
        raise RiskDataError.from_exception(exc) from exc


@dataclass(frozen=True)
class VarAnswer:
    result: VarResult
    currency: str
    lookback_days: int
    as_of: date
    n_scenarios: int | None
    seed: int | None


def account_var(
    *,
    account: Account,
    method: str,
    confidence: float,
    horizon_days: int,
    lookback_days: int,
    n_scenarios: int = DEFAULT_SCENARIOS,
    seed: int | None = None,
    covariance_method: str = "sample",
) -> VarAnswer:
    """VaR and ES of the account's current book by `method`, with component VaR per position."""
    book = _book(account, lookback_days)
    used_seed = compute.DEFAULT_SEED if seed is None else seed
    try:
        batch = compute.var_batch(
            book,
            method=method,
            confidence=confidence,
            horizon_days=float(horizon_days),
            n_scenarios=n_scenarios,
            seed=used_seed,
            covariance_method=covariance_method,
        )
    except RiskMathError as exc:
        raise RiskDataError.from_exception(exc) from exc
    is_mc = method == "monte_carlo"
    return VarAnswer(
        result=batch.portfolio(0),
        currency=book.base_currency,
        lookback_days=lookback_days,
        as_of=book.as_of,
        n_scenarios=n_scenarios if is_mc else None,
        seed=used_seed if is_mc else None,
    )


@dataclass(frozen=True)
class GreeksAnswer:
    report: GreeksReport
    currency: str
    as_of: date


def account_greeks(*, account: Account) -> GreeksAnswer:
    """Greeks of the account's positions aggregated per underlying (no history needed)."""
    book = _book(account, None)
    try:
        report = compute.greeks_of(book).report(0)
    except RiskMathError as exc:
        raise RiskDataError.from_exception(exc) from exc
    return GreeksAnswer(report=report, currency=book.base_currency, as_of=book.as_of)


class UnknownScenarios(LookupError):
    def __init__(self, names: list[str]) -> None:
        super().__init__("Unknown or inactive scenarios: " + ", ".join(names))
        self.names = names


def stored_scenarios(names: Sequence[str] | None = None, *, skip_invalid: bool = False) -> list[CoreScenario]:
    """Active stored scenarios (all, or `names` in the order given); raises UnknownScenarios, and
    ShockError for a scenario whose stored shocks are malformed unless `skip_invalid` (logged)."""
    qs = StressScenario.objects.filter(is_active=True)
    if names is not None:
        qs = qs.filter(name__in=list(names))
    found = {s.name: s for s in qs.order_by("name")}
    if names is not None:
        unknown = [n for n in names if n not in found]
        if unknown:
            raise UnknownScenarios(unknown)
        ordered = [found[n] for n in dict.fromkeys(names)]
    else:
        ordered = list(found.values())
    # One query for the asset class of every symbol the scenarios shock: an option's own symbol is
    # an error (options move with their underlying); a symbol not listed yet is accepted and ignored.
    keys = {k for sc in ordered if isinstance(sc.shocks, dict) for k in sc.shocks}
    kinds = dict(Instrument.objects.filter(symbol__in=keys).values_list("symbol", "asset_class"))
    out = []
    for scenario in ordered:
        try:
            out.append(
                parse_shocks(scenario.shocks, name=scenario.name, symbol_kind=lambda s: kinds.get(s, ""))
            )
        except ShockError as exc:
            if not skip_invalid:
                raise
            logger.warning("stress scenario %s skipped: %s", scenario.name, exc)
    return out


def symbol_kind(symbol: str) -> str | None:
    """The asset class of a listed symbol, or None (for validating ad-hoc shocks)."""
    return Instrument.objects.filter(symbol=symbol).values_list("asset_class", flat=True).first()


def custom_scenario(shocks: dict[str, Any]) -> CoreScenario:
    """The API's `{"shocks": {...}}` as a scenario named "custom"; raises ShockError."""
    return parse_shocks(shocks, name="custom", symbol_kind=symbol_kind)


@dataclass(frozen=True)
class StressRow:
    scenario: str
    pnl: float
    by_symbol: dict[str, float]


@dataclass(frozen=True)
class StressAnswer:
    currency: str
    as_of: date
    results: tuple[StressRow, ...]


def account_stress(*, account: Account, scenarios: Sequence[CoreScenario]) -> StressAnswer:
    """Full-revaluation P&L of the account's book under each scenario, in the base currency."""
    book = _book(account, None)
    if not scenarios:
        return StressAnswer(book.base_currency, book.as_of, ())
    try:
        batch = compute.stress_of(book, scenarios)
    except RiskMathError as exc:
        raise RiskDataError.from_exception(exc) from exc
    rows = tuple(
        StressRow(name, float(batch.pnl[0, j]), batch.by_symbol(0, j)) for j, name in enumerate(batch.names)
    )
    return StressAnswer(book.base_currency, book.as_of, rows)


@dataclass(frozen=True)
class ConcentrationAnswer:
    currency: str
    as_of: date
    confidence: float
    lookback_days: int
    largest_exposures: tuple[dict[str, Any], ...]
    standalone_var_sum: float
    portfolio_var: float
    diversification_ratio: float | None  # None when the portfolio VaR is 0 but positions are not
    most_correlated_pairs: tuple[dict[str, Any], ...]


def account_concentration(
    *, account: Account, confidence: float, lookback_days: int, top: int
) -> ConcentrationAnswer:
    """Largest exposures, diversification ratio (sum of standalone parametric VaRs / portfolio VaR)
    and the most correlated pairs of the factors the account is exposed to."""
    from analytics.riskmath.concentration import concentration_batch, most_correlated_pairs

    book = _book(account, lookback_days)
    q = book.quantities[0]
    held = [j for j in range(book.universe.size) if q[j] != 0.0]
    if not held:
        return ConcentrationAnswer(
            book.base_currency, book.as_of, confidence, lookback_days, (), 0.0, 0.0, 1.0, ()
        )
    try:
        cov = compute.covariance_of(book)
        c = concentration_batch(book.universe, q, cov, confidence=confidence, n_top=top)
        exposed = sorted({int(book.universe.factor_index[j]) for j in held})
        pairs = most_correlated_pairs(
            tuple(book.universe.factor_symbols[k] for k in exposed), cov[exposed][:, exposed], n=top
        )
    except RiskMathError as exc:
        raise RiskDataError.from_exception(exc) from exc
    largest = tuple(
        {"symbol": book.universe.symbols[int(j)], "exposure": float(e), "share": float(sh)}
        for j, e, sh in zip(c.top_index[0], c.top_exposure[0], c.top_share[0], strict=True)
        if e != 0.0
    )
    ratio = float(c.diversification_ratio[0])
    return ConcentrationAnswer(
        currency=book.base_currency,
        as_of=book.as_of,
        confidence=confidence,
        lookback_days=lookback_days,
        largest_exposures=largest,
        standalone_var_sum=float(c.standalone_var_sum[0]),
        portfolio_var=float(c.portfolio_var[0]),
        diversification_ratio=ratio if ratio != float("inf") else None,
        most_correlated_pairs=tuple(p.__dict__ for p in pairs),
    )
