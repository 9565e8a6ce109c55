"""Listings: fills and cash movements within the caller's accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.models import Account
from accounts.scoping import Action
from positions.models import CashMovement, Fill

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def fills_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Fill]:
    """Fills of every account the user may see, newest first."""
    return (
        Fill.objects.filter(account__in=Account.objects.for_user(user, Action.VIEW).values("pk"))
        .select_related("account", "strategy", "instrument")
        .order_by("-executed_at", "-id")
    )


def cash_movements_for_account(*, account: Account) -> QuerySet[CashMovement]:
    """The account's deposits and withdrawals, newest first."""
    return CashMovement.objects.filter(account=account).order_by("-recorded_at", "-id")
