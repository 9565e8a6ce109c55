"""Raising and acknowledging alerts, and emailing risk managers about new ones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.template.loader import get_template
from django.utils import timezone

from accounts.models import Account, Membership
from accounts.scoping import Action, roles_for
from analytics.models import Alert, AlertState

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.db.models import Field


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

    @property
    def identity(self) -> tuple[int, str, str]:
        return (self.account_id, self.kind, self.key)


def recipients_by_account(accounts: Iterable[Account]) -> dict[int, list[str]]:
    """Per account: emails of its active risk managers (by username), then its extra recipients,
    deduplicated. One query whatever the number of accounts."""
    accounts = list(accounts)
    managers: dict[int, list[str]] = defaultdict(list)
    rows = (
        Membership.objects.filter(
            # Alerts go to those who may act on them: the members the gate lets manage the account.
            account__in=accounts,
            role__in=roles_for(Action.MANAGE),
            user__is_active=True,
            user__email__gt="",
        )
        .order_by("account_id", "user__username")
        .values_list("account_id", "user__email")
    )
    for account_id, email in rows:
        managers[account_id].append(email)
    out = {}
    for account in accounts:
        extra = [line.strip() for line in account.alert_recipients.splitlines() if line.strip()]
        out[account.pk] = list(dict.fromkeys([*managers[account.pk], *extra]))
    return out


def alert_recipients(*, account: Account) -> list[str]:
    """Emails of the account's risk managers and its extra recipients, deduplicated, in order."""
    return recipients_by_account([account])[account.pk]


def alert_emails_send(*, alert_ids: Sequence[int]) -> int:
    """Email each alert to its account's recipients over one connection; returns emails sent."""
    alerts = list(Alert.objects.filter(pk__in=list(alert_ids)).select_related("account").order_by("id"))
    recipients = recipients_by_account({a.account_id: a.account for a in alerts}.values())
    template = get_template("analytics/email/alert.txt")  # once: DEBUG disables the cached loader
    messages = []
    for alert in alerts:
        to = recipients[alert.account_id]
        if not to:
            continue
        subject = f"[riskplatform] {alert.account.code}: {alert.get_kind_display()}"
        body = template.render({"alert": alert, "account": alert.account})
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to))
    if not messages:
        return 0
    return get_connection(fail_silently=False).send_messages(messages) or 0


def _email_after_commit(alert_ids: list[int]) -> None:
    if alert_ids:
        transaction.on_commit(lambda: alert_emails_send(alert_ids=alert_ids))


_SEEN_FIELDS = ["occurrences", "last_seen_at", "message", "value", "threshold", "as_of", "severity"]


def _seen_again(alert: Alert, spec: AlertSpec) -> None:
    alert.occurrences += 1
    alert.last_seen_at = timezone.now()
    alert.message = spec.message
    alert.value = spec.value
    alert.threshold = spec.threshold
    alert.as_of = spec.as_of
    alert.severity = spec.severity


def _save_seen(alerts: list[Alert]) -> None:
    """Write the bumped fields of `alerts` with one parametrised UPDATE run for every row.

    `bulk_update` would build a CASE expression per field over every row, which costs seconds of
    Python for a thousand alerts; `executemany` (pipelined by psycopg) costs milliseconds.
    """
    fields = [cast("Field[Any, Any]", Alert._meta.get_field(name)) for name in _SEEN_FIELDS]
    table = connection.ops.quote_name(Alert._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(f.column or f.attname)} = %s" for f in fields)
    sql = f"UPDATE {table} SET {columns} WHERE id = %s"  # noqa: S608 - names from the model, values bound
    rows = [[f.get_db_prep_save(getattr(a, f.attname), connection) for f in fields] + [a.pk] for a in alerts]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _new(spec: AlertSpec) -> Alert:
    return Alert(
        account_id=spec.account_id,
        kind=spec.kind,
        key=spec.key,
        severity=spec.severity,
        message=spec.message,
        value=spec.value,
        threshold=spec.threshold,
        as_of=spec.as_of,
    )


@transaction.atomic
def alert_raise(*, spec: AlertSpec) -> tuple[Alert, bool]:
    """Open an alert, or bump the open one with the same (account, kind, key). Returns (alert, created).

    Only a new alert is emailed, after the transaction commits, so a rolled-back run sends nothing and
    the same condition seen night after night emails once.
    """
    opened = alerts_raise(specs=[spec])
    if opened:
        return opened[0], True
    alert = Alert.objects.get(account_id=spec.account_id, kind=spec.kind, key=spec.key, state=AlertState.OPEN)
    return alert, False


@transaction.atomic
def alerts_raise(*, specs: Sequence[AlertSpec]) -> list[Alert]:
    """`alert_raise` for many conditions at once (a few queries, not a few per alert); returns the
    alerts newly opened, which are emailed after commit. A condition listed twice counts once."""
    unique = list({spec.identity: spec for spec in specs}.values())
    if not unique:
        return []
    open_alerts = {
        (a.account_id, a.kind, a.key): a
        for a in Alert.objects.select_for_update().filter(
            account_id__in={s.account_id for s in unique}, state=AlertState.OPEN
        )
    }
    seen, fresh = [], []
    for spec in unique:
        alert = open_alerts.get(spec.identity)
        if alert is None:
            fresh.append(spec)
        else:
            _seen_again(alert, spec)
            seen.append(alert)
    if seen:
        _save_seen(seen)
    try:
        with transaction.atomic():
            created = Alert.objects.bulk_create([_new(s) for s in fresh], batch_size=500)
    except IntegrityError:
        # A concurrent run opened some of them first (the partial unique constraint): go one by one.
        created = [alert for alert in (_raise_one(s) for s in fresh) if alert is not None]
    _email_after_commit([a.pk for a in created])
    return created


def _raise_one(spec: AlertSpec) -> Alert | None:
    """The new alert, or None when an open one existed (it is bumped instead)."""
    try:
        with transaction.atomic():
            return Alert.objects.create(
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
        alert = Alert.objects.select_for_update().get(
            account_id=spec.account_id, kind=spec.kind, key=spec.key, state=AlertState.OPEN
        )
        _seen_again(alert, spec)
        alert.save(update_fields=_SEEN_FIELDS)
        return None


@transaction.atomic
def alert_acknowledge(*, alert: Alert, user: AbstractBaseUser) -> Alert:
    """Mark an open alert acknowledged by `user`; acknowledging it again changes nothing."""
    updated = Alert.objects.filter(pk=alert.pk, state=AlertState.OPEN).update(
        state=AlertState.ACKNOWLEDGED, acknowledged_by=user, acknowledged_at=timezone.now()
    )
    if updated:
        alert.refresh_from_db()
    return alert
