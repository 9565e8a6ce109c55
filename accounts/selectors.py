"""Reads about accounts and who may act on them."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, cast

from django.db import connection

from accounts.models import Account, Membership
from accounts.raw_rows import RowLoader
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
    # Every request under an account runs this: one statement built once per process (the ORM's
    # compilation of the equivalent join cost more than PostgreSQL's answer).
    with connection.cursor() as cursor:
        cursor.execute(_account_and_role(), [cast(int, user.pk), code])
        row = cursor.fetchone()
    if row is None:
        raise AccountNotVisible(code)
    account = _account_loader().load(row[:-1])
    if is_firm_wide(user):
        return account
    role = row[-1]
    if role is None:
        raise AccountNotVisible(code)
    if role not in ROLES_FOR_ACTION[Action(action)]:
        raise ActionNotAllowed(f"Your role on {code} ({role}) does not allow this action.")
    return account


@cache
def _account_loader() -> RowLoader[Account]:
    return RowLoader(Account, "a")


@cache
def _account_and_role() -> str:
    # Table and column names come from the models; the user and the code are bound.
    select = f"SELECT {_account_loader().sql}, m.role FROM {Account._meta.db_table} a "  # noqa: S608
    membership = f"LEFT JOIN {Membership._meta.db_table} m ON m.account_id = a.id AND m.user_id = %s"
    return f"{select} {membership} WHERE a.code = %s"


def role_on(*, user: AbstractBaseUser | AnonymousUser, account: Account) -> str | None:
    """The user's role on the account: staff count as risk managers; None when not a member."""
    if is_firm_wide(user):
        return "risk_manager"
    return (
        Membership.objects.filter(user_id=cast(int, user.pk), account=account)
        .values_list("role", flat=True)
        .first()
    )
