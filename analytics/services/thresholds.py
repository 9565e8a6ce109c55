"""Alerts from a night's reports: failed reports, VaR against the account's max_var, red backtests.

- `report_failed` (warning), key = the error code: the report could not be computed.
- `var_limit` (critical) when var_99 exceeds the account's effective `max_var`;
  `limit_utilization` (warning) when it is at or above `warn_utilization_pct` percent of it.
  Both keyed "max_var"; the limits come from `limits.selectors.effective_limits` (overrides included).
- `limit_utilization` for the standing limits too (position, exposure, leverage, daily loss), keyed
  by the limit's name: warning at or above `warn_utilization_pct`, critical above 100%; the value is
  the percent in use, as limits.utilization measures it for the summary and the pre-trade check.
- `backtest_red` (critical), key "var_99": the stored var_99 forecasts of the latest
  `BACKTEST_DAYS` reports against their realized P&L fall in the Basel red zone. Needs at least
  `MIN_BACKTEST_OBSERVATIONS` pairs; the zone thresholds scale with the number of observations.
Repeated conditions update the open alert instead of opening (and emailing) a new one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from accounts.models import Account
from analytics.models import AlertKind, AlertSeverity, ReportStatus, RiskReport
from analytics.riskmath.backtest import backtest_batch
from analytics.services.alerts import AlertSpec, alerts_raise
from limits.selectors import effective_limits_of_accounts
from limits.utilization import limit_utilization

BACKTEST_DAYS = 250
MIN_BACKTEST_OBSERVATIONS = 50
BACKTEST_CONFIDENCE = 0.99


@dataclass
class ReportOutcome:
    """One account's report of the night, and its previous report whose realized P&L it fills."""

    account_id: int
    account_code: str
    report: RiskReport
    previous: RiskReport | None = None
    previous_realized_pnl: float | None = None


def _effective_limits(account_ids: list[int]) -> dict[int, Any]:
    return effective_limits_of_accounts(account_ids)


def _var_limit_specs(outcomes: Sequence[ReportOutcome], day: date) -> list[AlertSpec]:
    ok = [o for o in outcomes if o.report.status == ReportStatus.OK and o.report.var_99 is not None]
    limits_of = _effective_limits([o.account_id for o in ok])
    specs = []
    for o in ok:
        limits = limits_of[o.account_id]
        if limits.max_var is None or limits.max_var <= 0:
            continue
        var = float(o.report.var_99 or 0.0)
        limit = float(limits.max_var)
        used = 100.0 * var / limit
        ccy = o.report.currency
        if var > limit:
            specs.append(
                AlertSpec(
                    account_id=o.account_id,
                    kind=AlertKind.VAR_LIMIT,
                    key="max_var",
                    severity=AlertSeverity.CRITICAL,
                    message=f"99% 1-day VaR {var:,.2f} {ccy} exceeds max_var {limit:,.2f} {ccy} "
                    f"({used:.0f}%).",
                    value=var,
                    threshold=limit,
                    as_of=day,
                )
            )
        elif used >= float(limits.warn_utilization_pct):
            specs.append(
                AlertSpec(
                    account_id=o.account_id,
                    kind=AlertKind.LIMIT_UTILIZATION,
                    key="max_var",
                    severity=AlertSeverity.WARNING,
                    message=f"99% 1-day VaR {var:,.2f} {ccy} uses {used:.0f}% of max_var {limit:,.2f} {ccy}.",
                    value=var,
                    threshold=limit,
                    as_of=day,
                )
            )
    return specs


# Standing limits measured by the one utilization the pre-trade check enforces (limits.utilization):
# positions with their open reservations at the worse side, marked at the latest prices.
STANDING_LIMITS = (
    "max_position_quantity",
    "max_position_notional",
    "max_gross_exposure",
    "max_net_exposure",
    "max_leverage",
    "max_daily_loss",
)


def _standing_limit_specs(outcomes: Sequence[ReportOutcome], day: date) -> list[AlertSpec]:
    """`limit_utilization` alerts for the standing limits: warning at or above warn_utilization_pct,
    critical above 100% (prices can push a book over a limit the pre-trade check enforced)."""
    ok = [o for o in outcomes if o.report.status == ReportStatus.OK]
    limits_of = _effective_limits([o.account_id for o in ok])
    limited = [o for o in ok if any(getattr(limits_of[o.account_id], f) is not None for f in STANDING_LIMITS)]
    accounts = Account.objects.in_bulk([o.account_id for o in limited])
    specs = []
    for o in limited:
        limits = limits_of[o.account_id]
        usage = limit_utilization(account=accounts[o.account_id])
        for name in STANDING_LIMITS:
            used = usage.get(name)
            if used is None:
                continue  # not set, or not measurable (the report names missing data)
            over = used > 100
            if not over and used < limits.warn_utilization_pct:
                continue
            limit = getattr(limits, name)
            specs.append(
                AlertSpec(
                    account_id=o.account_id,
                    kind=AlertKind.LIMIT_UTILIZATION,
                    key=name,
                    severity=AlertSeverity.CRITICAL if over else AlertSeverity.WARNING,
                    message=f"{name} {'exceeded' if over else 'nearly used'}: {used:.2f}% in use "
                    f"(limit {limit.normalize():f}).",
                    value=float(used),
                    threshold=float(limit),
                    as_of=day,
                )
            )
    return specs


def _backtest_specs(outcomes: Sequence[ReportOutcome], day: date) -> list[AlertSpec]:
    ids = [o.account_id for o in outcomes if o.report.status == ReportStatus.OK]
    pairs: dict[int, list[tuple[float, float]]] = defaultdict(list)
    rows = (
        RiskReport.objects.filter(
            account_id__in=ids,
            status=ReportStatus.OK,
            as_of__lte=day,
            as_of__gt=day - timedelta(days=2 * BACKTEST_DAYS),
            realized_pnl__isnull=False,
            var_99__isnull=False,
        )
        .order_by("account_id", "as_of")
        .values_list("account_id", "realized_pnl", "var_99")
    )
    for account_id, pnl, var in rows:
        pairs[account_id].append((pnl or 0.0, var or 0.0))  # both filtered non-null above
    specs = []
    for account_id, series in pairs.items():
        series = series[-BACKTEST_DAYS:]
        if len(series) < MIN_BACKTEST_OBSERVATIONS:
            continue
        data = np.array(series, dtype=np.float64)
        result = backtest_batch(data[:, 0], data[:, 1], confidence=BACKTEST_CONFIDENCE)
        if result.traffic_light[0] != "red":
            continue
        exceptions = int(result.exceptions[0])
        specs.append(
            AlertSpec(
                account_id=account_id,
                kind=AlertKind.BACKTEST_RED,
                key="var_99",
                severity=AlertSeverity.CRITICAL,
                message=(
                    f"VaR backtest in the red zone: {exceptions} exceptions of the 99% VaR in the last "
                    f"{result.observations} reports (Kupiec p={float(result.kupiec_p_value[0]):.4f})."
                ),
                value=float(exceptions),
                threshold=None,
                as_of=day,
            )
        )
    return specs


def _failure_specs(outcomes: Sequence[ReportOutcome], day: date) -> list[AlertSpec]:
    return [
        AlertSpec(
            account_id=o.account_id,
            kind=AlertKind.REPORT_FAILED,
            key=o.report.error_code,
            severity=AlertSeverity.WARNING,
            message=f"Risk report for {day.isoformat()} failed: "
            f"{o.report.error.get('detail', o.report.error_code)}",
            as_of=day,
        )
        for o in outcomes
        if o.report.status == ReportStatus.FAILED
    ]


def raise_alerts(outcomes: Sequence[ReportOutcome], day: date) -> int:
    """Raise every alert the outcomes call for; returns how many new alerts were opened."""
    specs = [
        *_failure_specs(outcomes, day),
        *_var_limit_specs(outcomes, day),
        *_standing_limit_specs(outcomes, day),
        *_backtest_specs(outcomes, day),
    ]
    return len(alerts_raise(specs=specs))
