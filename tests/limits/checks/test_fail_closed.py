"""If PostgreSQL or Redis cannot be reached, a check answers 503 with a JSON body: never an accept."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from limits.models import CheckDecision
from tests.limits.checks.conftest import order, set_limits

pytestmark = pytest.mark.django_db


def test_an_unreachable_redis_answers_503(funded, trader_client, settings):
    settings.REDIS_URL = settings.RISK_RATE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = trader_client.post("/api/v1/checks/", order(), format="json")
    assert response.status_code == 503
    assert response.json()["detail"]
    assert not CheckDecision.objects.exists()


def test_a_database_failure_during_the_check_answers_503(funded, trader_client):
    boom = OperationalError("server closed the connection unexpectedly")
    with mock.patch("limits.checks.service.lock_and_read", side_effect=boom):
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


def test_a_failure_while_storing_the_decision_leaves_no_reservation(funded, trader_client):
    set_limits(funded, max_position_quantity="150")
    boom = OperationalError("connection lost")
    with mock.patch("limits.checks.service.store_decisions", side_effect=boom):
        assert trader_client.post("/api/v1/checks/", order(), format="json").status_code == 503
    assert not CheckDecision.objects.exists()
    assert (
        trader_client.post("/api/v1/checks/", order(quantity="150"), format="json").json()["decision"]
        == "accepted"
    )


@pytest.mark.django_db(transaction=True)
def test_outside_a_test_transaction_a_failed_check_rolls_back_and_the_connection_stays_usable(
    funded, trader_client
):
    # With autocommit (as in a real request) the check sends BEGIN/COMMIT itself (limits/checks/txn.py).
    from django.db import connection

    set_limits(funded, max_position_quantity="150")
    boom = OperationalError("connection lost")
    with mock.patch("limits.checks.service.store_decisions", side_effect=boom):
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
def test_outside_a_test_transaction_replays_and_conflicts_behave_the_same(funded, trader_client):
    first = trader_client.post("/api/v1/checks/", order(client_order_id="t-1"), format="json").json()
    again = trader_client.post("/api/v1/checks/", order(client_order_id="t-1"), format="json").json()
    assert again["check_id"] == first["check_id"]
    conflict = trader_client.post(
        "/api/v1/checks/", order(client_order_id="t-1", quantity="3"), format="json"
    )
    assert conflict.status_code == 409
    assert CheckDecision.objects.count() == 1
