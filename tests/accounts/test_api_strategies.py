from __future__ import annotations

import pytest

from accounts.models import Strategy
from tests.conftest import client_for
from tests.factories import StrategyFactory

pytestmark = pytest.mark.django_db
LIST = "/api/v1/accounts/ACC-1/strategies/"
DETAIL = "/api/v1/accounts/ACC-1/strategies/momo/"


@pytest.fixture
def momo(account):
    return StrategyFactory(account=account, code="momo", name="Momentum")


def test_members_list_the_accounts_strategies(account, momo, viewer) -> None:
    StrategyFactory(code="elsewhere")  # under another account: not listed

    body = client_for(viewer).get(LIST).json()

    assert [(s["code"], s["name"], s["trading_state"]) for s in body["results"]] == [
        ("momo", "Momentum", "active")
    ]


def test_the_strategy_list_is_404_for_another_accounts_member(account, momo, outsider) -> None:
    assert client_for(outsider).get(LIST).status_code == 404


def test_the_strategy_list_is_401_for_anonymous_callers(api_client, account) -> None:
    assert api_client.get(LIST).status_code == 401


def test_a_risk_manager_creates_a_strategy(account, owner) -> None:
    response = client_for(owner).post(LIST, {"code": "carry", "name": "FX carry"}, format="json")

    assert response.status_code == 201
    assert response.json()["account"] == "ACC-1"
    assert account.strategies.filter(code="carry").exists()


@pytest.mark.parametrize("who", ["trader", "viewer"])
def test_traders_and_viewers_may_not_create_strategies(request, account, who) -> None:
    response = client_for(request.getfixturevalue(who)).post(LIST, {"code": "c", "name": "C"}, format="json")

    assert response.status_code == 403
    assert not Strategy.objects.exists()


def test_creating_a_strategy_is_404_for_another_accounts_member(account, outsider) -> None:
    response = client_for(outsider).post(LIST, {"code": "c", "name": "C"}, format="json")

    assert response.status_code == 404
    assert not Strategy.objects.exists()


def test_creating_a_strategy_is_401_for_anonymous_callers(api_client, account) -> None:
    assert api_client.post(LIST, {"code": "c", "name": "C"}, format="json").status_code == 401


def test_the_same_code_may_exist_under_another_account(account, owner) -> None:
    StrategyFactory(code="momo")  # another account

    response = client_for(owner).post(LIST, {"code": "momo", "name": "Mine"}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "momo", "name": "Again"}, "code"),
        ({"code": "bad code", "name": "X"}, "code"),
        ({"code": "ok", "name": "X", "trading_state": "frozen"}, "trading_state"),
        ({"code": "ok", "name": "X", "desk": "rates"}, "desk"),
        ({"code": "ok"}, "name"),
        ({"code": True, "name": "X"}, "code"),
    ],
)
def test_it_rejects_bad_strategies_naming_the_field(account, momo, owner, body, field) -> None:
    response = client_for(owner).post(LIST, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Strategy.objects.count() == 1


def test_members_read_one_strategy(account, momo, viewer) -> None:
    response = client_for(viewer).get(DETAIL)

    assert response.status_code == 200
    assert response.json()["code"] == "momo"


def test_an_unknown_strategy_is_404(account, owner) -> None:
    assert client_for(owner).get("/api/v1/accounts/ACC-1/strategies/nope/").status_code == 404


def test_a_strategy_under_a_hidden_account_is_404(account, momo, outsider) -> None:
    assert client_for(outsider).get(DETAIL).status_code == 404


def test_one_strategy_is_401_for_anonymous_callers(api_client, momo) -> None:
    assert api_client.get(DETAIL).status_code == 401


def test_a_risk_manager_renames_a_strategy(account, momo, owner) -> None:
    response = client_for(owner).patch(DETAIL, {"name": "Momentum v2"}, format="json")

    assert response.status_code == 200
    momo.refresh_from_db()
    assert momo.name == "Momentum v2"


def test_a_trader_may_not_rename_a_strategy(account, momo, trader) -> None:
    assert client_for(trader).patch(DETAIL, {"name": "x"}, format="json").status_code == 403


def test_a_strategy_code_cannot_change(account, momo, owner) -> None:
    response = client_for(owner).patch(DETAIL, {"code": "other"}, format="json")

    assert response.status_code == 400
    assert "code" in response.json()
