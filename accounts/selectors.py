"""Reads about accounts and desks, each decided by the permission gate (accounts/scoping.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, cast

from django.db import connection

from accounts.models import Account, AccountGroup, Membership
from accounts.raw_rows import RowLoader
from accounts.scoping import (
    GROUP_ACTION_NOT_ALLOWED,
    AccountNotVisible,
    Action,
    ActionNotAllowed,
    GroupNotVisible,
    can_on_group,
    decide,
    is_active_user,
    is_firm_wide,
    roles_for,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

__all__ = ["AccountNotVisible", "ActionNotAllowed", "GroupNotVisible", "account_for_user", "group_for_user"]


def account_for_user(*, user: AbstractBaseUser | AnonymousUser, code: str, action: Action | str) -> Account:
    """The account `code` if `user` may perform `action` on it, in one query.

    Raises AccountNotVisible (answer 404) or ActionNotAllowed (answer 403).
    """
    if not is_active_user(user):
        raise AccountNotVisible(code)
    # Every request under an account runs this: one statement built once per process (the ORM's
    # compilation of the equivalent join cost more than PostgreSQL's answer).
    statement = _account_and_role()
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [cast(int, user.pk), *statement.view_roles, code])
        row = cursor.fetchone()
    if row is None:
        raise AccountNotVisible(code)
    # The gate decides on the role read with the row (None: no membership that may view).
    decide(user, None if is_firm_wide(user) else row[-1], action, code=code)
    return statement.account.load(row[:-1])


@dataclass(frozen=True)
class _AccountAndRole:
    sql: str
    view_roles: tuple[str, ...]
    account: RowLoader[Account]


@cache
def _account_and_role() -> _AccountAndRole:
    account = RowLoader(Account, "a")
    # The membership joins only with a role that may view, from the gate's table, as `for_user` does;
    # the gate then decides the action on the role read. Table and column names come from the models;
    # the user, the roles and the code are bound.
    view_roles = tuple(sorted(roles_for(Action.VIEW)))
    placeholders = ", ".join(["%s"] * len(view_roles))
    select = f"SELECT {account.sql}, m.role FROM {Account._meta.db_table} a "  # noqa: S608
    membership = (
        f"LEFT JOIN {Membership._meta.db_table} m "
        f"ON m.account_id = a.id AND m.user_id = %s AND m.role IN ({placeholders})"
    )
    return _AccountAndRole(
        sql=f"{select} {membership} WHERE a.code = %s", view_roles=view_roles, account=account
    )


def group_for_user(
    *, user: AbstractBaseUser | AnonymousUser, code: str, action: Action | str
) -> AccountGroup:
    """The desk `code` if `user` may perform `action` on it.

    Raises GroupNotVisible (answer 404) or ActionNotAllowed (answer 403).
    """
    group: AccountGroup | None = AccountGroup.objects.for_user(user).filter(code=code).first()
    if group is None:
        raise GroupNotVisible(code)
    # Seen already (the queryset above); any other action takes the gate's desk rule.
    if Action(action) is not Action.VIEW and not can_on_group(user, group, action):
        raise ActionNotAllowed(GROUP_ACTION_NOT_ALLOWED)
    return group
