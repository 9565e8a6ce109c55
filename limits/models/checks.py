"""Pre-trade check decisions and the reservations they hold."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account, Strategy


class CheckDecision(models.Model):
    """One pre-trade check: who asked, the order as sent, the answer, and when.

    An accepted check also holds a reservation: `open_quantity` (unsigned, on `side`) counts toward
    the projected positions of later checks until fills naming `check_id` consume it, a release
    frees it, or `expires_at` passes (expired rows simply stop counting; a task zeroes them later).
    Rejected checks have open_quantity 0 and no expiry.
    """

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    check_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="check_decisions")
    strategy = models.ForeignKey(Strategy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    symbol = models.CharField(max_length=64)
    side = models.CharField(max_length=4)
    quantity = models.DecimalField(max_digits=28, decimal_places=10)
    price = models.DecimalField(
        max_digits=28, decimal_places=10, null=True, blank=True, help_text="Limit price as sent."
    )
    order_type = models.CharField(max_length=8, default="limit")
    client_order_id = models.CharField(max_length=128, null=True, blank=True)
    fingerprint = models.CharField(
        max_length=64, help_text="Digest of the order's fields: a replayed client_order_id must match it."
    )
    decision = models.CharField(max_length=8, choices=Outcome.choices)
    violations = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    request = models.JSONField(default=dict, blank=True, help_text="The validated inputs of the check.")
    evaluated_at = models.DateTimeField()
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch_id = models.UUIDField(null=True, blank=True, help_text="Shared by the orders of one basket.")
    # The reservation of an accepted order.
    reserved_price = models.DecimalField(
        max_digits=28,
        decimal_places=10,
        null=True,
        blank=True,
        help_text="Limit price, or the mark for a market order.",
    )
    open_quantity = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    filled_quantity = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    released_quantity = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-evaluated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "client_order_id"],
                condition=Q(client_order_id__isnull=False),
                name="checkdecision_unique_client_order_id",
            ),
            models.CheckConstraint(condition=Q(open_quantity__gte=0), name="checkdecision_open_not_negative"),
        ]
        indexes = [
            models.Index(fields=["account", "-evaluated_at", "-id"], name="checkdecision_log"),
            # The order-rate window of a strategy without Redis counts its decisions of the last minute.
            models.Index(fields=["strategy", "evaluated_at"], name="checkdecision_strategy_recent"),
            # Only open reservations are read on the hot path; the log itself can grow without bound.
            models.Index(
                fields=["account", "symbol"], condition=Q(open_quantity__gt=0), name="checkdecision_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_id} {self.decision} {self.side} {self.quantity} {self.symbol}"


class ReservationTotal(models.Model):
    """Open reservations summed per (account, strategy, symbol, side, expiry): what a check reads.

    The check's snapshot sums these few rows instead of every open CheckDecision, so its cost does not
    grow with the number of working orders. Every writer of `CheckDecision.open_quantity` moves the
    matching total by the same quantity in the same transaction (limits/checks/reservations.py);
    rows past `expires_at` stop counting like the decisions and are deleted by the expiry task.
    `rebuild_reservation_totals` recomputes the table from the decisions.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    strategy = models.ForeignKey(Strategy, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    symbol = models.CharField(max_length=64)
    side = models.CharField(max_length=4)
    expires_at = models.DateTimeField()
    quantity = models.DecimalField(max_digits=28, decimal_places=10)

    class Meta:
        constraints = [
            # Two partial constraints: NULL strategies would never conflict in one.
            models.UniqueConstraint(
                fields=["account", "symbol", "side", "expires_at"],
                condition=Q(strategy__isnull=True),
                name="reservationtotal_unique_account_key",
            ),
            models.UniqueConstraint(
                fields=["account", "strategy", "symbol", "side", "expires_at"],
                condition=Q(strategy__isnull=False),
                name="reservationtotal_unique_strategy_key",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="reservationtotal_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.side} {self.quantity} {self.symbol} until {self.expires_at}"
