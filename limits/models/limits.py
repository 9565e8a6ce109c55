"""Limits per scope (account, strategy or account group), their change history and temporary overrides.

Money limits are in the scope's base currency: an account's `base_currency`, a group's
`base_currency`, a strategy its account's. Percentages are percent numbers (5 = 5%).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, AccountGroup, Strategy
from limits.models.trading_state import one_scope_only

# Same precision as quantities and money everywhere else (positions.models).
MAX_DIGITS = 28
DECIMAL_PLACES = 10

DECIMAL_LIMIT_FIELDS: tuple[str, ...] = (
    "max_order_quantity",
    "max_order_notional",
    "max_position_quantity",
    "max_position_notional",
    "max_gross_exposure",
    "max_net_exposure",
    "max_daily_loss",
    "max_leverage",
    "max_var",
    "price_collar_pct",
)
# Limits stated in the scope's base currency.
MONEY_LIMIT_FIELDS: frozenset[str] = frozenset(
    {
        "max_order_notional",
        "max_position_notional",
        "max_gross_exposure",
        "max_net_exposure",
        "max_daily_loss",
        "max_var",
    }
)
INTEGER_LIMIT_FIELDS: tuple[str, ...] = ("max_orders_per_minute",)
# Every field of the contract, in the contract's order.
LIMIT_FIELDS: tuple[str, ...] = (
    *DECIMAL_LIMIT_FIELDS,
    *INTEGER_LIMIT_FIELDS,
    "warn_utilization_pct",
    "restricted_symbols",
)
# Fields a temporary override may change: the numeric ones (not the restricted list).
OVERRIDABLE_FIELDS: tuple[str, ...] = (*DECIMAL_LIMIT_FIELDS, *INTEGER_LIMIT_FIELDS, "warn_utilization_pct")
DEFAULT_WARN_UTILIZATION_PCT = 80


class ScopeKind(models.TextChoices):
    ACCOUNT = "account", "Account"
    STRATEGY = "strategy", "Strategy"
    GROUP = "group", "Account group"


def _limit(help_text: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=help_text,
    )


class LimitSet(models.Model):
    """The limits of one account, strategy or account group. Every limit is optional: null = no limit.

    Group limits apply to the sum over the group's accounts. An order must pass its strategy's,
    its account's and every group's limits. Never edit rows directly: go through
    `limits.services.limit_set_update`, which writes the history (`LimitChange`) and clears the cache.
    """

    account = models.OneToOneField(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="limit_set"
    )
    strategy = models.OneToOneField(
        Strategy, null=True, blank=True, on_delete=models.CASCADE, related_name="limit_set"
    )
    group = models.OneToOneField(
        AccountGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="limit_set"
    )

    max_order_quantity = _limit("Largest quantity of a single order.")
    max_order_notional = _limit("Largest notional of a single order, in the scope's base currency.")
    max_position_quantity = _limit("Largest absolute position per instrument, in units.")
    max_position_notional = _limit(
        "Largest absolute position notional per instrument, in the scope's base currency."
    )
    max_gross_exposure = _limit("Largest sum of |notional| over all instruments, in base currency.")
    max_net_exposure = _limit("Largest |sum of signed notional| over all instruments, in base currency.")
    max_daily_loss = _limit(
        "Loss (positive number) at which risk-increasing orders are blocked for the rest of the day."
    )
    max_leverage = _limit("Largest gross exposure / equity, e.g. 4 = 4x.")
    max_var = _limit("Largest 1-day VaR of the latest risk report, in base currency.")
    price_collar_pct = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Largest distance of a limit order's price from the latest mark, in percent of the mark "
        "(5 = a buy or sell priced more than 5% away from the mark is rejected).",
    )
    max_orders_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Largest number of checked orders in any rolling minute."
    )
    warn_utilization_pct = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        default=DEFAULT_WARN_UTILIZATION_PCT,
        help_text="Warn when an order leaves a limit at or above this percent of its value (0-100].",
    )
    restricted_symbols = models.JSONField(
        default=list,
        blank=True,
        help_text="Symbols that may not be traded (exact, case-sensitive; may name symbols not yet listed).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            one_scope_only("limitset"),
            models.CheckConstraint(
                condition=Q(warn_utilization_pct__gt=0, warn_utilization_pct__lte=100),
                name="limitset_warn_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(price_collar_pct__isnull=True) | Q(price_collar_pct__gt=0),
                name="limitset_price_collar_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_orders_per_minute__isnull=True) | Q(max_orders_per_minute__gt=0),
                name="limitset_orders_per_minute_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Limits of {self.scope_label}"

    @property
    def scope_kind(self) -> str:
        if self.account_id is not None:
            return ScopeKind.ACCOUNT
        if self.strategy_id is not None:
            return ScopeKind.STRATEGY
        return ScopeKind.GROUP

    @property
    def scope_id(self) -> int:
        return int(self.account_id or self.strategy_id or self.group_id or 0)

    @property
    def scope_label(self) -> str:
        target = self.account or self.strategy or self.group
        return f"{self.scope_kind} {target}"


class LimitChangeSource(models.TextChoices):
    ADMIN = "admin", "Admin"
    API = "api", "API"
    OVERRIDE = "override", "Temporary override"
    EXPIRY = "expiry", "Override expired"
    WEB = "web", "Web page"


class LimitChange(models.Model):
    """One changed field of a LimitSet: old and new value, who, when, why, from where.

    Values are JSON: decimal and integer limits as strings ("1000000"), null for "no limit",
    `restricted_symbols` as a list. Written in the same transaction as the change.
    """

    limit_set = models.ForeignKey(LimitSet, on_delete=models.CASCADE, related_name="changes")
    # Denormalised so that history reads and filters need no join through three scope tables.
    scope_kind = models.CharField(max_length=16, choices=ScopeKind.choices, db_index=True)
    scope_label = models.CharField(max_length=200)
    field = models.CharField(max_length=64, db_index=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    reason = models.TextField()
    source = models.CharField(max_length=16, choices=LimitChangeSource.choices)
    override = models.ForeignKey(
        "LimitOverride", null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    # PROTECT: who did it must survive the user (deactivate users rather than delete them).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="limitchange_reason_required")]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.field}: {self.old_value} -> {self.new_value}"


class LimitOverride(models.Model):
    """A temporary limit: `value` replaces the field's limit while now < expires_at.

    The effective limit is computed at read time, so the override lapses on time even if no worker
    runs; the `expire_limit_overrides` task only stamps `reverted_at` and writes the history row.
    `reverted_at` is also set when a risk manager ends the override early.
    """

    limit_set = models.ForeignKey(LimitSet, on_delete=models.CASCADE, related_name="overrides")
    field = models.CharField(max_length=64, choices=[(name, name) for name in OVERRIDABLE_FIELDS])
    value = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, validators=[MinValueValidator(0)]
    )
    expires_at = models.DateTimeField()
    reason = models.TextField()
    # PROTECT: who did it must survive the user (deactivate users rather than delete them).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reverted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="limitoverride_reason_required"),
            models.CheckConstraint(condition=Q(value__gte=0), name="limitoverride_value_non_negative"),
        ]
        indexes = [models.Index(fields=["reverted_at", "expires_at"], name="limitoverride_open_idx")]

    def __str__(self) -> str:
        return f"{self.field}={self.value} until {self.expires_at:%Y-%m-%d %H:%M}"

    def is_active(self, at: datetime | None = None) -> bool:
        return self.reverted_at is None and (at or timezone.now()) < self.expires_at
