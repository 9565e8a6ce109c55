"""Reads for the risk managers' dashboards: accounts with their latest VaR, utilization, VaR history
as sparkline points, and open alerts. A bounded number of queries whatever the number of accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from accounts.models import Account
from accounts.scoping import Action
from analytics.models import Alert, AlertState, ReportStatus, RiskReport

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

SPARK_WIDTH = 160
SPARK_HEIGHT = 32
HISTORY_DAYS = 90


@dataclass(frozen=True)
class Sparkline:
    """SVG polyline points of a series scaled into a SPARK_WIDTH x SPARK_HEIGHT box (y grows down)."""

    points: str
    low: float | None
    high: float | None
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def sparkline(values: Sequence[float], *, width: int = SPARK_WIDTH, height: int = SPARK_HEIGHT) -> Sparkline:
    if not values:
        return Sparkline("", None, None, width, height)
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    pad = 2
    points = " ".join(
        f"{i * step:.1f},{pad + (height - 2 * pad) * (1 - (v - low) / span):.1f}"
        for i, v in enumerate(values)
    )
    return Sparkline(points, low, high, width, height)


@dataclass
class AccountRow:
    account: Account
    latest: RiskReport | None = None
    var_limit: float | None = None
    var_utilization: float | None = None
    open_alerts: int = 0
    history: Sparkline = field(default_factory=lambda: sparkline([]))


def _max_var_by_account(account_ids: list[int]) -> dict[int, float]:
    from limits.selectors import effective_limits_of_accounts

    found = effective_limits_of_accounts(account_ids)
    out: dict[int, float] = {}
    for a in account_ids:
        limit = found[a].max_var
        if limit:
            out[a] = float(limit)
    return out


def dashboard_rows(*, user: AbstractBaseUser | AnonymousUser, today: date) -> list[AccountRow]:
    """Every account the user may see, with its latest report, VaR utilization and history."""
    accounts = list(
        Account.objects.for_user(user, Action.VIEW)
        .annotate(open_alerts=Count("alerts", filter=Q(alerts__state=AlertState.OPEN)))
        .order_by("code")
    )
    ids = [a.pk for a in accounts]
    series: dict[int, list[float]] = defaultdict(list)
    latest: dict[int, RiskReport] = {}
    reports = (
        RiskReport.objects.filter(
            account_id__in=ids, status=ReportStatus.OK, as_of__gt=today - timedelta(days=HISTORY_DAYS)
        )
        .order_by("account_id", "as_of")
        .defer("components", "greeks", "positions", "error")
    )
    for r in reports:
        if r.var_99 is not None:
            series[r.account_id].append(r.var_99)
        latest[r.account_id] = r
    limits = _max_var_by_account(ids)
    rows = []
    for a in accounts:
        report = latest.get(a.pk)
        limit = limits.get(a.pk)
        util = None
        if report is not None and report.var_99 is not None and limit:
            util = 100.0 * report.var_99 / limit
        rows.append(AccountRow(a, report, limit, util, a.open_alerts, sparkline(series.get(a.pk, []))))
    return rows


def open_alerts(
    *, user: AbstractBaseUser | AnonymousUser, account: Account | None = None, limit: int = 50
) -> Any:
    qs = Alert.objects.filter(
        account__in=Account.objects.for_user(user, Action.VIEW), state=AlertState.OPEN
    ).select_related("account")
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("-created_at", "-id")[:limit]


def var_history(*, account: Account, days: int = HISTORY_DAYS, today: date) -> list[RiskReport]:
    return list(
        RiskReport.objects.filter(account=account, as_of__gt=today - timedelta(days=days))
        .order_by("as_of")
        .only("as_of", "status", "var_99", "es_975", "portfolio_value", "realized_pnl", "error_code")
    )
