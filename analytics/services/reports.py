"""The nightly risk reports: every account's VaR, ES, Greeks, worst stress scenario and margin.

`risk_reports_run` works in chunks of accounts; per chunk it reads each table once (see
`analytics.snapshot`), computes every figure for all the chunk's accounts at once with the core, then
upserts one `RiskReport` per (account, as_of) (a rerun of the same day replaces it) and raises the
alerts (`analytics.services.thresholds`). Accounts whose data is incomplete get a failed report
naming the problem; the others are unaffected.

Figures of a report (1-day, base currency, lookback `REPORT_LOOKBACK_DAYS`):
- var_95, var_99, es_975 and components: historical simulation (full revaluation);
- parametric_var_99 (delta-normal, sample covariance), monte_carlo_var_99 (`MC_SCENARIOS` normal
  scenarios, fixed seed, full revaluation), historical_var_99 (= var_99);
- greeks per underlying; P&L under every active stored stress scenario and the worst one;
- margin_required: the initial margin the pre-trade check and the summary use (positions/ledger/
  margin.py, to the cent); scenario_margin: the core's scenario-grid margin beside it;
- positions: {symbol: [quantity, unit value]}, from which the next day's run computes this report's
  `realized_pnl` (this book revalued at the next day's unit values) for the backtest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import OuterRef, Subquery

from accounts.models import Account
from analytics import compute
from analytics.errors import RiskDataError
from analytics.models import ReportStatus, RiskReport
from analytics.riskmath.errors import RiskMathError
from analytics.riskmath.results import VarBatch
from analytics.riskmath.stress import StressScenario as CoreScenario
from analytics.selectors.risk import stored_scenarios
from analytics.services.thresholds import ReportOutcome, raise_alerts
from analytics.snapshot import Book, load_books
from positions.clock import current_trading_date
from positions.selectors import FxTable, MarketDataError, account_valuation, load_fx_table

logger = logging.getLogger(__name__)

REPORT_LOOKBACK_DAYS = 250
REPORT_METHOD = "historical"
MC_SCENARIOS = 10_000
CHUNK_SIZE = 1_000

FIGURE_FIELDS = (
    "status",
    "error_code",
    "error",
    "method",
    "lookback_days",
    "currency",
    "portfolio_value",
    "var_95",
    "var_99",
    "es_975",
    "parametric_var_99",
    "historical_var_99",
    "monte_carlo_var_99",
    "margin_required",
    "scenario_margin",
    "components",
    "greeks",
    "stress",
    "positions",
    "updated_at",
)


@dataclass
class RunSummary:
    as_of: date
    accounts: int = 0
    ok: int = 0
    failed: int = 0
    alerts_opened: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # account code -> error code

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "accounts": self.accounts,
            "ok": self.ok,
            "failed": self.failed,
            "alerts_opened": self.alerts_opened,
            "failures": self.failures,
        }


def _chunks(items: Sequence[tuple[int, str]], size: int) -> Iterator[Sequence[tuple[int, str]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def risk_reports_run(
    *, as_of: date | None = None, account_ids: Sequence[int] | None = None, chunk_size: int = CHUNK_SIZE
) -> RunSummary:
    """Compute and store the reports of `account_ids` (default: every account) for `as_of` (default:
    the current trading date). Safe to run twice: the second run replaces the first's rows."""
    day = as_of or current_trading_date()
    qs = Account.objects.order_by("id")
    if account_ids is not None:
        qs = qs.filter(id__in=list(account_ids))
    accounts = list(qs.values_list("id", "base_currency"))
    summary = RunSummary(as_of=day, accounts=len(accounts))
    scenarios = stored_scenarios(skip_invalid=True)
    fx = load_fx_table()
    for chunk in _chunks(accounts, chunk_size):
        outcomes = _compute_chunk(chunk, day, scenarios, fx)
        with transaction.atomic():
            _store(outcomes, day)
            summary.alerts_opened += raise_alerts(outcomes, day)
        for o in outcomes:
            if o.report.status == ReportStatus.OK:
                summary.ok += 1
            else:
                summary.failed += 1
                summary.failures[o.account_code] = o.report.error_code
    logger.info("risk reports %s: %s", day, summary.as_dict())
    return summary


def _compute_chunk(
    chunk: Sequence[tuple[int, str]], day: date, scenarios: list[CoreScenario], fx: FxTable
) -> list[ReportOutcome]:
    books = load_books(chunk, as_of=day, lookback_days=REPORT_LOOKBACK_DAYS, fx=fx)
    accounts = Account.objects.in_bulk([a for a, _ in chunk])
    previous = _previous_reports([a for a, _ in chunk], day)
    outcomes: list[ReportOutcome] = []
    for book in books:
        outcomes.extend(_book_outcomes(book, day, scenarios, accounts, previous, fx))
    return outcomes


def _ledger_margin(account: Account, fx: FxTable) -> float | None:
    """The account's initial margin as the pre-trade check and the summary compute it."""
    try:
        return float(account_valuation(account=account, fx=fx).margin_required)
    except MarketDataError:
        return None  # a data problem the report's own figures name


def _failed(account_id: int, code: str, day: date, book: Book, error: RiskDataError) -> ReportOutcome:
    report = RiskReport(
        account_id=account_id,
        as_of=day,
        status=ReportStatus.FAILED,
        error_code=error.code,
        error=error.as_dict(),
        method=REPORT_METHOD,
        lookback_days=REPORT_LOOKBACK_DAYS,
        currency=book.base_currency,
    )
    return ReportOutcome(account_id=account_id, account_code=code, report=report)


def _book_outcomes(
    book: Book,
    day: date,
    scenarios: list[CoreScenario],
    accounts: dict[int, Account],
    previous: dict[int, RiskReport],
    fx: FxTable,
) -> list[ReportOutcome]:
    codes = {pk: account.code for pk, account in accounts.items()}
    rows = book.ok_rows
    outcomes = [
        _failed(account_id, codes[account_id], day, book, error) for account_id, error in book.errors.items()
    ]
    if not rows:
        return outcomes
    try:
        figures = _figures(book, rows, scenarios)
    except RiskMathError as exc:
        error = RiskDataError.from_exception(exc)
        return outcomes + [
            _failed(book.account_ids[r], codes[book.account_ids[r]], day, book, error) for r in rows
        ]
    unit_values = compute.unit_values_of(book)
    value_of = dict(zip(book.universe.symbols, unit_values.tolist(), strict=True))
    for i, r in enumerate(rows):
        account_id = book.account_ids[r]
        q = book.quantities[r]
        held = np.flatnonzero(q)
        positions = {book.universe.symbols[j]: [float(q[j]), float(unit_values[j])] for j in held}
        report = RiskReport(
            account_id=account_id,
            as_of=day,
            status=ReportStatus.OK,
            error_code="",
            error={},
            method=REPORT_METHOD,
            lookback_days=REPORT_LOOKBACK_DAYS,
            currency=book.base_currency,
            portfolio_value=float(figures.h99.portfolio_value[i]),
            var_95=float(figures.h95.var[i]),
            var_99=float(figures.h99.var[i]),
            es_975=float(figures.h975.es[i]),
            parametric_var_99=float(figures.p99.var[i]),
            historical_var_99=float(figures.h99.var[i]),
            monte_carlo_var_99=float(figures.mc99.var[i]),
            margin_required=_ledger_margin(accounts[account_id], fx),
            scenario_margin=float(figures.margin.total[i]),
            components=_components_json(figures.h99, i),
            greeks=_greeks_json(figures, i),
            stress=_stress_json(figures, i),
            positions=positions,
        )
        outcome = ReportOutcome(account_id=account_id, account_code=codes[account_id], report=report)
        prev = previous.get(account_id)
        if prev is not None:
            outcome.previous = prev
            outcome.previous_realized_pnl = _realized(prev.positions, value_of)
        outcomes.append(outcome)
    return outcomes


@dataclass(frozen=True)
class _Figures:
    h95: Any
    h99: Any
    h975: Any
    p99: Any
    mc99: Any
    greeks: Any
    greeks_nonzero: Any  # [P x k] underlyings with any non-zero Greek
    stress: Any
    margin: Any


def _figures(book: Book, rows: list[int], scenarios: list[CoreScenario]) -> _Figures:
    cov = compute.covariance_of(book) if book.universe.size and book.returns.shape[0] >= 2 else None

    def var(method: str, confidence: float, **kw: Any) -> Any:
        return compute.var_batch(book, method=method, confidence=confidence, rows=rows, cov=cov, **kw)

    greeks = compute.greeks_of(book, rows)
    return _Figures(
        h95=var("historical", 0.95, components=False),
        h99=var("historical", 0.99),
        h975=var("historical", 0.975),
        p99=var("parametric", 0.99),
        mc99=var("monte_carlo", 0.99, n_scenarios=MC_SCENARIOS, components=False),
        greeks=greeks,
        greeks_nonzero=np.any(greeks.values != 0.0, axis=2),
        stress=compute.stress_of(book, scenarios, rows) if scenarios else None,
        margin=compute.margin_of(book, rows),
    )


def _components_json(batch: VarBatch, i: int) -> list[dict[str, Any]]:
    """`batch.portfolio(i).components` without visiting every column of the universe."""
    cols = np.flatnonzero((batch.exposure[i] != 0.0) | (batch.component_var[i] != 0.0))
    return [
        {
            "symbol": batch.symbols[j],
            "exposure": float(batch.exposure[i, j]),
            "marginal_var": float(batch.marginal_var[i, j]),
            "component_var": float(batch.component_var[i, j]),
        }
        for j in cols
    ]


def _greeks_json(figures: _Figures, i: int) -> dict[str, Any]:
    """`GreeksBatch.report(i)` as JSON, visiting only the underlyings the account is exposed to."""
    batch = figures.greeks
    values = batch.values[i]  # [k x 6]
    rows = [
        {"underlying": batch.factor_symbols[j], **dict(zip(batch.FIELDS, values[j].tolist(), strict=True))}
        for j in np.flatnonzero(figures.greeks_nonzero[i])
    ]
    return {"by_underlying": rows, "total": dict(zip(batch.FIELDS, values.sum(axis=0).tolist(), strict=True))}


def _stress_json(figures: _Figures, i: int) -> dict[str, Any]:
    batch = figures.stress
    if batch is None:
        return {}
    results = {name: float(batch.pnl[i, j]) for j, name in enumerate(batch.names)}
    return {"worst": {"scenario": batch.worst_name(i), "pnl": float(batch.worst_pnl[i])}, "results": results}


def _realized(positions: dict[str, Any], value_of: dict[str, float]) -> float | None:
    """P&L of yesterday's positions at today's unit values; None when one of them is not valued today."""
    total = 0.0
    for symbol, (quantity, unit_value) in positions.items():
        now = value_of.get(symbol)
        if now is None:
            return None
        total += quantity * (now - unit_value)
    return total


def _previous_reports(account_ids: list[int], day: date) -> dict[int, RiskReport]:
    """Each account's latest successful report before `day` (id, account, positions only)."""
    latest_before = (
        RiskReport.objects.filter(account_id=OuterRef("account_id"), as_of__lt=day, status=ReportStatus.OK)
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    rows = (
        RiskReport.objects.filter(account_id__in=account_ids, status=ReportStatus.OK, as_of__lt=day)
        .filter(as_of=Subquery(latest_before))
        .only("id", "account_id", "as_of", "positions")
    )
    return {r.account_id: r for r in rows}


def _store(outcomes: list[ReportOutcome], day: date) -> None:
    """Upsert the reports (one row per account and day) and fill the previous reports' realized P&L."""
    reports = [o.report for o in outcomes]
    RiskReport.objects.bulk_create(
        reports,
        update_conflicts=True,
        unique_fields=["account", "as_of"],
        update_fields=list(FIGURE_FIELDS),
        batch_size=500,
    )
    previous = []
    for o in outcomes:
        if o.previous is not None:
            o.previous.realized_pnl = o.previous_realized_pnl
            previous.append(o.previous)
    if previous:
        RiskReport.objects.bulk_update(previous, ["realized_pnl"], batch_size=500)
