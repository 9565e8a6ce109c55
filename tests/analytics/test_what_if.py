"""POST /accounts/{code}/risk/what-if/: a basket's decisions and the book before and after, storing
nothing (contract v1.1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analytics.services.risk_models import risk_model_store
from limits.models import CheckDecision, ReservationTotal
from positions.clock import current_trading_date
from tests.analytics.book import check, endpoint_var, fill, the_account
from tests.conftest import client_for
from tests.limits.checks.conftest import set_limits

pytestmark = pytest.mark.django_db
URL = "/api/v1/accounts/ACC-1/risk/what-if/"


def order(**fields):
    return {"symbol": "AAPL", "side": "buy", "quantity": "300", "price": "187.20", **fields}


def test_it_answers_decisions_and_figures_and_stores_nothing(book, django_capture_on_commit_callbacks):
    risk_model_store(as_of=current_trading_date())
    with django_capture_on_commit_callbacks(execute=True):
        set_limits(the_account(), max_order_quantity="400")
    decisions, totals = CheckDecision.objects.count(), list(ReservationTotal.objects.values_list())
    response = book.post(
        URL, {"orders": [order(), order(symbol="MSFT", quantity="500", price="410")]}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert CheckDecision.objects.count() == decisions
    assert list(ReservationTotal.objects.values_list()) == totals
    assert body["currency"] == "USD"
    first, second = body["decisions"]
    assert first["decision"] == "accepted"
    assert first["check_id"] is None
    assert [v["code"] for v in second["violations"]] == ["order_quantity"]
    # before: the book as it is; after: with the accepted AAPL order only.
    assert body["before"]["var"] == pytest.approx(endpoint_var(book), rel=1e-9)
    assert second["risk"]["var_before"] == pytest.approx(first["risk"]["var_after"], rel=1e-12)
    fill(book, "AAPL", "buy", "300", "187.20")
    assert body["after"]["var"] == pytest.approx(endpoint_var(book), rel=1e-9)
    assert body["incremental_var"] == pytest.approx(body["after"]["var"] - body["before"]["var"])
    assert body["after"]["expected_shortfall"] > body["after"]["var"]


def test_the_figures_before_are_the_summarys_and_the_decisions_a_real_checks(book):
    risk_model_store(as_of=current_trading_date())
    summary = book.get("/api/v1/accounts/ACC-1/summary/").json()
    body = book.post(URL, {"orders": [order()]}, format="json").json()
    before = body["before"]
    for field in ("gross_exposure", "net_exposure", "margin_required"):
        assert Decimal(before[field]) == Decimal(summary[field]), field
    assert Decimal(before["leverage"]) == pytest.approx(Decimal(summary["leverage"]), abs=Decimal("0.000001"))
    real = check(book, **order())
    assert body["decisions"][0]["risk"] == real["risk"]
    assert body["decisions"][0]["warnings"] == real["warnings"]
    assert Decimal(body["after"]["gross_exposure"]) == Decimal(before["gross_exposure"]) + Decimal("56160.00")


def test_without_a_model_var_is_null_and_named(book):
    body = book.post(URL, {"orders": [order()]}, format="json").json()
    assert body["before"]["var"] is None
    assert body["incremental_var"] is None
    assert body["before"]["missing"]
    assert body["decisions"][0]["risk"] is None


def test_viewers_may_ask_outsiders_may_not_know(book, viewer, outsider, api_client):
    assert client_for(viewer).post(URL, {"orders": [order()]}, format="json").status_code == 200
    assert client_for(outsider).post(URL, {"orders": [order()]}, format="json").status_code == 404
    assert api_client.post(URL, {"orders": [order()]}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("orders", "field"),
    [
        ([order(strategy="nope")], "orders[0].strategy"),
        ([order(account="OTHER-1")], "orders[0].account"),
        ([order(quantity="0")], "orders"),
        ([], "orders"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(book, orders, field):
    response = book.post(URL, {"orders": orders}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
