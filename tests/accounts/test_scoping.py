from __future__ import annotations

import pytest

from accounts.models import Account
from tests.factories import AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_scopes_accounts_to_memberships_with_an_allowed_role() -> None:
    mine = AccountFactory(code="MINE")
    AccountFactory(code="THEIRS")
    viewer = UserFactory()
    MembershipFactory(user=viewer, account=mine, role="viewer")

    assert list(Account.objects.for_user(viewer, "view").values_list("code", flat=True)) == ["MINE"]
    assert not Account.objects.for_user(viewer, "trade").exists()
    assert not Account.objects.for_user(viewer, "manage").exists()


def test_it_gives_staff_every_account_and_anonymous_none() -> None:
    from django.contrib.auth.models import AnonymousUser

    AccountFactory(code="A1")
    AccountFactory(code="A2")
    staff = UserFactory(is_staff=True)

    assert Account.objects.for_user(staff, "manage").count() == 2
    assert Account.objects.for_user(AnonymousUser(), "view").count() == 0


def test_a_risk_manager_may_trade_and_manage_only_their_account() -> None:
    mine = AccountFactory(code="MINE")
    AccountFactory(code="THEIRS")
    manager = UserFactory()
    MembershipFactory(user=manager, account=mine, role="risk_manager")

    assert list(Account.objects.for_user(manager, "trade")) == [mine]
    assert list(Account.objects.for_user(manager, "manage")) == [mine]


def test_account_for_user_hides_unseen_accounts_and_refuses_insufficient_roles() -> None:
    from accounts.selectors import AccountNotVisible, ActionNotAllowed, account_for_user

    mine = AccountFactory(code="MINE")
    AccountFactory(code="THEIRS")
    viewer = UserFactory()
    MembershipFactory(user=viewer, account=mine, role="viewer")

    assert account_for_user(user=viewer, code="MINE", action="view") == mine
    with pytest.raises(ActionNotAllowed):
        account_for_user(user=viewer, code="MINE", action="trade")
    with pytest.raises(AccountNotVisible):
        account_for_user(user=viewer, code="THEIRS", action="view")
    with pytest.raises(AccountNotVisible):
        account_for_user(user=viewer, code="NOPE", action="view")


def test_account_for_user_loads_the_whole_row_and_gives_staff_any_account() -> None:
    from accounts.selectors import AccountNotVisible, account_for_user

    theirs = AccountFactory(code="THEIRS", name="Their book", base_currency="EUR")
    staff = UserFactory(is_staff=True)

    found = account_for_user(user=staff, code="THEIRS", action="manage")

    assert (found.pk, found.name, found.base_currency, found.created_at) == (
        theirs.pk,
        "Their book",
        "EUR",
        theirs.created_at,
    )
    found.name = "Renamed"
    found.save()
    theirs.refresh_from_db()
    assert theirs.name == "Renamed"
    with pytest.raises(AccountNotVisible):
        account_for_user(user=staff, code="NOPE", action="view")
