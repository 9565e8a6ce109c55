"""GET positions and summary, GET/POST cash movements under /api/v1/accounts/{code}/."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from positions.models import CashBalance, CashMovement
from positions.summary_extensions import _extensions, register_summary_extension
from tests.conftest import client_for
from tests.factories import FxRateFactory, InstrumentFactory, PriceFactory, StrategyFactory
from tests.positions.factories import deposit, record

pytestmark = pytest.mark.django_db

POSITIONS = "/api/v1/accounts/ACC-1/positions/"
CASH = "/api/v1/accounts/ACC-1/cash-movements/"
SUMMARY = "/api/v1/accounts/ACC-1/summary/"


@pytest.fixture
def book(account):
    """Long 100 AAPL from 150 (mark 160), short 10 SAP (EUR) from 100 (mark 110), cash 10,000 USD."""
    FxRateFactory(base="EUR", quote="USD", rate=D("1.10"))
    aapl = InstrumentFactory(symbol="AAPL")
    sap = InstrumentFactory(symbol="SAP", currency="EUR")
    PriceFactory(instrument=aapl, price=D(160))
    PriceFactory(instrument=sap, price=D(110))
    deposit(account, "10000")
    momo = StrategyFactory(account=account, code="momo")
    record(account, aapl, "buy", "100", "150", fee="5", strategy=momo)
    record(account, sap, "sell", "10", "100")
    return account


@pytest.fixture
def extensions():
    """Restore whatever the apps registered once the test has put its own."""
    saved = dict(_extensions)
    yield register_summary_extension
    _extensions.clear()
    _extensions.update(saved)


# --- positions ---------------------------------------------------------------------------------


def test_viewers_list_positions_with_decimal_strings(viewer, book) -> None:
    response = client_for(viewer).get(POSITIONS)
    assert response.status_code == 200
    rows = {r["symbol"]: r for r in response.json()}
    assert rows["AAPL"] == {
        **rows["AAPL"],
        "strategy": "momo",
        "quantity": "100",
        "avg_price": "150",
        "realized_pnl": "0.00",
        "mark_price": "160",
        "market_value": "16000.00",
        "unrealized_pnl": "1000.00",
        "currency": "USD",
        "fees": "5.00",
    }
    assert rows["SAP"]["quantity"] == "-10"
    assert rows["SAP"]["strategy"] is None
    assert rows["SAP"]["market_value"] == "-1100.00"
    assert rows["SAP"]["unrealized_pnl"] == "-100.00"
    assert rows["SAP"]["currency"] == "EUR"


def test_a_position_without_a_mark_is_listed_with_nulls(owner, account) -> None:
    record(account, InstrumentFactory(symbol="NEW"), "buy", "1", "10")
    (row,) = client_for(owner).get(POSITIONS).json()
    assert (row["mark_price"], row["market_value"], row["unrealized_pnl"]) == (None, None, None)


def test_positions_of_an_account_are_hidden_from_others(outsider, book) -> None:
    assert client_for(outsider).get(POSITIONS).status_code == 404
    assert client_for(outsider).get("/api/v1/accounts/NOPE/positions/").status_code == 404
    assert APIClient().get(POSITIONS).status_code == 401


def test_staff_see_every_accounts_positions(staff, book) -> None:
    assert len(client_for(staff).get(POSITIONS).json()) == 2


# --- cash movements ----------------------------------------------------------------------------


def movement(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"movement_id": "M-1", "currency": "USD", "amount": "1000.50", "reason": "wire"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def test_a_risk_manager_records_a_deposit_and_a_replay_changes_nothing(owner, account) -> None:
    client = client_for(owner)
    response = client.post(CASH, movement(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {**response.json(), "movement_id": "M-1", "amount": "1000.5", "created": True}
    assert response.json()["recorded_by"] == "owner"
    again = client.post(CASH, movement(amount=1000.5), format="json")
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert CashBalance.objects.get(account=account).amount == D("1000.5")


def test_a_withdrawal_reduces_cash(owner, account) -> None:
    client = client_for(owner)
    client.post(CASH, movement(), format="json")
    assert client.post(CASH, movement(movement_id="M-2", amount="-500"), format="json").status_code == 201
    assert CashBalance.objects.get(account=account).amount == D("500.5")


def test_a_conflicting_cash_replay_answers_409_and_changes_nothing(owner, account) -> None:
    client = client_for(owner)
    client.post(CASH, movement(), format="json")
    response = client.post(CASH, movement(amount="2000"), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "cash_movement_conflict"
    assert response.json()["differences"] == {"amount": {"stored": "1000.5", "sent": "2000"}}
    assert CashBalance.objects.get(account=account).amount == D("1000.5")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "1.00000000001"}, "amount"),
        ({"amount": "1e40"}, "amount"),
        ({"amount": ...}, "amount"),
        ({"currency": "usd"}, "currency"),
        ({"currency": "US"}, "currency"),
        ({"currency": "DOLLARS-AND-CENTS"}, "currency"),
        ({"currency": 840}, "currency"),
        ({"movement_id": ""}, "movement_id"),
        ({"movement_id": "a b"}, "movement_id"),
        ({"movement_id": 7}, "movement_id"),
        ({"movement_id": ...}, "movement_id"),
        ({"reason": "x" * 501}, "reason"),
        ({"reason": 5}, "reason"),
        ({"memo": "x"}, "memo"),
    ],
)
def test_it_rejects_a_bad_cash_movement_naming_the_field(owner, account, overrides, field) -> None:
    response = client_for(owner).post(CASH, movement(**overrides), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert CashMovement.objects.count() == 0
    assert CashBalance.objects.count() == 0


@pytest.mark.parametrize("who", ["viewer", "trader"])
def test_only_risk_managers_move_cash(request, account, who) -> None:
    user = request.getfixturevalue(who)
    assert client_for(user).post(CASH, movement(), format="json").status_code == 403
    assert client_for(user).get(CASH).status_code == 200
    assert CashMovement.objects.count() == 0


def test_cash_movements_are_hidden_from_others(outsider, account) -> None:
    assert client_for(outsider).post(CASH, movement(), format="json").status_code == 404
    assert client_for(outsider).get(CASH).status_code == 404
    assert APIClient().get(CASH).status_code == 401
    assert APIClient().post(CASH, movement(), format="json").status_code == 401
    assert CashMovement.objects.count() == 0


def test_cash_movements_are_listed_newest_first_and_paginated(owner, account) -> None:
    client = client_for(owner)
    for i in range(3):
        client.post(CASH, movement(movement_id=f"M-{i}"), format="json")
    data = client.get(CASH, {"limit": 2}).json()
    assert data["count"] == 3
    assert [m["movement_id"] for m in data["results"]] == ["M-2", "M-1"]


# --- summary -----------------------------------------------------------------------------------


def test_the_summary_gives_every_figure_in_the_base_currency(viewer, book, extensions) -> None:
    extensions("var_99", lambda *, account, valuation: D("1234.5"))
    extensions("utilization", lambda *, account, valuation: {"max_gross_exposure": D("42.5")})
    response = client_for(viewer).get(SUMMARY)
    assert response.status_code == 200
    data = response.json()
    # cash 10,000 - 5 fee; unrealized 1,000 - 110; exposure 16,000 and 1,210; margin 10% of each.
    assert data == {
        "base_currency": "USD",
        "cash": "9995.00",
        "equity": "10885.00",
        "gross_exposure": "17210.00",
        "net_exposure": "14790.00",
        "leverage": data["leverage"],
        "daily_pnl": data["daily_pnl"],
        "realized_pnl_today": "-5.00",
        "unrealized_pnl": "890.00",
        "margin_required": "1721.00",
        "margin_excess": "9164.00",
        "var_99": 1234.5,
        "utilization": {"max_gross_exposure": 42.5},
    }
    assert D(data["leverage"]) == (D(17210) / D(10885)).quantize(D("1e-10"))
    assert D(data["daily_pnl"]) == D(885)  # everything was opened today: unrealized 890 - fee 5


def test_without_extensions_var_99_is_null_and_utilization_empty(owner, book, extensions) -> None:
    _extensions.pop("var_99", None)
    _extensions.pop("utilization", None)
    data = client_for(owner).get(SUMMARY).json()
    assert data["var_99"] is None
    assert data["utilization"] == {}


def test_a_registered_margin_method_replaces_the_built_in_one(owner, book, extensions) -> None:
    extensions("margin_required", lambda *, account, valuation: D(20000))
    data = client_for(owner).get(SUMMARY).json()
    assert data["margin_required"] == "20000.00"
    assert data["margin_excess"] == "-9115.00"


def test_leverage_is_null_when_equity_is_not_positive(owner, account, extensions) -> None:
    _extensions.pop("utilization", None)
    aapl = InstrumentFactory(symbol="AAPL")
    PriceFactory(instrument=aapl, price=D(50))
    record(account, aapl, "buy", "10", "100")
    data = client_for(owner).get(SUMMARY).json()
    assert data["equity"] == "-500.00"
    assert data["leverage"] is None


def test_a_missing_fx_rate_answers_422_with_its_code(owner, account) -> None:
    sap = InstrumentFactory(symbol="SAP", currency="EUR")
    PriceFactory(instrument=sap, price=D(100))
    record(account, sap, "buy", "1", "100")
    response = client_for(owner).get(SUMMARY)
    assert response.status_code == 422
    assert response.json()["code"] == "missing_fx_rate"
    assert (response.json()["base"], response.json()["quote"]) == ("EUR", "USD")
    assert "EUR/USD" in response.json()["detail"]


def test_a_missing_mark_answers_422_with_its_code(owner, account) -> None:
    record(account, InstrumentFactory(symbol="NOMARK"), "buy", "1", "100")
    response = client_for(owner).get(SUMMARY)
    assert response.status_code == 422
    assert response.json() == {**response.json(), "code": "missing_price", "symbol": "NOMARK"}


def test_the_summary_is_hidden_from_others(outsider, book) -> None:
    assert client_for(outsider).get(SUMMARY).status_code == 404
    assert APIClient().get(SUMMARY).status_code == 401
