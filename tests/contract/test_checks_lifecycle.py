"""Reservations, releases, fills consuming reservations, client_order_id idempotency, baskets, the
kill switch at account, strategy and group scope, and the decision log."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract import api as a
from tests.contract.api import Api

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trader(admin: Api) -> Api:
    a.market(admin)
    a.account(admin)
    return a.member("ACC-1", "trader")


@pytest.fixture
def capped(admin: Api, trader: Api) -> Api:
    a.limits(admin, "accounts/ACC-1/", max_position_quantity="100")
    return trader


# --- reservations ----------------------------------------------------------------------------------


def test_two_accepted_orders_that_jointly_exceed_reject_the_second(capped: Api) -> None:
    assert a.check(capped, quantity="60")["decision"] == "accepted"
    second = a.check(capped, quantity="60")
    assert a.codes(second) == {"position_quantity"}


def test_open_orders_count_only_on_the_same_side(capped: Api) -> None:
    assert a.check(capped, quantity="60")["decision"] == "accepted"
    # A sell does not net against the open buy: the projected short is 60, within 100.
    assert a.check(capped, side="sell", quantity="60")["decision"] == "accepted"


def test_a_release_frees_the_reservation(capped: Api) -> None:
    first = a.check(capped, quantity="60")
    capped.ok("post", f"checks/{first['check_id']}/release/", expect=200)
    assert a.check(capped, quantity="60")["decision"] == "accepted"


def test_a_fill_naming_the_check_id_consumes_the_reservation(capped: Api) -> None:
    first = a.check(capped, quantity="60")
    a.fill(capped, quantity="60", check_id=first["check_id"])
    # Position 60 and no open order: 40 more fits, 41 does not.
    assert a.check(capped, quantity="40")["decision"] == "accepted"


def test_a_partial_fill_consumes_part_and_the_rest_stays_reserved(capped: Api) -> None:
    first = a.check(capped, quantity="60")
    a.fill(capped, quantity="20", check_id=first["check_id"])
    # Position 20 + still reserved 40 = 60: 41 more exceeds 100.
    assert a.codes(a.check(capped, quantity="41")) == {"position_quantity"}
    capped.ok("post", f"checks/{first['check_id']}/release/", expect=200)
    assert a.check(capped, quantity="80")["decision"] == "accepted"


def test_a_fill_without_check_id_does_not_free_the_reservation(capped: Api) -> None:
    a.check(capped, quantity="60")
    a.fill(capped, quantity="30")
    assert a.codes(a.check(capped, quantity="11")) == {"position_quantity"}


def test_a_rejected_order_reserves_nothing(capped: Api) -> None:
    assert a.check(capped, quantity="101")["decision"] == "rejected"
    assert a.check(capped, quantity="100")["decision"] == "accepted"


def test_release_of_an_unknown_check_is_404(trader: Api) -> None:
    assert trader.post("checks/00000000-0000-0000-0000-000000000000/release/").status_code == 404


# --- client_order_id ---------------------------------------------------------------------------------


def test_the_same_client_order_id_and_payload_returns_the_same_check_id(capped: Api) -> None:
    first = a.check(capped, quantity="60", client_order_id="oms-1")
    again = a.check(capped, quantity="60", client_order_id="oms-1")
    assert again["check_id"] == first["check_id"]
    assert again["decision"] == "accepted"
    # The replay reserved nothing more: 40 still fits.
    assert a.check(capped, quantity="40")["decision"] == "accepted"


def test_the_same_client_order_id_with_another_payload_is_409(capped: Api) -> None:
    a.check(capped, quantity="60", client_order_id="oms-1")
    response = capped.post("checks/", a.order(quantity="61", client_order_id="oms-1"))
    assert response.status_code == 409


# --- baskets -----------------------------------------------------------------------------------------


def test_a_basket_sees_the_orders_accepted_before_it(capped: Api) -> None:
    body = {"orders": [a.order(quantity="60"), a.order(quantity="60"), a.order(quantity="40")]}
    result = capped.ok("post", "checks/batch/", body, expect=200)
    decisions = [r["decision"] for r in result["results"]]
    assert decisions == ["accepted", "rejected", "accepted"]
    for item in result["results"]:
        assert set(item) >= {"check_id", "decision", "violations", "warnings", "evaluated_at"}
    assert a.codes(result["results"][1]) == {"position_quantity"}


def test_a_basket_reserves_what_it_accepted(capped: Api) -> None:
    capped.ok("post", "checks/batch/", {"orders": [a.order(quantity="60")]}, expect=200)
    assert a.codes(a.check(capped, quantity="41")) == {"position_quantity"}


def test_a_basket_with_a_bad_order_is_400(capped: Api) -> None:
    response = capped.post("checks/batch/", {"orders": [a.order(), a.order(quantity="0")]})
    assert response.status_code == 400


# --- kill switch -------------------------------------------------------------------------------------


def test_reduce_only_accepts_only_orders_towards_zero_without_crossing(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100")
    admin.ok("post", "accounts/ACC-1/trading-state/", {"state": "reduce_only", "reason": "wind down"})
    assert a.check(trader, side="sell", quantity="40")["decision"] == "accepted"
    assert a.codes(a.check(trader, side="buy", quantity="1")) == {"reduce_only"}


def test_reduce_only_rejects_a_sell_crossing_through_zero(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100")
    admin.ok("post", "accounts/ACC-1/trading-state/", {"state": "reduce_only", "reason": "wind down"})
    assert a.codes(a.check(trader, side="sell", quantity="101")) == {"reduce_only"}
    assert a.check(trader, side="sell", quantity="100")["decision"] == "accepted"


def test_reduce_only_counts_open_sells_towards_crossing(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100")
    admin.ok("post", "accounts/ACC-1/trading-state/", {"state": "reduce_only", "reason": "wind down"})
    assert a.check(trader, side="sell", quantity="70")["decision"] == "accepted"
    assert a.codes(a.check(trader, side="sell", quantity="31")) == {"reduce_only"}


def test_reduce_only_on_a_flat_position_rejects_both_sides(admin: Api, trader: Api) -> None:
    admin.ok("post", "accounts/ACC-1/trading-state/", {"state": "reduce_only", "reason": "wind down"})
    assert a.codes(a.check(trader, side="sell", quantity="1")) == {"reduce_only"}


def test_halted_rejects_even_a_reducing_order(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100")
    admin.ok("post", "accounts/ACC-1/trading-state/", {"state": "halted", "reason": "incident"})
    assert a.codes(a.check(trader, side="sell", quantity="10")) == {"trading_halted"}
    admin.ok("post", "accounts/ACC-1/trading-state/", {"state": "active", "reason": "resolved"})
    assert a.check(trader, side="sell", quantity="10")["decision"] == "accepted"


def test_the_trading_state_shows_on_the_account(admin: Api, trader: Api) -> None:
    admin.ok("post", "accounts/ACC-1/trading-state/", {"state": "halted", "reason": "incident"})
    assert trader.ok("get", "accounts/ACC-1/")["trading_state"] == "halted"


def test_a_halted_strategy_blocks_only_its_orders(admin: Api, trader: Api) -> None:
    admin.ok("post", "accounts/ACC-1/strategies/momo/trading-state/", {"state": "halted", "reason": "x"})
    result = a.check(trader, strategy="momo")
    assert a.codes(result) == {"trading_halted"}
    assert result["violations"][0]["scope"] == "strategy"
    assert a.check(trader)["decision"] == "accepted"
    strategies = a.results(trader.ok("get", "accounts/ACC-1/strategies/"))
    assert {s["code"]: s["trading_state"] for s in strategies}["momo"] == "halted"


def test_a_reduce_only_strategy_allows_reducing_its_position(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="50", strategy="momo")
    admin.ok("post", "accounts/ACC-1/strategies/momo/trading-state/", {"state": "reduce_only", "reason": "x"})
    assert a.check(trader, strategy="momo", side="sell", quantity="50")["decision"] == "accepted"
    assert a.codes(a.check(trader, strategy="momo", side="buy", quantity="1")) == {"reduce_only"}


def test_a_halted_group_blocks_its_accounts(admin: Api, trader: Api) -> None:
    a.account(admin, "ACC-2")
    admin.ok("post", "groups/", {"code": "DESK", "name": "Desk", "accounts": ["ACC-1"]}, expect=201)
    admin.ok("post", "groups/DESK/trading-state/", {"state": "halted", "reason": "desk incident"})
    result = a.check(trader)
    assert a.codes(result) == {"trading_halted"}
    assert result["violations"][0]["scope"] == "group"
    other = a.member("ACC-2", "trader")
    assert a.check(other, account="ACC-2")["decision"] == "accepted"
    assert admin.ok("get", "groups/DESK/")["trading_state"] == "halted"


def test_a_reduce_only_group_allows_reducing(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="50")
    admin.ok("post", "groups/", {"code": "DESK", "name": "Desk", "accounts": ["ACC-1"]}, expect=201)
    admin.ok("post", "groups/DESK/trading-state/", {"state": "reduce_only", "reason": "x"})
    assert a.check(trader, side="sell", quantity="50")["decision"] == "accepted"
    assert a.codes(a.check(trader, quantity="1")) == {"reduce_only"}


def test_a_trader_may_not_flip_the_kill_switch(trader: Api) -> None:
    response = trader.post("accounts/ACC-1/trading-state/", {"state": "active", "reason": "me"})
    assert response.status_code == 403


def test_a_bad_state_is_400_on_state(admin: Api, trader: Api) -> None:
    response = admin.post("accounts/ACC-1/trading-state/", {"state": "paused", "reason": "x"})
    assert response.status_code == 400
    assert "state" in response.json()


# --- decision log ------------------------------------------------------------------------------------


def test_every_decision_is_stored_and_listed_with_filters(admin: Api, capped: Api) -> None:
    accepted = a.check(capped, quantity="10")
    rejected = a.check(capped, quantity="500")
    rows = a.results(capped.ok("get", "checks/?account=ACC-1"))
    assert {r["check_id"] for r in rows} >= {accepted["check_id"], rejected["check_id"]}
    only = a.results(capped.ok("get", "checks/?account=ACC-1&decision=rejected"))
    assert [r["check_id"] for r in only] == [rejected["check_id"]]
    row = only[0]
    assert row["decision"] == "rejected"


def test_the_decision_log_of_an_invisible_account_is_404(admin: Api, trader: Api) -> None:
    a.account(admin, "ACC-2")
    assert trader.get("checks/?account=ACC-2").status_code == 404


def test_a_check_on_an_invisible_account_is_404_and_a_viewer_gets_403(admin: Api, trader: Api) -> None:
    a.account(admin, "ACC-2")
    assert trader.post("checks/", a.order(account="ACC-2")).status_code == 404
    assert trader.post("checks/", a.order(account="NOPE")).status_code == 404
    viewer = a.member("ACC-1", "viewer")
    assert viewer.post("checks/", a.order()).status_code == 403


def test_a_viewer_may_not_release(capped: Api) -> None:
    first = a.check(capped, quantity="10")
    viewer = a.member("ACC-1", "viewer")
    assert viewer.post(f"checks/{first['check_id']}/release/").status_code == 403


def test_a_reservation_expires_after_the_configured_lifetime(settings: Any, capped: Api) -> None:
    import time

    settings.RISK_RESERVATION_TTL_SECONDS = 1
    assert a.check(capped, quantity="60")["decision"] == "accepted"
    assert a.codes(a.check(capped, quantity="60")) == {"position_quantity"}
    time.sleep(1.2)
    assert a.check(capped, quantity="60")["decision"] == "accepted"


def test_a_reservation_lasts_until_the_end_of_the_day_by_default(capped: Api) -> None:
    from datetime import UTC, datetime, timedelta

    first = a.check(capped, quantity="60")
    [row] = [
        r for r in a.results(capped.ok("get", "checks/?account=ACC-1")) if r["check_id"] == first["check_id"]
    ]
    expires = datetime.fromisoformat(row["reservation"]["expires_at"])
    now = datetime.now(UTC)
    assert now + timedelta(minutes=1) < expires <= now + timedelta(hours=24)
