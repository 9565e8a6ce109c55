"""The one place where "which accounts may this user see or act on" is decided.

Every view and selector that touches account data goes through `Account.objects.for_user(user, action)`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Action(StrEnum):
    VIEW = "view"  # read positions, summary, risk
    TRADE = "trade"  # checks, fills, releases
    MANAGE = "manage"  # limits, trading state, cash, members


# The roles that may perform each action.
ROLES_FOR_ACTION: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset({"viewer", "trader", "risk_manager"}),
    Action.TRADE: frozenset({"trader", "risk_manager"}),
    Action.MANAGE: frozenset({"risk_manager"}),
}


def is_firm_wide(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff and superusers act as risk managers on every account."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_staff or user.is_superuser))  # type: ignore[union-attr]


class AccountQuerySet(models.QuerySet[Any]):
    def for_user(
        self, user: AbstractBaseUser | AnonymousUser, action: Action | str = Action.VIEW
    ) -> AccountQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_firm_wide(user):
            return self
        roles = ROLES_FOR_ACTION[Action(action)]
        # (user, account) is unique in Membership, so this join yields each account at most once.
        return self.filter(memberships__user=user, memberships__role__in=roles)
