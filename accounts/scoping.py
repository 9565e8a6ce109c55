"""The one gate: who may see an account (or a desk) and what their role lets them do on it.

Every API view, dashboard and admin action asks here, in one of three shapes:
- `can(user, account, action) -> bool` for an account already loaded;
- `Account.objects.for_user(user, action)` (and `AccountGroup.objects.for_user(user)`) for lists;
- `authorize(...)`/`decide(...)`, raising `AccountNotVisible` (the API answers 404: never reveal that
  the account exists) or `ActionNotAllowed` (403: the caller sees it but the role does not allow it).
  The per-request account scope (`accounts.selectors.account_for_user`) reads the role in its one raw
  statement and decides with `decide`; `accounts.selectors.group_for_user` does the same for desks
  with `can_on_group`.

All of them read one table, `ROLES_FOR_ACTION`: nowhere else compares role names. Staff and
superusers act as risk managers on every account; anonymous and inactive users may do nothing.

Desks (account groups): a desk's figures sum its accounts' books and its limits bind all of them, so
seeing a desk takes `GROUP_ACCOUNT_ACTION` (managing) on one of its accounts, and acting on it takes
that on every one of them (an empty desk: staff only).

This module imports no models (accounts.models builds its managers from it); it reaches memberships
through the related managers of the objects it is given.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from accounts.models import Account, AccountGroup

    AnyUser = AbstractBaseUser | AnonymousUser


class Role(models.TextChoices):
    """A user's role on one account (Membership.role)."""

    VIEWER = "viewer", "Viewer"
    TRADER = "trader", "Trader"
    RISK_MANAGER = "risk_manager", "Risk manager"


class Action(StrEnum):
    VIEW = "view"  # read positions, summary, risk
    TRADE = "trade"  # checks, fills, releases
    MANAGE = "manage"  # limits, trading state, cash, members, alerts


# The roles that may perform each action: the whole permission model.
ROLES_FOR_ACTION: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset({Role.VIEWER, Role.TRADER, Role.RISK_MANAGER}),
    Action.TRADE: frozenset({Role.TRADER, Role.RISK_MANAGER}),
    Action.MANAGE: frozenset({Role.RISK_MANAGER}),
}

# What a user must be allowed on a desk's accounts to see it (one) or act on it (all).
GROUP_ACCOUNT_ACTION = Action.MANAGE
GROUP_ACTION_NOT_ALLOWED = "Only staff or a risk manager of every account in the group may do this."


class AccountNotVisible(LookupError):
    """The account does not exist or the user may not see it: the caller must not learn which."""


class GroupNotVisible(LookupError):
    """The desk does not exist or the user may not see it."""


class ActionNotAllowed(PermissionError):
    """The user sees the account (or desk) but their role does not allow the action."""


def roles_for(action: Action | str) -> frozenset[str]:
    """The roles allowed `action` (ValueError for an unknown action: a programming error)."""
    return ROLES_FOR_ACTION[Action(action)]


def is_active_user(user: AnyUser) -> bool:
    """Logged in and not deactivated: nobody else may see anything."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_firm_wide(user: AnyUser) -> bool:
    """Staff and superusers act as risk managers on every account, and alone do firm-wide things
    (create accounts and desks, edit reference data)."""
    return is_active_user(user) and bool(
        getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)
    )


def decide(user: AnyUser, role: str | None, action: Action | str, *, code: str = "") -> None:
    """Allow `action` to `user` whose role on the account is `role` (None: not a member), or raise.

    AccountNotVisible when the user may not see the account, ActionNotAllowed when they see it but
    the role does not allow `action`.
    """
    allowed = roles_for(action)
    if not is_active_user(user):
        raise AccountNotVisible(code)
    if is_firm_wide(user):
        return
    if role is None or role not in roles_for(Action.VIEW):
        raise AccountNotVisible(code)
    if role not in allowed:
        raise ActionNotAllowed(f"Your role on {code} ({role}) does not allow this action.")


def role_of(user: AnyUser, account: Account) -> str | None:
    """The user's membership role on `account`, None when not a member (one query)."""
    if not is_active_user(user):
        return None
    return account.memberships.filter(user_id=cast(int, user.pk)).values_list("role", flat=True).first()


def authorize(user: AnyUser, account: Account, action: Action | str) -> None:
    """`decide` for an account already loaded (one query unless the user is staff or anonymous)."""
    role = None if is_firm_wide(user) else role_of(user, account)
    decide(user, role, action, code=account.code)


def can(user: AnyUser, account: Account, action: Action | str) -> bool:
    """May `user` perform `action` on `account`?"""
    try:
        authorize(user, account, action)
    except (AccountNotVisible, ActionNotAllowed):
        return False
    return True


def can_on_group(user: AnyUser, group: AccountGroup, action: Action | str) -> bool:
    """May `user` perform `action` on the desk `group`? VIEW: allowed GROUP_ACCOUNT_ACTION on one of
    its accounts; anything else: on every one of them (an empty desk: staff only)."""
    action = Action(action)
    if is_firm_wide(user):
        return True
    if not is_active_user(user):
        return False
    allowed = group.accounts.filter(
        memberships__user_id=cast(int, user.pk), memberships__role__in=roles_for(GROUP_ACCOUNT_ACTION)
    )
    if action is Action.VIEW:
        return allowed.exists()
    # (user, account) is unique in Membership: the join counts each account at most once.
    total = group.accounts.count()
    return total > 0 and allowed.count() == total


class AccountQuerySet(models.QuerySet[Any]):
    def for_user(self, user: AnyUser, action: Action | str = Action.VIEW) -> AccountQuerySet:
        """The accounts on which `user` may perform `action`."""
        roles = roles_for(action)
        if not is_active_user(user):
            return self.none()
        if is_firm_wide(user):
            return self
        # (user, account) is unique in Membership, so this join yields each account at most once.
        return self.filter(memberships__user=user, memberships__role__in=roles)


class AccountGroupQuerySet(models.QuerySet[Any]):
    def for_user(self, user: AnyUser) -> AccountGroupQuerySet:
        """The desks `user` may see: all for staff; else those holding an account they may manage."""
        if not is_active_user(user):
            return self.none()
        if is_firm_wide(user):
            return self
        return self.filter(
            accounts__memberships__user=user, accounts__memberships__role__in=roles_for(GROUP_ACCOUNT_ACTION)
        ).distinct()
