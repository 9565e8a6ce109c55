"""Accounts, their strategies, account groups (desks) and who may act on them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from accounts.scoping import AccountGroupQuerySet, AccountQuerySet, Role

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    "Use 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit.",
)
currency_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{2,9}$", "Use an ISO 4217 code or a crypto ticker, e.g. USD."
)


class TradingState(models.TextChoices):
    """The kill switch: halted rejects every order, reduce_only accepts only orders towards flat."""

    ACTIVE = "active", "Active"
    REDUCE_ONLY = "reduce_only", "Reduce only"
    HALTED = "halted", "Halted"


class Account(models.Model):
    """A trading account: positions, cash and limits are held per account, in its base currency."""

    code = models.CharField(max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    base_currency = models.CharField(max_length=10, validators=[currency_validator])
    trading_state = models.CharField(max_length=16, choices=TradingState.choices, default=TradingState.ACTIVE)
    alert_recipients = models.TextField(
        blank=True, default="", help_text="Extra alert email addresses, one per line, besides risk managers."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[AccountQuerySet] = AccountQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Strategy(models.Model):
    """A trading strategy under an account; it may carry limits and a kill switch of its own."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="strategies")
    code = models.CharField(max_length=64, validators=[code_validator])
    name = models.CharField(max_length=200)
    trading_state = models.CharField(max_length=16, choices=TradingState.choices, default=TradingState.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["account", "code"], name="strategy_unique_code_per_account")
        ]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return f"{self.account.code}/{self.code}"


class Membership(models.Model):
    """A user's role on one account."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    # The roles and what each allows are defined with the permission gate (accounts/scoping.py).
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account__code", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="membership_unique_user_account")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} on {self.account.code}"


class AccountGroup(models.Model):
    """A desk: several accounts whose group limits apply to the sum over them."""

    code = models.CharField(max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    base_currency = models.CharField(max_length=10, validators=[currency_validator], default="USD")
    accounts = models.ManyToManyField(Account, related_name="groups", blank=True)
    trading_state = models.CharField(max_length=16, choices=TradingState.choices, default=TradingState.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[AccountGroupQuerySet] = AccountGroupQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ChangeLogEntry(models.Model):
    """Who changed an account, strategy, membership or group, when, from what to what, and why.

    Limits and trading states keep their own, richer history in the limits app; this log covers the
    rest of the account set-up, so that every change a risk manager makes can be traced.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    object_type = models.CharField(max_length=16)
    object_repr = models.CharField(max_length=200)
    # Kept when the object goes: an audit row outlives what it describes.
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="change_log"
    )
    group = models.ForeignKey(
        AccountGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="change_log"
    )
    changes = models.JSONField(default=dict, help_text="{field: [old, new]}")
    reason = models.CharField(max_length=500, blank=True, default="")
    source = models.CharField(max_length=16, default="api")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "change log"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_repr}"
