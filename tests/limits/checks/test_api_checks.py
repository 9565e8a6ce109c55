"""The /checks/ endpoints: who may call them, malformed input, response shape."""

from __future__ import annotations

import pytest

from tests.conftest import client_for
from tests.limits.checks.conftest import order

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(funded, check):
    return check()


def _post(client, path, body):
    return client.post(path, body, format="json")


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("trader", 200), ("viewer", 403), ("outsider", 404)]
)
def test_who_may_check_an_order(funded, request, who, status):
    client = client_for(request.getfixturevalue(who))
    assert _post(client, "/api/v1/checks/", order()).status_code == status
    assert _post(client, "/api/v1/checks/batch/", {"orders": [order()]}).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("trader", 200), ("viewer", 403), ("outsider", 404)]
)
def test_who_may_release(accepted, request, who, status):
    client = client_for(request.getfixturevalue(who))
    assert _post(client, f"/api/v1/checks/{accepted['check_id']}/release/", {}).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("trader", 200), ("viewer", 200), ("outsider", 404)]
)
def test_who_may_read_a_decision(accepted, request, who, status):
    # The contract lets viewers read everything on their account; the log is a read.
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"/api/v1/checks/{accepted['check_id']}/").status_code == status
    assert client.get("/api/v1/checks/", {"account": "ACC-1"}).status_code == status


def test_anonymous_callers_get_401_everywhere(accepted, api_client):
    check_id = accepted["check_id"]
    assert _post(api_client, "/api/v1/checks/", order()).status_code == 401
    assert _post(api_client, "/api/v1/checks/batch/", {"orders": [order()]}).status_code == 401
    assert _post(api_client, f"/api/v1/checks/{check_id}/release/", {}).status_code == 401
    assert api_client.get(f"/api/v1/checks/{check_id}/").status_code == 401
    assert api_client.get("/api/v1/checks/").status_code == 401


def test_an_unknown_check_is_404(trader_client):
    assert trader_client.get("/api/v1/checks/7d2c1a3e-0000-4000-8000-000000000000/").status_code == 404


def test_the_answer_has_the_contract_shape(accepted):
    assert set(accepted) >= {"check_id", "decision", "violations", "warnings", "evaluated_at"}
    assert accepted["evaluated_at"].endswith("Z") or "+" in accepted["evaluated_at"]


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-5"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"quantity": "1.00000000001"}, "quantity"),
        ({"price": ...}, "price"),
        ({"price": "0"}, "price"),
        ({"side": "short"}, "side"),
        ({"order_type": "stop"}, "order_type"),
        ({"symbol": 123}, "symbol"),
        ({"account": ["ACC-1"]}, "account"),
        ({"client_order_id": 7}, "client_order_id"),
        ({"colour": "red"}, "colour"),
        ({"symbol": ...}, "symbol"),
    ],
)
def test_it_names_each_bad_field(funded, trader_client, fields, bad):
    response = _post(trader_client, "/api/v1/checks/", order(**fields))
    assert response.status_code == 400
    assert bad in response.json()


def test_it_names_every_bad_field_at_once(funded, trader_client):
    response = _post(trader_client, "/api/v1/checks/", order(quantity="0", side="x", extra=1))
    assert set(response.json()) == {"quantity", "side", "extra"}


def test_json_numbers_are_accepted(funded, trader_client):
    response = _post(trader_client, "/api/v1/checks/", order(quantity=100, price=100.5))
    assert response.status_code == 200
    assert response.json()["decision"] == "accepted"


def test_an_unknown_strategy_is_a_bad_request(funded, trader_client):
    response = _post(trader_client, "/api/v1/checks/", order(strategy="nope"))
    assert response.status_code == 400
    assert "strategy" in response.json()


def test_a_basket_names_the_bad_order(funded, trader_client):
    response = _post(trader_client, "/api/v1/checks/batch/", {"orders": [order(), order(quantity="0")]})
    assert response.status_code == 400
    assert "orders" in response.json()


def test_a_basket_is_for_one_account(funded, trader_client):
    response = _post(trader_client, "/api/v1/checks/batch/", {"orders": [order(), order(account="OTHER-1")]})
    assert response.status_code == 400
    assert "orders[1].account" in response.json()


def test_an_empty_basket_is_a_bad_request(funded, trader_client):
    assert _post(trader_client, "/api/v1/checks/batch/", {"orders": []}).status_code == 400
