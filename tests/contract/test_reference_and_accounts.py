"""Reference data (staff), accounts, strategies, members, cash movements, limits and groups."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.contract import api as a
from tests.contract.api import Api

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT_FIELDS = (
    "max_order_quantity",
    "max_order_notional",
    "max_position_quantity",
    "max_position_notional",
    "max_gross_exposure",
    "max_net_exposure",
    "max_daily_loss",
    "max_leverage",
    "max_var",
    "price_collar_pct",
    "max_orders_per_minute",
    "warn_utilization_pct",
    "restricted_symbols",
)


# --- reference data ----------------------------------------------------------------------------------


def test_instruments_round_trip_with_decimal_strings(admin: Api) -> None:
    created = a.instrument(admin, "AAPL", margin_rate=0.25)
    assert set(created) >= {
        "symbol",
        "asset_class",
        "currency",
        "multiplier",
        "margin_rate",
        "underlying",
        "option_type",
        "strike",
        "expiry",
    }
    assert a.is_decimal_string(created["multiplier"])
    assert Decimal(created["multiplier"]) == 1
    assert a.is_decimal_string(created["margin_rate"])
    assert Decimal(created["margin_rate"]) == Decimal("0.25")
    assert admin.ok("get", "instruments/AAPL/")["symbol"] == "AAPL"
    assert "AAPL" in {i["symbol"] for i in a.results(admin.ok("get", "instruments/"))}
    patched = admin.ok("patch", "instruments/AAPL/", {"margin_rate": "0.30"})
    assert Decimal(patched["margin_rate"]) == Decimal("0.30")


def test_an_option_carries_its_terms(admin: Api) -> None:
    a.instrument(admin, "AAPL")
    body = {
        "symbol": "AAPL-C200",
        "asset_class": "option",
        "currency": "USD",
        "multiplier": "100",
        "margin_rate": "0.15",
        "underlying": "AAPL",
        "option_type": "call",
        "strike": "200",
        "expiry": "2027-06-18",
    }
    created = admin.ok("post", "instruments/", body, expect=201)
    assert created["underlying"] == "AAPL"
    assert created["option_type"] == "call"
    assert Decimal(created["strike"]) == 200
    assert created["expiry"] == "2027-06-18"


def test_instrument_validation_names_each_bad_field(admin: Api) -> None:
    response = admin.post(
        "instruments/", {"symbol": "X", "asset_class": "bond", "currency": "USD", "multiplier": "-1"}
    )
    assert response.status_code == 400
    assert {"asset_class", "multiplier"} <= set(response.json())


def test_only_staff_write_reference_data(admin: Api) -> None:
    a.instrument(admin, "AAPL")
    a.account(admin)
    rm = a.member("ACC-1", "risk_manager")
    assert (
        rm.post("instruments/", {"symbol": "Z", "asset_class": "equity", "currency": "USD"}).status_code
        == 403
    )
    assert rm.patch("instruments/AAPL/", {"margin_rate": "0.5"}).status_code == 403
    assert rm.post("prices/", [{"symbol": "AAPL", "price": "1", "as_of": a.now_iso()}]).status_code == 403
    assert (
        rm.post("fx-rates/", [{"base": "EUR", "quote": "USD", "rate": "1", "as_of": a.now_iso()}]).status_code
        == 403
    )
    assert (
        rm.post("price-history/", [{"symbol": "AAPL", "date": "2026-01-02", "close": "1"}]).status_code == 403
    )
    assert rm.post("rates/", [{"currency": "USD", "rate": "0.05"}]).status_code == 403
    assert rm.get("instruments/").status_code == 200


def test_prices_upsert_and_read_the_latest_mark(admin: Api) -> None:
    a.instrument(admin, "AAPL")
    a.instrument(admin, "MSFT")
    a.prices(admin, {"AAPL": "187.20", "MSFT": "400"}, implied_vol={"AAPL": "0.25"})
    a.prices(admin, {"AAPL": "188.00"})
    rows = a.results(admin.ok("get", "prices/?symbol=AAPL"))
    assert len(rows) == 1
    assert rows[0]["symbol"] == "AAPL"
    assert Decimal(rows[0]["price"]) == Decimal("188")
    assert a.is_decimal_string(rows[0]["price"])
    assert datetime.fromisoformat(rows[0]["as_of"]).utcoffset() is not None


def test_prices_accept_json_numbers(admin: Api) -> None:
    a.instrument(admin, "AAPL")
    admin.ok("post", "prices/", [{"symbol": "AAPL", "price": 187.2, "as_of": a.now_iso()}])
    [row] = a.results(admin.ok("get", "prices/?symbol=AAPL"))
    assert Decimal(row["price"]) == Decimal("187.2")


def test_a_price_without_an_offset_is_refused(admin: Api) -> None:
    a.instrument(admin, "AAPL")
    response = admin.post("prices/", [{"symbol": "AAPL", "price": "1", "as_of": "2026-01-02T10:00:00"}])
    assert response.status_code == 400


def test_a_list_of_marks_is_all_or_nothing(admin: Api) -> None:
    a.instrument(admin, "AAPL")
    response = admin.post(
        "prices/",
        [
            {"symbol": "AAPL", "price": "5", "as_of": a.now_iso()},
            {"symbol": "NOPE", "price": "5", "as_of": a.now_iso()},
        ],
    )
    assert response.status_code == 400
    assert a.results(admin.ok("get", "prices/?symbol=AAPL")) == []


def test_fx_history_and_rates_are_accepted(admin: Api) -> None:
    a.instrument(admin, "AAPL")
    a.fx(admin, "EUR", "USD", "1.0850")
    admin.ok(
        "post",
        "price-history/",
        [
            {"symbol": "AAPL", "date": "2026-01-02", "close": "180.10"},
            {"symbol": "AAPL", "date": "2026-01-05", "close": 181},
        ],
    )
    admin.ok("post", "price-history/", [{"symbol": "AAPL", "date": "2026-01-05", "close": "182"}])  # upsert
    admin.ok("post", "rates/", [{"currency": "USD", "rate": "0.045"}, {"currency": "EUR", "rate": 0.03}])
    bad = admin.post("fx-rates/", [{"base": "EUR", "quote": "USD", "rate": "-1", "as_of": a.now_iso()}])
    assert bad.status_code == 400


# --- accounts, strategies, members -------------------------------------------------------------------


def test_accounts_are_created_by_staff_and_read_by_members(admin: Api) -> None:
    body = a.account(admin, base="EUR", cash=None)
    assert set(body) >= {"code", "name", "base_currency", "trading_state"}
    assert body["base_currency"] == "EUR"
    assert body["trading_state"] == "active"
    viewer = a.member("ACC-1", "viewer")
    assert [x["code"] for x in a.results(viewer.ok("get", "accounts/"))] == ["ACC-1"]
    assert viewer.post("accounts/", {"code": "X", "name": "X", "base_currency": "USD"}).status_code == 403
    assert viewer.patch("accounts/ACC-1/", {"name": "mine"}).status_code == 403
    rm = a.member("ACC-1", "risk_manager")
    assert rm.ok("patch", "accounts/ACC-1/", {"name": "Renamed"})["name"] == "Renamed"


def test_strategies_list_create(admin: Api) -> None:
    a.account(admin, cash=None, strategies=())
    rm = a.member("ACC-1", "risk_manager")
    created = rm.ok("post", "accounts/ACC-1/strategies/", {"code": "momo", "name": "Momentum"}, expect=201)
    assert set(created) >= {"code", "name", "trading_state"}
    assert [s["code"] for s in a.results(rm.ok("get", "accounts/ACC-1/strategies/"))] == ["momo"]
    trader = a.member("ACC-1", "trader")
    assert trader.post("accounts/ACC-1/strategies/", {"code": "x", "name": "x"}).status_code == 403


def test_members_add_list_delete(admin: Api) -> None:
    from tests.factories import UserFactory

    a.account(admin, cash=None)
    UserFactory(username="newbie")
    rm = a.member("ACC-1", "risk_manager")
    added = rm.ok("post", "accounts/ACC-1/members/", {"username": "newbie", "role": "trader"})
    assert added["username"] == "newbie"
    assert added["role"] == "trader"
    assert "newbie" in {m["username"] for m in a.results(rm.ok("get", "accounts/ACC-1/members/"))}
    newbie = a.token_api("newbie")
    assert newbie.get("accounts/ACC-1/").status_code == 200
    assert rm.delete("accounts/ACC-1/members/newbie/").status_code in (200, 204)
    assert newbie.get("accounts/ACC-1/").status_code == 404
    bad = rm.post("accounts/ACC-1/members/", {"username": "ghost", "role": "boss"})
    assert bad.status_code == 400
    assert {"username", "role"} <= set(bad.json())
    trader = a.member("ACC-1", "trader")
    assert trader.post("accounts/ACC-1/members/", {"username": "newbie", "role": "viewer"}).status_code == 403


# --- cash movements ----------------------------------------------------------------------------------


def test_cash_movements_are_idempotent_on_movement_id(admin: Api) -> None:
    a.account(admin, cash=None)
    body = {"movement_id": "dep-1", "currency": "USD", "amount": 1000.5, "reason": "funding"}
    first = admin.post("accounts/ACC-1/cash-movements/", body)
    assert first.status_code == 201
    assert Decimal(first.json()["amount"]) == Decimal("1000.5")
    assert a.is_decimal_string(first.json()["amount"])
    assert admin.post("accounts/ACC-1/cash-movements/", body).status_code == 200
    assert admin.post("accounts/ACC-1/cash-movements/", {**body, "amount": "999"}).status_code == 409
    summary = admin.ok("get", "accounts/ACC-1/summary/")
    assert Decimal(summary["cash"]) == Decimal("1000.5")
    withdrawal = {"movement_id": "wd-1", "currency": "USD", "amount": "-500", "reason": "out"}
    admin.ok("post", "accounts/ACC-1/cash-movements/", withdrawal, expect=201)
    assert Decimal(admin.ok("get", "accounts/ACC-1/summary/")["cash"]) == Decimal("500.5")


def test_cash_movements_need_a_risk_manager(admin: Api) -> None:
    a.account(admin, cash=None)
    trader = a.member("ACC-1", "trader")
    body = {"movement_id": "dep-1", "currency": "USD", "amount": "1", "reason": "x"}
    assert trader.post("accounts/ACC-1/cash-movements/", body).status_code == 403
    rm = a.member("ACC-1", "risk_manager")
    assert rm.post("accounts/ACC-1/cash-movements/", body).status_code == 201


# --- limits ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["accounts/ACC-1/", "accounts/ACC-1/strategies/momo/", "groups/DESK/"])
def test_limits_get_put_patch_with_null_as_no_limit(admin: Api, path: str) -> None:
    a.account(admin, cash=None)
    admin.ok("post", "groups/", {"code": "DESK", "name": "Desk", "accounts": ["ACC-1"]}, expect=201)
    empty = admin.ok("get", f"{path}limits/")
    assert set(empty) >= set(LIMIT_FIELDS)
    assert all(
        empty[f] is None for f in LIMIT_FIELDS if f not in ("warn_utilization_pct", "restricted_symbols")
    )
    put = admin.ok(
        "put",
        f"{path}limits/",
        {"max_order_quantity": 100, "max_leverage": "3.5", "restricted_symbols": ["GME"]},
    )
    assert Decimal(put["max_order_quantity"]) == 100
    assert a.is_decimal_string(put["max_order_quantity"])
    assert Decimal(put["max_leverage"]) == Decimal("3.5")
    assert put["restricted_symbols"] == ["GME"]
    patched = admin.ok("patch", f"{path}limits/", {"max_order_notional": "5000.00", "max_leverage": None})
    assert patched["max_leverage"] is None
    assert Decimal(patched["max_order_quantity"]) == 100
    assert Decimal(patched["max_order_notional"]) == 5000
    # PUT replaces: what is missing is no limit.
    replaced = admin.ok("put", f"{path}limits/", {"max_daily_loss": "250"})
    assert replaced["max_order_quantity"] is None
    assert replaced["max_order_notional"] is None
    assert Decimal(replaced["max_daily_loss"]) == 250
    assert replaced["restricted_symbols"] == []
    assert Decimal(admin.ok("get", f"{path}limits/")["max_daily_loss"]) == 250


def test_limits_validation_names_each_bad_field(admin: Api) -> None:
    a.account(admin, cash=None)
    response = admin.patch("accounts/ACC-1/limits/", {"max_order_quantity": "-1", "max_leverage": "lots"})
    assert response.status_code == 400
    assert {"max_order_quantity", "max_leverage"} <= set(response.json())


def test_limits_are_read_by_viewers_and_written_by_risk_managers_only(admin: Api) -> None:
    a.account(admin, cash=None)
    trader = a.member("ACC-1", "trader")
    assert trader.get("accounts/ACC-1/limits/").status_code == 200
    assert trader.patch("accounts/ACC-1/limits/", {"max_order_quantity": "1"}).status_code == 403
    assert trader.put("accounts/ACC-1/strategies/momo/limits/", {}).status_code == 403
    rm = a.member("ACC-1", "risk_manager")
    assert rm.patch("accounts/ACC-1/limits/", {"max_order_quantity": "1"}).status_code == 200


# --- groups ------------------------------------------------------------------------------------------


def test_groups_crud(admin: Api) -> None:
    a.account(admin, cash=None)
    a.account(admin, "ACC-2", cash=None)
    created = admin.ok("post", "groups/", {"code": "DESK", "name": "Desk", "accounts": ["ACC-1"]}, expect=201)
    assert set(created) >= {"code", "name", "accounts", "trading_state"}
    assert created["accounts"] == ["ACC-1"]
    assert created["trading_state"] == "active"
    assert "DESK" in {g["code"] for g in a.results(admin.ok("get", "groups/"))}
    patched = admin.ok("patch", "groups/DESK/", {"accounts": ["ACC-1", "ACC-2"], "name": "Big desk"})
    assert sorted(patched["accounts"]) == ["ACC-1", "ACC-2"]
    assert patched["name"] == "Big desk"
    assert admin.ok("get", "groups/DESK/")["name"] == "Big desk"
    bad = admin.post("groups/", {"code": "D2", "name": "x", "accounts": ["NOPE"]})
    assert bad.status_code == 400
    assert "accounts" in bad.json()


def test_groups_are_not_managed_by_account_traders(admin: Api) -> None:
    a.account(admin, cash=None)
    trader = a.member("ACC-1", "trader")
    assert trader.post("groups/", {"code": "D", "name": "D", "accounts": ["ACC-1"]}).status_code in (403, 404)


def test_dates_are_plain_dates(admin: Api) -> None:
    a.instrument(admin, "AAPL")
    body = {
        "symbol": "AAPL-P",
        "asset_class": "option",
        "currency": "USD",
        "multiplier": "100",
        "underlying": "AAPL",
        "option_type": "put",
        "strike": "150",
        "expiry": "2027-01-15",
    }
    created = admin.ok("post", "instruments/", body, expect=201)
    assert date.fromisoformat(created["expiry"]) == date(2027, 1, 15)
