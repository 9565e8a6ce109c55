"""client_order_id replays, conflicts, and baskets that see the orders accepted before them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from limits.models import CheckDecision
from tests.limits.checks.conftest import codes, order, set_limits

pytestmark = pytest.mark.django_db


def test_a_replay_returns_the_first_decision_without_a_second_reservation(funded, check):
    set_limits(funded, max_position_quantity="150")
    first = check(client_order_id="oms-1", quantity="100")
    again = check(client_order_id="oms-1", quantity="100.000")
    assert again["check_id"] == first["check_id"]
    assert again["decision"] == "accepted"
    assert again["replayed"] is True
    assert CheckDecision.objects.filter(account=funded).count() == 1
    assert ("position_quantity", "account") in codes(check(quantity="100"))  # still only 100 held


def test_a_replay_of_a_rejection_returns_the_rejection(funded, check):
    set_limits(funded, max_order_quantity="10")
    first = check(client_order_id="oms-2")
    set_limits(funded, max_order_quantity="1000")
    again = check(client_order_id="oms-2")
    assert (again["check_id"], again["decision"]) == (first["check_id"], "rejected")
    assert again["violations"] == first["violations"]


def test_the_same_id_with_another_order_is_a_conflict(funded, check, trader_client):
    first = check(client_order_id="oms-3")
    response = trader_client.post(
        "/api/v1/checks/", order(client_order_id="oms-3", quantity="5"), format="json"
    )
    assert response.status_code == 409
    assert response.json()["check_id"] == first["check_id"]
    assert "client_order_id" in response.json()


def test_ids_are_per_account(funded, check, staff):
    from tests.conftest import client_for
    from tests.factories import AccountFactory
    from tests.limits.checks.conftest import deposit

    deposit(AccountFactory(code="ACC-2"), "1000000")
    first = check(client_order_id="oms-4")
    other = (
        client_for(staff)
        .post("/api/v1/checks/", order(account="ACC-2", client_order_id="oms-4"), format="json")
        .json()
    )
    assert other["check_id"] != first["check_id"]
    assert other["decision"] == "accepted"


def test_a_basket_sees_the_orders_accepted_before_it(funded, trader_client):
    set_limits(funded, max_position_quantity="150")
    response = trader_client.post(
        "/api/v1/checks/batch/",
        {"orders": [order(quantity="100"), order(quantity="100"), order(quantity="50")]},
        format="json",
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["decision"] for r in results] == ["accepted", "rejected", "accepted"]
    held = CheckDecision.objects.filter(account=funded, decision="accepted")
    assert sum(r.open_quantity for r in held) == Decimal("150")
    assert len({r.batch_id for r in held}) == 1


def test_a_basket_replays_known_ids_and_checks_the_rest(funded, check, trader_client):
    set_limits(funded, max_position_quantity="150")
    first = check(client_order_id="b-1", quantity="100")
    results = trader_client.post(
        "/api/v1/checks/batch/",
        {
            "orders": [
                order(client_order_id="b-1", quantity="100"),
                order(client_order_id="b-2", quantity="60"),
            ]
        },
        format="json",
    ).json()["results"]
    assert results[0]["check_id"] == first["check_id"]
    assert results[1]["decision"] == "rejected"  # 100 held + 60 > 150


def test_a_basket_with_a_conflicting_id_stores_nothing(funded, check, trader_client):
    check(client_order_id="b-3")
    response = trader_client.post(
        "/api/v1/checks/batch/",
        {"orders": [order(client_order_id="b-4"), order(client_order_id="b-3", quantity="1")]},
        format="json",
    )
    assert response.status_code == 409
    assert not CheckDecision.objects.filter(client_order_id="b-4").exists()


def test_a_basket_may_not_repeat_an_id(funded, trader_client):
    response = trader_client.post(
        "/api/v1/checks/batch/",
        {"orders": [order(client_order_id="b-5"), order(client_order_id="b-5")]},
        format="json",
    )
    assert response.status_code == 400
    assert "orders[1].client_order_id" in response.json()
