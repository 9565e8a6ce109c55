"""The kill switch's history: every change of an account's, strategy's or group's trading state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, AccountGroup, Strategy, TradingState


class TradingStateSource(models.TextChoices):
    ADMIN = "admin", "Admin"
    API = "api", "API"
    SYSTEM = "system", "System"
    WEB = "web", "Web page"


# Exactly one of the three scope columns is set: used by every scoped audit model here.
def one_scope_only(prefix: str) -> models.CheckConstraint:
    one = Q(account__isnull=False, strategy__isnull=True, group__isnull=True)
    two = Q(account__isnull=True, strategy__isnull=False, group__isnull=True)
    three = Q(account__isnull=True, strategy__isnull=True, group__isnull=False)
    return models.CheckConstraint(condition=one | two | three, name=f"{prefix}_exactly_one_scope")


class TradingStateChange(models.Model):
    """One change of trading state (the kill switch), with who, when, why and from where.

    Written in the same transaction as the change itself by `limits.services.trading_state_set`.
    A change to the same state is still recorded: re-affirming a halt with a reason is an event.
    """

    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="trading_state_changes"
    )
    strategy = models.ForeignKey(
        Strategy, null=True, blank=True, on_delete=models.CASCADE, related_name="trading_state_changes"
    )
    group = models.ForeignKey(
        AccountGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="trading_state_changes"
    )
    old_state = models.CharField(max_length=16, choices=TradingState.choices)
    new_state = models.CharField(max_length=16, choices=TradingState.choices)
    reason = models.TextField()
    # PROTECT: who did it must survive the user (deactivate users rather than delete them).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(
        max_length=16, choices=TradingStateSource.choices, default=TradingStateSource.API
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            one_scope_only("tradingstatechange"),
            models.CheckConstraint(condition=~Q(reason=""), name="tradingstatechange_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label}: {self.old_state} -> {self.new_state}"

    @property
    def scope_kind(self) -> str:
        if self.account_id is not None:
            return "account"
        if self.strategy_id is not None:
            return "strategy"
        return "group"

    @property
    def scope_label(self) -> str:
        target = self.account or self.strategy or self.group
        return f"{self.scope_kind} {target}"
