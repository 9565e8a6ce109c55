"""Every decision is stored with caller, inputs and result, and can be listed."""

from __future__ import annotations

import pytest

from limits.models import CheckDecision
from tests.conftest import client_for
from tests.factories import AccountFactory, MembershipFactory
from tests.limits.checks.conftest import deposit, set_limits

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(funded, check):
    set_limits(funded, max_order_quantity="150")
    return [check(quantity="100"), check(quantity="200"), check(quantity="10", client_order_id="c-1")]


def test_a_decision_stores_caller_inputs_and_result(log, trader):
    row = CheckDecision.objects.get(check_id=log[1]["check_id"])
    assert row.caller == trader
    assert row.request["quantity"] == "200"
    assert row.decision == "rejected"
    assert row.violations[0]["code"] == "order_quantity"


def test_the_log_lists_newest_first_with_filters(log, trader_client):
    data = trader_client.get("/api/v1/checks/", {"account": "ACC-1"}).json()
    assert [r["check_id"] for r in data["results"]] == [
        log[2]["check_id"],
        log[1]["check_id"],
        log[0]["check_id"],
    ]
    rejected = trader_client.get("/api/v1/checks/", {"account": "ACC-1", "decision": "rejected"}).json()
    assert [r["check_id"] for r in rejected["results"]] == [log[1]["check_id"]]
    item = data["results"][0]
    assert item["client_order_id"] == "c-1"
    assert item["caller"] == "trader"
    assert item["reservation"]["open_quantity"] == "10"


def test_the_log_is_paginated(log, trader_client):
    page = trader_client.get("/api/v1/checks/", {"limit": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]


def test_the_log_shows_only_visible_accounts(log, outsider, staff):
    other = AccountFactory(code="ACC-9")
    deposit(other, "1000")
    MembershipFactory(user=outsider, account=other, role="trader")
    client_for(outsider).post(
        "/api/v1/checks/",
        {"account": "ACC-9", "symbol": "AAPL", "side": "buy", "quantity": "1", "price": "100"},
        format="json",
    )
    mine = client_for(outsider).get("/api/v1/checks/").json()
    assert {r["account"] for r in mine["results"]} == {"ACC-9"}
    assert client_for(outsider).get("/api/v1/checks/", {"account": "ACC-1"}).status_code == 404
    assert client_for(staff).get("/api/v1/checks/").json()["count"] == 4


def test_a_bad_decision_filter_is_a_bad_request(log, trader_client):
    assert trader_client.get("/api/v1/checks/", {"decision": "maybe"}).status_code == 400


def test_one_decision_by_id(log, trader_client):
    data = trader_client.get(f"/api/v1/checks/{log[0]['check_id']}/").json()
    assert data["decision"] == "accepted"
    assert data["symbol"] == "AAPL"
    assert data["quantity"] == "100"
