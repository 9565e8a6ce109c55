"""The permission gate (accounts/scoping.py): one table decides, for every role and action, for staff,
anonymous and inactive users, and every shape of the gate (can, authorize, the raw per-request scope,
for_user) answers the same."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Account, AccountGroup, Membership
from accounts.scoping import (
    ROLES_FOR_ACTION,
    AccountNotVisible,
    Action,
    ActionNotAllowed,
    GroupNotVisible,
    Role,
    authorize,
    can,
    can_on_group,
)
from accounts.selectors import _account_and_role, account_for_user, group_for_user
from tests.factories import AccountFactory, AccountGroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, HIDDEN = "ok", "403", "404"

# The contract's roles, written out rather than derived from ROLES_FOR_ACTION: this pins the table.
EXPECTED: dict[str, dict[Action, str]] = {
    "viewer": {Action.VIEW: OK, Action.TRADE: FORBIDDEN, Action.MANAGE: FORBIDDEN},
    "trader": {Action.VIEW: OK, Action.TRADE: OK, Action.MANAGE: FORBIDDEN},
    "risk_manager": {Action.VIEW: OK, Action.TRADE: OK, Action.MANAGE: OK},
    "member of another account": {Action.VIEW: HIDDEN, Action.TRADE: HIDDEN, Action.MANAGE: HIDDEN},
    "staff": {Action.VIEW: OK, Action.TRADE: OK, Action.MANAGE: OK},
    "superuser": {Action.VIEW: OK, Action.TRADE: OK, Action.MANAGE: OK},
    "anonymous": {Action.VIEW: HIDDEN, Action.TRADE: HIDDEN, Action.MANAGE: HIDDEN},
    "inactive risk_manager": {Action.VIEW: HIDDEN, Action.TRADE: HIDDEN, Action.MANAGE: HIDDEN},
    "inactive staff": {Action.VIEW: HIDDEN, Action.TRADE: HIDDEN, Action.MANAGE: HIDDEN},
}
CASES = [(who, action, outcome) for who, row in EXPECTED.items() for action, outcome in row.items()]


def _user(who: str, account: Account) -> Any:
    if who == "anonymous":
        return AnonymousUser()
    if who in {"viewer", "trader", "risk_manager"}:
        user = UserFactory()
        MembershipFactory(user=user, account=account, role=who)
        return user
    if who == "member of another account":
        user = UserFactory()
        MembershipFactory(user=user, account=AccountFactory(code="ELSEWHERE"), role="risk_manager")
        return user
    if who == "staff":
        return UserFactory(is_staff=True)
    if who == "superuser":
        return UserFactory(is_superuser=True)  # not staff: superusers are firm-wide all the same
    if who == "inactive risk_manager":
        user = UserFactory(is_active=False)
        MembershipFactory(user=user, account=account, role="risk_manager")
        return user
    if who == "inactive staff":
        return UserFactory(is_staff=True, is_active=False)
    raise AssertionError(who)


def _outcome(call: Any) -> str:
    try:
        call()
    except AccountNotVisible:
        return HIDDEN
    except ActionNotAllowed:
        return FORBIDDEN
    return OK


@pytest.mark.parametrize(("who", "action", "outcome"), CASES)
def test_the_gate_decides_every_role_and_action(who: str, action: Action, outcome: str) -> None:
    account = AccountFactory(code="GATE-1")
    user = _user(who, account)

    assert can(user, account, action) is (outcome == OK)
    assert _outcome(lambda: authorize(user, account, action)) == outcome
    # The per-request raw statement, the list scope and the gate agree.
    assert _outcome(lambda: account_for_user(user=user, code="GATE-1", action=action)) == outcome
    assert (account in Account.objects.for_user(user, action)) is (outcome == OK)


def test_the_table_covers_every_action_and_only_known_roles() -> None:
    assert set(ROLES_FOR_ACTION) == set(Action)
    assert set().union(*ROLES_FOR_ACTION.values()) <= set(Role.values)


def test_an_unknown_account_is_hidden_even_from_staff() -> None:
    with pytest.raises(AccountNotVisible):
        account_for_user(user=UserFactory(is_staff=True), code="NOPE", action=Action.VIEW)


def test_the_raw_scope_joins_only_the_roles_the_table_lets_view() -> None:
    account = AccountFactory(code="GATE-2")
    user = UserFactory()
    MembershipFactory(user=user, account=account, role="viewer")
    # A role the table does not know (written behind the model's back) grants nothing, in every shape.
    Membership.objects.filter(user=user).update(role="auditor")

    assert _account_and_role().view_roles == tuple(sorted(ROLES_FOR_ACTION[Action.VIEW]))
    with pytest.raises(AccountNotVisible):
        account_for_user(user=user, code="GATE-2", action=Action.VIEW)
    assert not can(user, account, Action.VIEW)
    assert not Account.objects.for_user(user, Action.VIEW).exists()


# --- desks ------------------------------------------------------------------------------------------


@pytest.fixture
def desk() -> tuple[AccountGroup, Account, Account]:
    first, second = AccountFactory(code="DESK-A1"), AccountFactory(code="DESK-A2")
    group = AccountGroupFactory(code="DESK")
    group.accounts.add(first, second)
    return group, first, second


def _member(roles: dict[Account, str]) -> Any:
    user = UserFactory()
    for account, role in roles.items():
        MembershipFactory(user=user, account=account, role=role)
    return user


def _group_outcome(user: Any, group: AccountGroup, action: Action) -> str:
    """What the desk scope answers; `can_on_group` and the visible list must agree with it."""
    try:
        group_for_user(user=user, code=group.code, action=action)
    except GroupNotVisible:
        found = HIDDEN
    except ActionNotAllowed:
        found = FORBIDDEN
    else:
        found = OK
    assert can_on_group(user, group, action) is (found == OK)
    assert (group in AccountGroup.objects.for_user(user)) is (found != HIDDEN)
    return found


def test_a_risk_manager_of_one_desk_account_sees_the_desk_but_may_not_act_on_it(desk) -> None:
    group, first, _ = desk
    user = _member({first: "risk_manager"})

    assert _group_outcome(user, group, Action.VIEW) == OK
    assert _group_outcome(user, group, Action.MANAGE) == FORBIDDEN
    assert list(AccountGroup.objects.for_user(user)) == [group]


def test_a_risk_manager_of_every_desk_account_manages_the_desk(desk) -> None:
    group, first, second = desk
    user = _member({first: "risk_manager", second: "risk_manager"})

    assert _group_outcome(user, group, Action.VIEW) == OK
    assert _group_outcome(user, group, Action.MANAGE) == OK


@pytest.mark.parametrize("role", ["viewer", "trader"])
def test_viewers_and_traders_of_every_desk_account_do_not_see_the_desk(desk, role: str) -> None:
    group, first, second = desk
    user = _member({first: role, second: role})

    assert _group_outcome(user, group, Action.VIEW) == HIDDEN
    assert not AccountGroup.objects.for_user(user).exists()


def test_staff_manage_every_desk_even_an_empty_one_and_nobody_else_sees_an_empty_one(desk) -> None:
    group, first, _ = desk
    empty = AccountGroupFactory(code="EMPTY")
    manager = _member({first: "risk_manager"})
    staff = UserFactory(is_staff=True)

    assert _group_outcome(staff, empty, Action.MANAGE) == OK
    assert _group_outcome(staff, group, Action.MANAGE) == OK
    assert _group_outcome(manager, empty, Action.VIEW) == HIDDEN
    assert set(AccountGroup.objects.for_user(staff)) == {group, empty}


@pytest.mark.parametrize("who", ["anonymous", "inactive risk_manager", "inactive staff"])
def test_anonymous_and_inactive_users_see_no_desk(desk, who: str) -> None:
    group, first, second = desk
    user = _user(who, first)
    if who == "inactive risk_manager":
        MembershipFactory(user=user, account=second, role="risk_manager")

    assert _group_outcome(user, group, Action.VIEW) == HIDDEN
    assert not AccountGroup.objects.for_user(user).exists()
