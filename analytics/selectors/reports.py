"""Reads of stored risk reports and alerts."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.models import Account
from accounts.scoping import Action
from analytics.models import Alert, ReportStatus, RiskReport

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def reports_for_account(*, account: Account) -> QuerySet[RiskReport]:
    """The account's stored reports, newest first."""
    return RiskReport.objects.filter(account=account).order_by("-as_of", "-id")


def latest_report(*, account_id: int) -> RiskReport | None:
    """The newest successful report of the account."""
    return RiskReport.objects.filter(account_id=account_id, status=ReportStatus.OK).order_by("-as_of").first()


def latest_var_99(*, account_id: int, currency: str | None = None) -> Decimal | None:
    """The 99% 1-day VaR of the latest successful report (base currency), or None: for the summary
    endpoint and the limits' max_var figures. `currency`: only reports in that currency count."""
    reports = RiskReport.objects.filter(account_id=account_id, status=ReportStatus.OK, var_99__isnull=False)
    if currency is not None:
        reports = reports.filter(currency=currency)
    value = reports.order_by("-as_of").values_list("var_99", flat=True).first()
    return None if value is None else Decimal(repr(value))


def latest_var_99_by_account(account_ids: Iterable[int]) -> dict[int, Decimal]:
    """Like latest_var_99 for many accounts in one query (accounts without a report are absent)."""
    ids = list(account_ids)
    out: dict[int, Decimal] = {}
    rows = (
        RiskReport.objects.filter(account_id__in=ids, status=ReportStatus.OK, var_99__isnull=False)
        .order_by("account_id", "-as_of")
        .values_list("account_id", "var_99")
    )
    for account_id, var in rows:
        out.setdefault(account_id, Decimal(repr(var)))
    return out


def alerts_for_user(
    *, user: AbstractBaseUser | AnonymousUser, account_code: str | None = None, state: str | None = None
) -> QuerySet[Alert]:
    """Alerts on the accounts the user may see, newest first, optionally filtered."""
    qs = Alert.objects.filter(account__in=Account.objects.for_user(user, Action.VIEW)).select_related(
        "account", "acknowledged_by"
    )
    if account_code:
        qs = qs.filter(account__code=account_code)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")
