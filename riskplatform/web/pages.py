"""The reads behind the account and desk pages, in a number of queries that does not grow with the
positions, decisions, reports or strategies shown (tests/web/test_query_counts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Account, AccountGroup, ChangeLogEntry
from accounts.scoping import Action, can, can_on_group
from analytics.models import Alert, AlertState, ReportStatus, RiskReport
from analytics.selectors import latest_report
from limits.checks.book import book_snapshot, book_snapshots
from limits.models import CheckDecision, LimitChange, TradingStateChange
from limits.selectors import effective_limits_of
from positions.clock import current_trading_date
from positions.selectors import PositionRow, position_rows
from riskplatform.web.charts import ChartPoint, VarChart, var_chart
from riskplatform.web.figures import AccountLine, InstrumentRow, ScopeView, instrument_rows, scope_view

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

CHART_DAYS = 250
RECENT = 25


@dataclass(frozen=True)
class GreeksRow:
    underlying: str
    delta: float
    gamma: float
    vega: float
    theta: float
    rho: float
    delta_notional: float


@dataclass(frozen=True)
class AuditRow:
    at: Any
    what: str
    scope: str
    old: str
    new: str
    who: str
    source: str
    reason: str


@dataclass(frozen=True)
class AccountPage:
    account: Account
    scope: ScopeView
    strategies: tuple[ScopeView, ...]
    desks: tuple[ScopeView, ...]
    instruments: tuple[InstrumentRow, ...]
    positions: tuple[PositionRow, ...]
    reservations: tuple[CheckDecision, ...]
    decisions: tuple[CheckDecision, ...]
    report: RiskReport | None
    greeks: tuple[GreeksRow, ...]
    delta_notional_total: float | None
    stress: tuple[tuple[str, float], ...]
    chart: VarChart
    audit: tuple[AuditRow, ...]
    alerts: tuple[Alert, ...]
    can_manage: bool
    manageable_desks: frozenset[str]

    @property
    def kill_switch_scopes(self) -> list[tuple[str, str]]:
        """(form value, label) of every scope the account page can switch: it and its strategies."""
        return [
            ("account", f"Account {self.account.code}"),
            *((f"strategy:{s.code}", f"Strategy {s.code}") for s in self.strategies),
        ]


def _greeks(report: RiskReport | None) -> tuple[tuple[GreeksRow, ...], float | None]:
    """Greeks per underlying from the report; only delta notional (money) may be totalled: deltas and
    gammas of different underlyings are in different units."""
    if report is None or not isinstance(report.greeks, dict):
        return (), None
    rows = tuple(
        GreeksRow(
            underlying=str(row.get("underlying", "")),
            **{name: float(row.get(name) or 0.0) for name in ("delta", "gamma", "vega", "theta", "rho")},
            delta_notional=float(row.get("delta_notional") or 0.0),
        )
        for row in report.greeks.get("by_underlying", [])
        if isinstance(row, dict)
    )
    return rows, (sum(r.delta_notional for r in rows) if rows else None)


def _stress(report: RiskReport | None) -> tuple[tuple[str, float], ...]:
    if report is None or not isinstance(report.stress, dict):
        return ()
    results = report.stress.get("results") or {}
    return tuple(sorted(((str(k), float(v)) for k, v in results.items()), key=lambda item: item[1]))


def chart_points(*, account: Account, days: int = CHART_DAYS) -> list[ChartPoint]:
    reports = (
        RiskReport.objects.filter(
            account=account, status=ReportStatus.OK, as_of__gt=current_trading_date() - timedelta(days=days)
        )
        .order_by("as_of")
        .values_list("as_of", "var_99", "es_975", "realized_pnl")
    )
    return [ChartPoint(day, var, es, realized) for day, var, es, realized in reports]


def _state_row(change: TradingStateChange) -> AuditRow:
    return AuditRow(
        at=change.changed_at,
        what="trading state",
        scope=change.scope_label,
        old=change.get_old_state_display(),
        new=change.get_new_state_display(),
        who=change.changed_by.get_username() if change.changed_by else "system",
        source=change.get_source_display(),
        reason=change.reason,
    )


def _limit_row(change: LimitChange) -> AuditRow:
    def text(value: Any) -> str:
        if value is None:
            return "no limit"
        return ", ".join(value) if isinstance(value, list) else str(value)

    return AuditRow(
        at=change.changed_at,
        what=change.field,
        scope=change.scope_label,
        old=text(change.old_value),
        new=text(change.new_value),
        who=change.changed_by.get_username() if change.changed_by else "system",
        source=change.get_source_display(),
        reason=change.reason,
    )


def _change_row(entry: ChangeLogEntry) -> AuditRow:
    return AuditRow(
        at=entry.at,
        what=f"{entry.get_action_display().lower()} {entry.object_type}",
        scope=entry.object_repr,
        old=", ".join(f"{k}: {v[0]}" for k, v in entry.changes.items() if isinstance(v, list) and v),
        new=", ".join(f"{k}: {v[-1]}" for k, v in entry.changes.items() if isinstance(v, list) and v),
        who=entry.actor.get_username() if entry.actor else "system",
        source=entry.source,
        reason=entry.reason,
    )


def audit_trail(
    *, account: Account | None = None, group: AccountGroup | None = None, limit: int = RECENT
) -> tuple[AuditRow, ...]:
    """The newest kill-switch, limit and set-up changes of an account (with its strategies) or a desk."""
    if account is not None:
        states: QuerySet[TradingStateChange] = TradingStateChange.objects.filter(
            Q(account=account) | Q(strategy__account=account)
        )
        limits: QuerySet[LimitChange] = LimitChange.objects.filter(
            Q(limit_set__account=account) | Q(limit_set__strategy__account=account)
        )
        changes: QuerySet[ChangeLogEntry] = ChangeLogEntry.objects.filter(account=account)
    else:
        states = TradingStateChange.objects.filter(group=group)
        limits = LimitChange.objects.filter(limit_set__group=group)
        changes = ChangeLogEntry.objects.filter(group=group)
    rows = [
        *(
            _state_row(c)
            for c in states.select_related("account", "strategy__account", "group", "changed_by")[:limit]
        ),
        *(_limit_row(c) for c in limits.select_related("changed_by")[:limit]),
        *(_change_row(c) for c in changes.select_related("actor")[:limit]),
    ]
    return tuple(sorted(rows, key=lambda r: r.at, reverse=True)[:limit])


def account_page(*, account: Account, user: AnyUser) -> AccountPage:
    """Everything the account page shows (the account is already authorised for `user`)."""
    snapshot = book_snapshot(account=account)
    report = latest_report(account_id=account.pk)
    greeks, delta_total = _greeks(report)
    max_var = effective_limits_of(account).max_var
    now = timezone.now()
    groups = tuple(scope_view(snapshot, g) for g in snapshot.groups)
    desk_objects = list(AccountGroup.objects.filter(code__in=[g.code for g in groups]))
    return AccountPage(
        account=account,
        scope=scope_view(snapshot, snapshot.account),
        strategies=tuple(
            scope_view(snapshot, s) for _, s in sorted(snapshot.strategies.items(), key=lambda kv: kv[0])
        ),
        desks=groups,
        instruments=tuple(instrument_rows(snapshot, snapshot.account)),
        positions=tuple(position_rows(account=account)),
        reservations=tuple(
            CheckDecision.objects.filter(account=account, open_quantity__gt=0, expires_at__gt=now)
            .select_related("strategy", "caller")
            .order_by("-evaluated_at", "-id")[:RECENT]
        ),
        decisions=tuple(
            CheckDecision.objects.filter(account=account)
            .select_related("strategy", "caller")
            .order_by("-evaluated_at", "-id")[:RECENT]
        ),
        report=report,
        greeks=greeks,
        delta_notional_total=delta_total,
        stress=_stress(report),
        chart=var_chart(
            chart_points(account=account),
            limit=None if max_var is None else float(max_var),
            currency=account.base_currency,
        ),
        audit=audit_trail(account=account),
        alerts=tuple(
            Alert.objects.filter(account=account, state=AlertState.OPEN)
            .select_related("account")
            .order_by("-created_at", "-id")[:50]
        ),
        can_manage=can(user, account, Action.MANAGE),
        manageable_desks=frozenset(g.code for g in desk_objects if can_on_group(user, g, Action.MANAGE)),
    )


@dataclass(frozen=True)
class DeskPage:
    group: AccountGroup
    scope: ScopeView | None
    accounts: tuple[AccountLine, ...]
    audit: tuple[AuditRow, ...]
    can_manage: bool


def desk_page(*, group: AccountGroup, user: AnyUser) -> DeskPage:
    """The desk's own limits (on the book of every one of its accounts) and its visible accounts."""
    visible = list(
        Account.objects.for_user(user, Action.VIEW).filter(groups=group).order_by("code").distinct()
    )
    member = visible[0] if visible else group.accounts.order_by("code").first()
    scope = None
    lines: Sequence[AccountLine] = ()
    if member is not None:
        snapshots = book_snapshots(accounts=[member, *(a for a in visible if a.pk != member.pk)])
        desk_scope = next((g for g in snapshots[member.pk].groups if g.code == group.code), None)
        scope = None if desk_scope is None else scope_view(snapshots[member.pk], desk_scope)
        alerts = dict(
            Alert.objects.filter(account__in=visible, state=AlertState.OPEN)
            .values("account_id")
            .annotate(n=Count("id"))
            .values_list("account_id", "n")
        )
        lines = [
            AccountLine(a, scope_view(snapshots[a.pk], snapshots[a.pk].account), alerts.get(a.pk, 0))
            for a in visible
        ]
    return DeskPage(
        group=group,
        scope=scope,
        accounts=tuple(lines),
        audit=audit_trail(group=group),
        can_manage=can_on_group(user, group, Action.MANAGE),
    )


def report_rows(*, account: Account) -> QuerySet[RiskReport]:
    """Every stored report of the account, oldest first, for the CSV export."""
    return (
        RiskReport.objects.filter(account=account)
        .order_by("as_of")
        .only(
            "as_of",
            "status",
            "error_code",
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
            "realized_pnl",
        )
    )
