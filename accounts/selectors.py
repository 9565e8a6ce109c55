"""Reads about accounts and who may act on them."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from accounts.models import Account, Membership
from accounts.scoping import ROLES_FOR_ACTION, Action, is_firm_wide

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class AccountNotVisible(LookupError):
    """The account does not exist or the user may not see it: the caller must not learn which."""


class ActionNotAllowed(PermissionError):
    """The user sees the account but their role does not allow the action."""


def account_for_user(*, user: AbstractBaseUser | AnonymousUser, code: str, action: Action | str) -> Account:
    """The account `code` if `user` may perform `action` on it, in one query.

    Raises AccountNotVisible (answer 404) or ActionNotAllowed (answer 403).
    """
    if not getattr(user, "is_authenticated", False):
        raise AccountNotVisible(code)
    if is_firm_wide(user):
        try:
            return Account.objects.get(code=code)
        except Account.DoesNotExist:
            raise AccountNotVisible(code) from None
    # (user, account) is unique: a plain get, with no ORDER BY (Membership.Meta.ordering would join
    # auth_user only to sort one row). This runs on every request under an account.
    try:
        membership = Membership.objects.select_related("account").get(
            user_id=cast(int, user.pk), account__code=code
        )
    except Membership.DoesNotExist:
        raise AccountNotVisible(code) from None
    if membership.role not in ROLES_FOR_ACTION[Action(action)]:
        raise ActionNotAllowed(f"Your role on {code} ({membership.role}) does not allow this action.")
    return membership.account


def role_on(*, user: AbstractBaseUser | AnonymousUser, account: Account) -> str | None:
    """The user's role on the account: staff count as risk managers; None when not a member."""
    if is_firm_wide(user):
        return "risk_manager"
    return (
        Membership.objects.filter(user_id=cast(int, user.pk), account=account)
        .values_list("role", flat=True)
        .first()
    )
