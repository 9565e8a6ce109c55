"""If PostgreSQL or Redis cannot be reached, a check answers 503 with a JSON body: never an accept.
Every configuration of store and shared state, in a test transaction and in autocommit as a real
request runs."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from limits.models import CheckDecision
from tests.limits.checks.conftest import codes, order, set_limits

pytestmark = pytest.mark.django_db


def test_an_unreachable_redis_answers_503(funded, trader_client, settings):
    settings.RISK_SHARED_STATE = "redis"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = trader_client.post("/api/v1/checks/", order(), format="json")
    assert response.status_code == 503
    assert response.json()["detail"]
    assert not CheckDecision.objects.exists()


SESSIONS = {
    "orm": "limits.checks.store.orm.OrmSession",
    "postgres": "limits.checks.store.postgres.PostgresSession",
}


def _session(configuration: str) -> str:
    return SESSIONS[configuration.split("+")[0]]


def test_a_database_failure_during_the_check_answers_503(configuration, funded, trader_client):
    boom = OperationalError("server closed the connection unexpectedly")
    with mock.patch(f"{_session(configuration)}.lock_and_load", side_effect=boom):
        response = trader_client.post("/api/v1/checks/", order(), format="json")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert not CheckDecision.objects.exists()


def test_a_database_that_cannot_be_reached_at_all_answers_503(funded, trader):
    from django.db import connections

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=trader).key}")
    boom = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(type(connections["default"]), "cursor", side_effect=boom):
        response = client.post("/api/v1/checks/", order(), format="json")
        batch = client.post("/api/v1/checks/batch/", {"orders": [order()]}, format="json")
    assert response.status_code == 503
    assert batch.status_code == 503
    assert "detail" in response.json()


def _failing_store(configuration: str) -> mock._patch:  # type: ignore[type-arg]
    boom = OperationalError("connection lost")
    return mock.patch(f"{_session(configuration)}.store_and_commit", side_effect=boom)


def test_a_failure_while_storing_the_decision_leaves_no_reservation(configuration, funded, trader_client):
    set_limits(funded, max_position_quantity="150")
    with _failing_store(configuration):
        assert trader_client.post("/api/v1/checks/", order(), format="json").status_code == 503
    assert not CheckDecision.objects.exists()
    assert (
        trader_client.post("/api/v1/checks/", order(quantity="150"), format="json").json()["decision"]
        == "accepted"
    )


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_every_configuration_decides_rate_limits_and_reserves(
    configuration, funded, trader_client
):
    """As a real request runs (no test transaction): the PostgreSQL store owns BEGIN/COMMIT, and the
    database's shared state counts the window inside it."""
    set_limits(funded, max_position_quantity="150", max_orders_per_minute=3)
    assert trader_client.post("/api/v1/checks/", order(quantity="150"), format="json").json()["decision"] == (
        "accepted"
    )
    rejected = trader_client.post("/api/v1/checks/", order(quantity="1"), format="json").json()
    assert codes(rejected) == {("position_quantity", "account")}
    third = trader_client.post("/api/v1/checks/", order(quantity="1", side="sell"), format="json").json()
    assert third["decision"] == "accepted"
    over_rate = trader_client.post("/api/v1/checks/", order(quantity="1", side="sell"), format="json").json()
    assert codes(over_rate) == {("order_rate", "account")}
    assert connection.get_autocommit()
    assert CheckDecision.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_outside_a_test_transaction_a_failed_check_rolls_back_and_the_connection_stays_usable(
    configuration, funded, trader_client
):
    set_limits(funded, max_position_quantity="150")
    with _failing_store(configuration):
        assert trader_client.post("/api/v1/checks/", order(), format="json").status_code == 503
    assert connection.get_autocommit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # no aborted transaction left behind
    assert not CheckDecision.objects.exists()
    accepted = trader_client.post("/api/v1/checks/", order(quantity="150"), format="json").json()
    assert accepted["decision"] == "accepted"
    assert trader_client.post("/api/v1/checks/", order(quantity="1"), format="json").json()["decision"] == (
        "rejected"
    )


@pytest.mark.django_db(transaction=True)
def test_outside_a_test_transaction_replays_and_conflicts_behave_the_same(
    configuration, funded, trader_client
):
    first = trader_client.post("/api/v1/checks/", order(client_order_id="t-1"), format="json").json()
    again = trader_client.post("/api/v1/checks/", order(client_order_id="t-1"), format="json").json()
    assert again["check_id"] == first["check_id"]
    conflict = trader_client.post(
        "/api/v1/checks/", order(client_order_id="t-1", quantity="3"), format="json"
    )
    assert conflict.status_code == 409
    assert CheckDecision.objects.count() == 1
