from __future__ import annotations

import pytest

from accounts.models import Account
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
LIST = "/api/v1/accounts/"
DETAIL = "/api/v1/accounts/ACC-1/"


# --- list ---------------------------------------------------------------------------------------


def test_the_list_shows_only_the_callers_accounts(account, owner, outsider) -> None:
    mine = client_for(owner).get(LIST).json()
    theirs = client_for(outsider).get(LIST).json()

    assert [a["code"] for a in mine["results"]] == ["ACC-1"]
    assert [a["code"] for a in theirs["results"]] == ["OTHER-1"]


def test_staff_see_every_account(account, outsider, staff) -> None:
    body = client_for(staff).get(LIST).json()

    assert body["count"] == 2


def test_the_list_is_401_for_anonymous_callers(api_client, account) -> None:
    assert api_client.get(LIST).status_code == 401


def test_the_account_shape_follows_the_contract(account, owner) -> None:
    body = client_for(owner).get(LIST).json()["results"][0]

    assert {"code", "name", "base_currency", "trading_state"} <= set(body)
    assert body["trading_state"] == "active"


# --- create -------------------------------------------------------------------------------------

NEW = {"code": "NEW-1", "name": "New book", "base_currency": "EUR"}


def test_staff_create_an_account(staff) -> None:
    response = client_for(staff).post(LIST, NEW, format="json")

    assert response.status_code == 201
    assert response.json()["code"] == "NEW-1"
    assert Account.objects.get(code="NEW-1").base_currency == "EUR"


@pytest.mark.parametrize("who", ["owner", "trader", "viewer", "outsider"])
def test_only_staff_may_create_accounts(request, account, who) -> None:
    user = request.getfixturevalue(who)

    response = client_for(user).post(LIST, NEW, format="json")

    assert response.status_code == 403
    assert not Account.objects.filter(code="NEW-1").exists()


def test_creating_is_401_for_anonymous_callers(api_client, db) -> None:
    assert api_client.post(LIST, NEW, format="json").status_code == 401
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"base_currency": "usd"}, "base_currency"),
        ({"base_currency": "US"}, "base_currency"),
        ({"base_currency": 840}, "base_currency"),
        ({"code": "has space"}, "code"),
        ({"code": "ACC-1"}, "code"),  # already taken
        ({"code": "x" * 65}, "code"),
        ({"name": ""}, "name"),
        ({"trading_state": "paused"}, "trading_state"),
        ({"colour": "red"}, "colour"),
        ({"name": ["a list"]}, "name"),
    ],
)
def test_it_rejects_bad_accounts_naming_the_field(staff, account, change, field) -> None:
    before = Account.objects.count()

    response = client_for(staff).post(LIST, {**NEW, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Account.objects.count() == before


def test_it_names_missing_required_fields(staff) -> None:
    response = client_for(staff).post(LIST, {"code": "NEW-1"}, format="json")

    assert response.status_code == 400
    assert {"name", "base_currency"} <= set(response.json())


# --- detail -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "trader", "viewer", "staff"])
def test_members_and_staff_read_the_account(request, account, who) -> None:
    response = client_for(request.getfixturevalue(who)).get(DETAIL)

    assert response.status_code == 200
    assert response.json()["base_currency"] == "USD"


def test_a_member_of_another_account_gets_404(account, outsider) -> None:
    assert client_for(outsider).get(DETAIL).status_code == 404


def test_an_unknown_account_is_404_like_a_hidden_one(staff) -> None:
    assert client_for(staff).get("/api/v1/accounts/NOPE/").status_code == 404


def test_the_detail_is_401_for_anonymous_callers(api_client, account) -> None:
    assert api_client.get(DETAIL).status_code == 401


# --- update -------------------------------------------------------------------------------------


def test_a_risk_manager_renames_the_account(account, owner) -> None:
    response = client_for(owner).patch(DETAIL, {"name": "Macro book", "base_currency": "EUR"}, format="json")

    assert response.status_code == 200
    account.refresh_from_db()
    assert (account.name, account.base_currency) == ("Macro book", "EUR")


@pytest.mark.parametrize("who", ["trader", "viewer"])
def test_traders_and_viewers_may_not_change_the_account(request, account, who) -> None:
    response = client_for(request.getfixturevalue(who)).patch(DETAIL, {"name": "Mine now"}, format="json")

    assert response.status_code == 403
    account.refresh_from_db()
    assert account.name != "Mine now"


def test_a_risk_manager_of_another_account_gets_404_on_update(account, outsider) -> None:
    assert client_for(outsider).patch(DETAIL, {"name": "x"}, format="json").status_code == 404


def test_updating_is_401_for_anonymous_callers(api_client, account) -> None:
    assert api_client.patch(DETAIL, {"name": "x"}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "ACC-2"}, "code"),
        ({"base_currency": "dollars"}, "base_currency"),
        ({"trading_state": "off"}, "trading_state"),
        ({"owner": "me"}, "owner"),
        ({"name": ""}, "name"),
    ],
)
def test_it_rejects_bad_updates_and_changes_nothing(account, owner, change, field) -> None:
    before = Account.objects.values().get(pk=account.pk)

    response = client_for(owner).patch(DETAIL, change, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Account.objects.values().get(pk=account.pk) == before


def test_repeating_the_same_code_in_a_patch_is_allowed(account, owner) -> None:
    response = client_for(owner).patch(DETAIL, {"code": "ACC-1", "name": "Same code"}, format="json")

    assert response.status_code == 200
