"""Every change of the account set-up leaves a change-log row: who, when, old and new, in the same
transaction as the change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Account, AccountGroup, ChangeLogEntry
from accounts.services import account_update, membership_delete, membership_set, strategy_create
from limits.services import account_group_update, limit_set_update
from positions.models import CashMovement
from tests.conftest import client_for
from tests.factories import AccountFactory, AccountGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_account_changes_are_logged_with_old_and_new_values(account, owner) -> None:
    account_update(account=account, changed_by=owner, name="Renamed", reason="desk rename")

    entry = ChangeLogEntry.objects.get(account=account, action="update")
    assert entry.changes == {"name": ["Account ACC-1", "Renamed"]}
    assert entry.actor == owner
    assert entry.reason == "desk rename"


def test_an_update_that_changes_nothing_writes_no_row(account, owner) -> None:
    account_update(account=account, changed_by=owner, name=account.name)

    assert not ChangeLogEntry.objects.filter(account=account).exists()


def test_strategy_and_membership_changes_are_logged(account, owner) -> None:
    strategy_create(account=account, code="momo", name="Momentum", created_by=owner)
    member = UserFactory(username="newbie")
    membership_set(account=account, user=member, role="viewer", changed_by=owner)
    membership_set(account=account, user=member, role="trader", changed_by=owner)
    membership_delete(account=account, user=member, changed_by=owner)

    rows = list(
        ChangeLogEntry.objects.filter(account=account).order_by("id").values_list("object_type", "action")
    )
    assert rows == [
        ("strategy", "create"),
        ("membership", "create"),
        ("membership", "update"),
        ("membership", "delete"),
    ]
    update = ChangeLogEntry.objects.get(object_type="membership", action="update")
    assert update.changes == {"role": ["viewer", "trader"]}


def test_group_membership_changes_are_logged(owner) -> None:
    AccountFactory(code="A2")
    group = AccountGroupFactory(code="DESK")
    group.accounts.set([AccountFactory(code="A1")])

    account_group_update(group=group, accounts=["A1", "A2"], changed_by=owner, reason="new joiner")

    entry = ChangeLogEntry.objects.get(group=group)
    assert entry.changes == {"accounts": [["A1"], ["A1", "A2"]]}
    assert entry.reason == "new joiner"


def test_the_base_currency_is_fixed_once_money_has_moved(account, owner) -> None:
    CashMovement.objects.create(account=account, movement_id="M1", currency="USD", amount=Decimal(10))

    response = client_for(owner).patch(
        reverse("account-detail", args=[account.code]), {"base_currency": "EUR"}, format="json"
    )

    assert response.status_code == 400
    assert "base_currency" in response.json()
    assert Account.objects.get(pk=account.pk).base_currency == "USD"
    assert not ChangeLogEntry.objects.exists()


def test_a_group_currency_cannot_change_under_money_limits(owner) -> None:
    group = AccountGroupFactory(code="DESK")
    limit_set_update(
        target=group, values={"max_gross_exposure": Decimal(1000)}, reason="set", changed_by=owner
    )

    with pytest.raises(Exception, match="money limits"):
        account_group_update(group=group, base_currency="EUR", changed_by=owner)
    assert AccountGroup.objects.get(pk=group.pk).base_currency == "USD"


def test_the_change_log_endpoint_is_scoped_like_the_account(account, owner, outsider, api_client) -> None:
    account_update(account=account, changed_by=owner, name="Renamed")
    url = reverse("account-changes", args=[account.code])

    response = client_for(owner).get(url)
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["changes"] == {"name": ["Account ACC-1", "Renamed"]}
    assert row["actor"] == "owner"
    assert client_for(outsider).get(url).status_code == 404
    assert api_client.get(url).status_code == 401


def test_admin_edits_are_logged_with_the_admin_user(account, client) -> None:
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:accounts_account_change", args=[account.pk])
    form = {
        "code": account.code,
        "name": "Via admin",
        "base_currency": "USD",
        "alert_recipients": "",
        "strategies-TOTAL_FORMS": "0",
        "strategies-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    response = client.post(url, form)

    assert response.status_code == 302, response.content[:2000]
    entry = ChangeLogEntry.objects.get(account=account, source="admin")
    assert entry.changes == {"name": ["Account ACC-1", "Via admin"]}
    assert entry.actor == admin_user
