from __future__ import annotations

import pytest

from accounts.models import Membership
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LIST = "/api/v1/accounts/ACC-1/members/"


def test_members_see_who_else_is_on_the_account(account, owner, trader, viewer, outsider) -> None:
    body = client_for(viewer).get(LIST).json()

    assert [(m["username"], m["role"]) for m in body["results"]] == [
        ("owner", "risk_manager"),
        ("trader", "trader"),
        ("viewer", "viewer"),
    ]


def test_the_member_list_is_404_for_another_accounts_member(account, owner, outsider) -> None:
    assert client_for(outsider).get(LIST).status_code == 404


def test_the_member_list_is_401_for_anonymous_callers(api_client, account) -> None:
    assert api_client.get(LIST).status_code == 401


def test_a_risk_manager_adds_a_member(account, owner) -> None:
    newcomer = UserFactory(username="newcomer")

    response = client_for(owner).post(LIST, {"username": "newcomer", "role": "trader"}, format="json")

    assert response.status_code == 201
    assert Membership.objects.get(account=account, user=newcomer).role == "trader"


def test_posting_an_existing_member_changes_the_role(account, owner, trader) -> None:
    response = client_for(owner).post(LIST, {"username": "trader", "role": "viewer"}, format="json")

    assert response.status_code == 200
    assert Membership.objects.get(account=account, user=trader).role == "viewer"
    assert Membership.objects.filter(user=trader).count() == 1


@pytest.mark.parametrize("who", ["trader", "viewer"])
def test_traders_and_viewers_may_not_add_members(request, account, who) -> None:
    UserFactory(username="newcomer")
    user = request.getfixturevalue(who)

    response = client_for(user).post(LIST, {"username": "newcomer", "role": "risk_manager"}, format="json")

    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_adding_a_member_is_404_for_another_accounts_member(account, outsider) -> None:
    response = client_for(outsider).post(LIST, {"username": "outsider", "role": "viewer"}, format="json")

    assert response.status_code == 404
    assert not Membership.objects.filter(account=account).exists()


def test_adding_a_member_is_401_for_anonymous_callers(api_client, account) -> None:
    assert api_client.post(LIST, {"username": "x", "role": "viewer"}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "ghost", "role": "viewer"}, "username"),
        ({"username": "newcomer", "role": "admin"}, "role"),
        ({"username": "newcomer"}, "role"),
        ({"username": "newcomer", "role": "viewer", "expires": "never"}, "expires"),
        ({"username": ["newcomer"], "role": "viewer"}, "username"),
    ],
)
def test_it_rejects_bad_members_naming_the_field(account, owner, body, field) -> None:
    UserFactory(username="newcomer")
    before = Membership.objects.count()

    response = client_for(owner).post(LIST, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Membership.objects.count() == before


def test_a_risk_manager_removes_a_member(account, owner, trader) -> None:
    response = client_for(owner).delete(f"{LIST}trader/")

    assert response.status_code == 204
    assert not Membership.objects.filter(user=trader).exists()


def test_removing_someone_who_is_not_a_member_is_404(account, owner, outsider) -> None:
    response = client_for(owner).delete(f"{LIST}outsider/")

    assert response.status_code == 404
    assert Membership.objects.filter(user=outsider).exists()


def test_a_viewer_may_not_remove_members(account, owner, viewer) -> None:
    assert client_for(viewer).delete(f"{LIST}owner/").status_code == 403
    assert Membership.objects.filter(user=owner).exists()


def test_removing_is_404_for_another_accounts_member(account, trader, outsider) -> None:
    assert client_for(outsider).delete(f"{LIST}trader/").status_code == 404
    assert Membership.objects.filter(user=trader).exists()


def test_removing_is_401_for_anonymous_callers(api_client, account, trader) -> None:
    assert api_client.delete(f"{LIST}trader/").status_code == 401


def test_a_member_reads_one_membership(account, owner, viewer) -> None:
    response = client_for(viewer).get(f"{LIST}owner/")

    assert response.status_code == 200
    assert response.json()["role"] == "risk_manager"
