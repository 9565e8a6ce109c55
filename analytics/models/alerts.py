"""Alerts raised by the nightly risk run."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account


class AlertKind(models.TextChoices):
    VAR_LIMIT = "var_limit", "VaR over limit"
    LIMIT_UTILIZATION = "limit_utilization", "VaR limit utilization"
    BACKTEST_RED = "backtest_red", "Backtest in the red zone"
    REPORT_FAILED = "report_failed", "Risk report failed"


class AlertSeverity(models.TextChoices):
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class AlertState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class Alert(models.Model):
    """A condition a risk manager should look at.

    At most one open alert per (account, kind, key): a condition seen again on the next nightly run
    bumps `last_seen_at` and `occurrences` of the open alert instead of raising (and emailing) a new
    one. Once acknowledged, the next occurrence opens a new alert.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    key = models.CharField(max_length=200, blank=True, default="", help_text="Deduplication key within kind.")
    severity = models.CharField(max_length=16, choices=AlertSeverity.choices, default=AlertSeverity.WARNING)
    message = models.TextField()
    value = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    as_of = models.DateField(null=True, blank=True, help_text="Report day that raised it.")
    state = models.CharField(max_length=16, choices=AlertState.choices, default=AlertState.OPEN)
    occurrences = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)
    # PROTECT: who did it must survive the user (deactivate users rather than delete them).
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "key"],
                condition=Q(state="open"),
                name="alert_one_open_per_key",
            )
        ]
        indexes = [models.Index(fields=["state", "account"], name="alert_state_account")]

    def __str__(self) -> str:
        return f"{self.account.code} {self.kind} {self.state}"
