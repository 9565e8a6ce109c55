"""Raising and acknowledging alerts, and emailing risk managers about new ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Account, Membership, Role
from analytics.models import Alert, AlertState

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class AlertSpec:
    """A condition found by the nightly run; `key` distinguishes conditions of the same kind."""

    account_id: int
    kind: str
    severity: str
    message: str
    key: str = ""
    value: float | None = None
    threshold: float | None = None
    as_of: date | None = None


def alert_recipients(*, account: Account) -> list[str]:
    """Emails of the account's risk managers and its extra recipients, deduplicated, in order."""
    user_model = get_user_model()
    managers = (
        user_model.objects.filter(
            pk__in=Membership.objects.filter(account=account, role=Role.RISK_MANAGER).values("user_id"),
            is_active=True,
        )
        .exclude(email="")
        .order_by("username")
        .values_list("email", flat=True)
    )
    extra = [line.strip() for line in account.alert_recipients.splitlines() if line.strip()]
    return list(dict.fromkeys([*managers, *extra]))


def _send_alert_email(alert_id: int) -> None:
    alert = Alert.objects.select_related("account").get(pk=alert_id)
    recipients = alert_recipients(account=alert.account)
    if not recipients:
        return
    context = {"alert": alert, "account": alert.account}
    subject = f"[riskplatform] {alert.account.code}: {alert.get_kind_display()}"
    send_mail(
        subject,
        render_to_string("analytics/email/alert.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        fail_silently=False,
    )


@transaction.atomic
def alert_raise(*, spec: AlertSpec) -> tuple[Alert, bool]:
    """Open an alert, or bump the open one with the same (account, kind, key). Returns (alert, created).

    Only a new alert is emailed, after the transaction commits, so a rolled-back run sends nothing and
    the same condition seen night after night emails once.
    """
    existing = (
        Alert.objects.select_for_update()
        .filter(account_id=spec.account_id, kind=spec.kind, key=spec.key, state=AlertState.OPEN)
        .first()
    )
    if existing is not None:
        Alert.objects.filter(pk=existing.pk).update(
            occurrences=F("occurrences") + 1,
            last_seen_at=timezone.now(),
            message=spec.message,
            value=spec.value,
            threshold=spec.threshold,
            as_of=spec.as_of,
            severity=spec.severity,
        )
        existing.refresh_from_db()
        return existing, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                account_id=spec.account_id,
                kind=spec.kind,
                key=spec.key,
                severity=spec.severity,
                message=spec.message,
                value=spec.value,
                threshold=spec.threshold,
                as_of=spec.as_of,
            )
    except IntegrityError:
        # A concurrent run opened it first (the partial unique constraint): count this sighting there.
        alert = Alert.objects.get(
            account_id=spec.account_id, kind=spec.kind, key=spec.key, state=AlertState.OPEN
        )
        Alert.objects.filter(pk=alert.pk).update(
            occurrences=F("occurrences") + 1, last_seen_at=timezone.now()
        )
        return alert, False
    alert_id = alert.pk
    transaction.on_commit(lambda: _send_alert_email(alert_id))
    return alert, True


@transaction.atomic
def alert_acknowledge(*, alert: Alert, user: AbstractBaseUser) -> Alert:
    """Mark an open alert acknowledged by `user`; acknowledging it again changes nothing."""
    updated = Alert.objects.filter(pk=alert.pk, state=AlertState.OPEN).update(
        state=AlertState.ACKNOWLEDGED, acknowledged_by=user, acknowledged_at=timezone.now()
    )
    if updated:
        alert.refresh_from_db()
    return alert
