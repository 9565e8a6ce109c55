"""POST /api/v1/fills/ (201 new, 200 identical replay, 409 conflict, atomic lists) and the positions
and summary that follow from fills."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from tests.contract import api as a
from tests.contract.api import Api

pytestmark = pytest.mark.django_db(transaction=True)

POSITION_FIELDS = {
    "symbol",
    "strategy",
    "quantity",
    "avg_price",
    "realized_pnl",
    "mark_price",
    "market_value",
    "unrealized_pnl",
    "currency",
}
SUMMARY_FIELDS = {
    "base_currency",
    "cash",
    "equity",
    "gross_exposure",
    "net_exposure",
    "leverage",
    "daily_pnl",
    "realized_pnl_today",
    "unrealized_pnl",
    "margin_required",
    "margin_excess",
    "var_99",
    "utilization",
}


@pytest.fixture
def trader(admin: Api) -> Api:
    a.market(admin)
    a.account(admin)
    return a.member("ACC-1", "trader")


def fill_body(**extra: object) -> dict[str, object]:
    return {
        "fill_id": "F-1",
        "account": "ACC-1",
        "symbol": "AAPL",
        "side": "buy",
        "quantity": "10",
        "price": "100.25",
        "executed_at": a.now_iso(),
        **extra,
    }


def test_a_new_fill_is_201_an_identical_replay_200_and_a_different_payload_409(trader: Api) -> None:
    body = fill_body(fee="1.50")
    first = trader.post("fills/", body)
    assert first.status_code == 201
    assert trader.post("fills/", body).status_code == 200
    conflict = trader.post("fills/", {**body, "quantity": "11"})
    assert conflict.status_code == 409
    [row] = trader.ok("get", "accounts/ACC-1/positions/")
    assert Decimal(row["quantity"]) == 10


def test_fills_accept_json_numbers(trader: Api) -> None:
    assert trader.post("fills/", fill_body(quantity=10, price=100.25)).status_code == 201
    [row] = trader.ok("get", "accounts/ACC-1/positions/")
    assert Decimal(row["avg_price"]) == Decimal("100.25")


def test_the_same_fill_id_on_another_account_is_a_new_fill(admin: Api, trader: Api) -> None:
    a.account(admin, "ACC-2")
    other = a.member("ACC-2", "trader")
    assert trader.post("fills/", fill_body()).status_code == 201
    assert other.post("fills/", fill_body(account="ACC-2")).status_code == 201


def test_a_list_is_atomic(trader: Api) -> None:
    bad = trader.post("fills/", [fill_body(fill_id="L-1"), fill_body(fill_id="L-2", quantity="0")])
    assert bad.status_code == 400
    assert trader.ok("get", "accounts/ACC-1/positions/") == []
    trader.ok("post", "fills/", fill_body(fill_id="L-3"), expect=201)
    conflicting = trader.post("fills/", [fill_body(fill_id="L-4"), fill_body(fill_id="L-3", quantity="99")])
    assert conflicting.status_code == 409
    [row] = trader.ok("get", "accounts/ACC-1/positions/")
    assert Decimal(row["quantity"]) == 10
    ok = trader.post(
        "fills/", [fill_body(fill_id="L-5"), fill_body(fill_id="L-6", side="sell", quantity="4")]
    )
    assert ok.status_code == 201
    [row] = trader.ok("get", "accounts/ACC-1/positions/")
    assert Decimal(row["quantity"]) == 16


def test_bad_fields_are_named(trader: Api) -> None:
    response = trader.post("fills/", fill_body(quantity="-1", side="long", executed_at="2026-01-02T10:00:00"))
    assert response.status_code == 400
    assert {"quantity", "side", "executed_at"} <= set(response.json())


def test_positions_follow_fills_with_decimal_strings(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100", price="100", strategy="momo")
    a.fill(trader, quantity="100", price="110", strategy="momo")
    a.fill(trader, side="sell", quantity="50", price="120", strategy="momo")
    a.fill(trader, symbol="MSFT", side="sell", quantity="5", price="210")
    a.prices(admin, {"AAPL": "115"})
    rows = {r["symbol"]: r for r in trader.ok("get", "accounts/ACC-1/positions/")}
    aapl, msft = rows["AAPL"], rows["MSFT"]
    assert set(aapl) >= POSITION_FIELDS
    for field in ("quantity", "avg_price", "realized_pnl", "mark_price", "market_value", "unrealized_pnl"):
        assert a.is_decimal_string(aapl[field]), (field, aapl[field])
    assert aapl["strategy"] == "momo"
    assert aapl["currency"] == "USD"
    assert Decimal(aapl["quantity"]) == 150
    assert Decimal(aapl["avg_price"]) == 105
    assert Decimal(aapl["realized_pnl"]) == 750
    assert Decimal(aapl["market_value"]) == 17250
    assert Decimal(aapl["unrealized_pnl"]) == 1500
    assert Decimal(msft["quantity"]) == -5  # signed: short
    assert Decimal(msft["market_value"]) == -1000
    assert Decimal(msft["unrealized_pnl"]) == 50


def test_the_summary_answers_every_field(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100", price="100")
    summary = trader.ok("get", "accounts/ACC-1/summary/")
    assert set(summary) >= SUMMARY_FIELDS
    for field in SUMMARY_FIELDS - {"base_currency", "var_99", "utilization", "leverage"}:
        assert a.is_decimal_string(summary[field]), (field, summary[field])
    assert Decimal(summary["equity"]) == Decimal("1000000")
    assert Decimal(summary["margin_required"]) == Decimal("1000")


def test_a_summary_without_an_fx_rate_says_missing_fx_rate(trader: Api) -> None:
    a.fill(trader, symbol="TYO", quantity="1", price="1000")
    response = trader.get("accounts/ACC-1/summary/")
    assert response.status_code < 500
    assert response.status_code != 200
    assert "missing_fx_rate" in response.content.decode()


def test_fills_list_is_scoped(admin: Api, trader: Api) -> None:
    a.account(admin, "ACC-2")
    other = a.member("ACC-2", "trader")
    a.fill(trader)
    a.fill(other, account="ACC-2")
    rows = a.results(trader.ok("get", "fills/"))
    assert {r["account"] for r in rows} == {"ACC-1"}
    assert all(datetime.fromisoformat(r["executed_at"]).utcoffset() is not None for r in rows)


def test_a_replay_spelling_the_same_values_differently_is_identical(trader: Api) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    instant = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    body = fill_body(quantity="10", price="100.20", fee="0.50", executed_at=instant.isoformat())
    assert trader.post("fills/", body).status_code == 201
    same = {
        **body,
        "quantity": 10,
        "price": 100.2,
        "fee": "0.5",
        "executed_at": instant.astimezone(timezone(timedelta(hours=2))).isoformat(),
    }
    assert trader.post("fills/", same).status_code == 200


def test_a_cash_replay_spelling_the_amount_differently_is_identical(admin: Api, trader: Api) -> None:
    body = {"movement_id": "dep-x", "currency": "USD", "amount": "1000.50", "reason": "funding"}
    assert admin.post("accounts/ACC-1/cash-movements/", body).status_code == 201
    assert admin.post("accounts/ACC-1/cash-movements/", {**body, "amount": 1000.5}).status_code == 200
