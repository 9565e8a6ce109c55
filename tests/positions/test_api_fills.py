"""POST/GET /api/v1/fills/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from positions.models import CashBalance, CashMovement, Fill, Position
from tests.conftest import client_for
from tests.factories import AccountFactory, InstrumentFactory, MembershipFactory, StrategyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/fills/"


@pytest.fixture
def aapl(db):
    return InstrumentFactory(symbol="AAPL", currency="USD")


def ts(delta: timedelta = timedelta(minutes=-1)) -> str:
    return (datetime.now(UTC) + delta).isoformat()


EXECUTED = ts(timedelta(minutes=-1))


def body(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "fill_id": "F-1",
        "account": "ACC-1",
        "symbol": "AAPL",
        "side": "buy",
        "quantity": "100",
        "price": "187.20",
        "executed_at": EXECUTED,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def counts() -> tuple[int, int, int, int]:
    return (
        Fill.objects.count(),
        Position.objects.count(),
        CashBalance.objects.count(),
        CashMovement.objects.count(),
    )


def test_a_trader_records_a_fill_and_gets_it_back(trader, aapl) -> None:
    momo = StrategyFactory(account=trader.memberships.get().account, code="momo")
    response = client_for(trader).post(
        URL, body(strategy="momo", fee="1.5", check_id="5b7c0b56-8a41-4a43-b1b0-5a6f1f0bca11"), format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["fill_id"] == "F-1"
    assert data["account"] == "ACC-1"
    assert data["strategy"] == "momo"
    assert data["quantity"] == "100"
    assert data["price"] == "187.2"
    assert data["fee"] == "1.5"
    assert data["created"] is True
    position = Position.objects.get(strategy=momo)
    assert position.quantity == D(100)
    assert Fill.objects.get().recorded_by == trader


def test_numbers_may_be_sent_as_json_numbers(trader, aapl) -> None:
    response = client_for(trader).post(URL, body(quantity=100, price=187.5), format="json")
    assert response.status_code == 201, response.json()
    assert Fill.objects.get().price == D("187.5")


def test_an_identical_replay_answers_200_and_changes_nothing(trader, aapl) -> None:
    client = client_for(trader)
    payload = body()
    assert client.post(URL, payload, format="json").status_code == 201
    before = counts()
    response = client.post(URL, payload, format="json")
    assert response.status_code == 200
    assert response.json()["created"] is False
    assert counts() == before
    assert Position.objects.get().quantity == D(100)


def test_a_conflicting_replay_answers_409_explaining_the_difference(trader, aapl) -> None:
    client = client_for(trader)
    payload = body()
    client.post(URL, payload, format="json")
    response = client.post(URL, {**payload, "price": "190"}, format="json")
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "fill_conflict"
    assert data["fill_id"] == "F-1"
    assert data["account"] == "ACC-1"
    assert data["differences"] == {"price": {"stored": "187.2", "sent": "190"}}
    assert Fill.objects.get().price == D("187.20")


def test_a_list_is_recorded_atomically(trader, aapl) -> None:
    client = client_for(trader)
    client.post(URL, body(fill_id="OLD"), format="json")
    before = counts()
    response = client.post(
        URL,
        [
            body(fill_id="N-1"),
            body(fill_id="N-2", side="sell", quantity="50"),
            body(fill_id="OLD", quantity="7"),
        ],
        format="json",
    )
    assert response.status_code == 409
    assert counts() == before
    response = client.post(URL, [body(fill_id="N-1"), body(fill_id="OLD")], format="json")
    assert response.status_code == 201
    assert [(f["fill_id"], f["created"]) for f in response.json()] == [("N-1", True), ("OLD", False)]
    assert Position.objects.get().quantity == D(200)


def test_a_list_of_replays_only_answers_200(trader, aapl) -> None:
    client = client_for(trader)
    items = [body(fill_id="A"), body(fill_id="B")]
    assert client.post(URL, items, format="json").status_code == 201
    assert client.post(URL, items, format="json").status_code == 200


def test_a_bad_item_in_a_list_is_named_by_index_and_nothing_is_stored(trader, aapl) -> None:
    response = client_for(trader).post(
        URL, [body(fill_id="A"), body(fill_id="B", quantity="0")], format="json"
    )
    assert response.status_code == 400
    assert "quantity" in str(response.json())
    assert counts() == (0, 0, 0, 0)


def test_an_empty_list_is_rejected(trader) -> None:
    assert client_for(trader).post(URL, [], format="json").status_code == 400


TOO_LONG_ID = "x" * 129


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-5"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"quantity": ["1"]}, "quantity"),
        ({"quantity": "1.00000000001"}, "quantity"),
        ({"quantity": "12345678901234567890"}, "quantity"),
        ({"quantity": "1e30"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": ...}, "quantity"),
        ({"price": "0"}, "price"),
        ({"price": "-1"}, "price"),
        ({"price": "99999999999999999999999999.99"}, "price"),
        ({"price": None}, "price"),
        ({"fee": "-1"}, "fee"),
        ({"fee": "0.000000000001"}, "fee"),
        ({"symbol": "NOPE"}, "symbol"),
        ({"symbol": 42}, "symbol"),
        ({"account": ...}, "account"),
        ({"strategy": "nope"}, "strategy"),
        ({"side": "short"}, "side"),
        ({"side": "BUY"}, "side"),
        ({"executed_at": "yesterday"}, "executed_at"),
        ({"executed_at": "2026-01-01T10:00:00"}, "executed_at"),
        ({"executed_at": 1700000000}, "executed_at"),
        ({"executed_at": ts(timedelta(hours=1))}, "executed_at"),
        ({"check_id": "not-a-uuid"}, "check_id"),
        ({"fill_id": ""}, "fill_id"),
        ({"fill_id": "has space"}, "fill_id"),
        ({"fill_id": TOO_LONG_ID}, "fill_id"),
        ({"fill_id": 12}, "fill_id"),
        ({"account": 1}, "account"),
        ({"strategy": 5}, "strategy"),
        ({"qty": "1"}, "qty"),
    ],
)
def test_it_rejects_bad_input_naming_the_field_and_writes_nothing(trader, aapl, overrides, field) -> None:
    AccountFactory(code="OTHER-1")
    response = client_for(trader).post(URL, body(**overrides), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert counts() == (0, 0, 0, 0)


def test_a_small_clock_skew_into_the_future_is_accepted(trader, aapl) -> None:
    response = client_for(trader).post(URL, body(executed_at=ts(timedelta(minutes=2))), format="json")
    assert response.status_code == 201


def test_a_fill_beyond_the_ledgers_range_is_a_400_and_writes_nothing(trader, aapl) -> None:
    client = client_for(trader)
    big = "99999999999999999"
    assert client.post(URL, body(fill_id="B1", quantity=big, price="1"), format="json").status_code == 201
    before = counts()
    response = client.post(URL, body(fill_id="B2", side="sell", quantity=big, price="100"), format="json")
    assert response.status_code == 400
    assert "quantity" in response.json()
    assert counts() == before


def test_a_non_object_body_is_a_400(trader) -> None:
    assert client_for(trader).post(URL, "fill", format="json").status_code == 400
    assert client_for(trader).post(URL, [1, 2], format="json").status_code == 400


def test_a_viewer_may_not_record_fills(viewer, aapl) -> None:
    response = client_for(viewer).post(URL, body(), format="json")
    assert response.status_code == 403
    assert counts() == (0, 0, 0, 0)


def test_a_list_touching_an_account_the_caller_may_only_view_is_refused_whole(trader, aapl) -> None:
    other = AccountFactory(code="ACC-2")
    MembershipFactory(user=trader, account=other, role="viewer")
    response = client_for(trader).post(
        URL, [body(fill_id="A"), body(fill_id="B", account="ACC-2")], format="json"
    )
    assert response.status_code == 403
    assert counts() == (0, 0, 0, 0)


def test_an_owner_and_staff_may_record_fills(owner, staff, aapl) -> None:
    assert client_for(owner).post(URL, body(fill_id="O"), format="json").status_code == 201
    assert client_for(staff).post(URL, body(fill_id="S"), format="json").status_code == 201


def test_a_member_of_another_account_cannot_tell_the_account_exists(outsider, aapl) -> None:
    response = client_for(outsider).post(URL, body(), format="json")
    assert response.status_code == 404
    unknown = client_for(outsider).post(URL, body(account="NO-SUCH"), format="json")
    assert (unknown.status_code, unknown.json()) == (404, response.json())
    assert counts() == (0, 0, 0, 0)


def test_one_invisible_account_in_a_list_refuses_the_whole_list(trader, aapl) -> None:
    AccountFactory(code="OTHER-1")
    response = client_for(trader).post(
        URL, [body(fill_id="A"), body(fill_id="B", account="OTHER-1")], format="json"
    )
    assert response.status_code == 404
    assert counts() == (0, 0, 0, 0)


def test_anonymous_callers_get_401(aapl, account) -> None:
    assert APIClient().post(URL, body(), format="json").status_code == 401
    assert APIClient().get(URL).status_code == 401


def test_the_list_is_scoped_filtered_and_paginated(owner, outsider, aapl) -> None:
    msft = InstrumentFactory(symbol="MSFT")
    client = client_for(owner)
    client.post(URL, body(fill_id="A", executed_at="2026-01-05T10:00:00Z"), format="json")
    client.post(URL, body(fill_id="B", symbol="MSFT", executed_at="2026-01-06T10:00:00Z"), format="json")
    client.post(URL, body(fill_id="C", executed_at="2026-01-07T10:00:00Z"), format="json")
    other = AccountFactory(code="OTHER-1")
    client_for(outsider).post(URL, body(fill_id="X", account="OTHER-1"), format="json")
    assert Fill.objects.filter(account=other).count() == 1

    data = client.get(URL).json()
    assert data["count"] == 3
    assert [f["fill_id"] for f in data["results"]] == ["C", "B", "A"]
    assert [f["fill_id"] for f in client.get(URL, {"symbol": "AAPL"}).json()["results"]] == ["C", "A"]
    window = {"executed_after": "2026-01-06T00:00:00Z", "executed_before": "2026-01-07T10:00:00Z"}
    assert [f["fill_id"] for f in client.get(URL, window).json()["results"]] == ["B"]
    assert client.get(URL, {"account": "ACC-1", "limit": 1}).json()["results"][0]["fill_id"] == "C"
    assert client.get(URL, {"account": "OTHER-1"}).json()["count"] == 0
    assert [f["fill_id"] for f in client_for(outsider).get(URL).json()["results"]] == ["X"]
    assert msft.symbol == "MSFT"


def test_a_malformed_time_filter_is_a_400(owner) -> None:
    response = client_for(owner).get(URL, {"executed_after": "last week"})
    assert response.status_code == 400
    assert "executed_after" in response.json()
