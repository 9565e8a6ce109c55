"""POST /api/v1/checks/: the answer's shape and every violation code, reached through the API."""

from __future__ import annotations

from datetime import datetime
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


def assert_finding_shape(finding: dict[str, Any]) -> None:
    assert set(finding) >= {"code", "scope", "message", "limit", "value"}
    assert finding["scope"] in ("account", "strategy", "group")
    assert isinstance(finding["message"], str)
    assert finding["message"]


def test_it_answers_the_documented_shape_for_an_accepted_order(trader: Api) -> None:
    result = a.check(trader, strategy="momo", quantity="100", price="100.00", client_order_id="oms-1")
    assert set(result) >= {"check_id", "decision", "violations", "warnings", "evaluated_at"}
    assert result["decision"] == "accepted"
    assert result["violations"] == []
    # v1.1: no nightly run has stored a risk model, so no VaR, and the answer says why.
    assert result["risk"] is None
    assert [w["code"] for w in result["warnings"]] == ["var_unavailable"]
    assert datetime.fromisoformat(result["evaluated_at"]).utcoffset() is not None
    import uuid

    uuid.UUID(result["check_id"])


def test_it_accepts_json_numbers_for_quantity_and_price(trader: Api) -> None:
    result = a.check(trader, quantity=100, price=100.5)
    assert result["decision"] == "accepted"


def test_it_rejects_with_200_and_a_finding_carrying_limit_and_value_as_decimal_strings(
    admin: Api, trader: Api
) -> None:
    a.limits(admin, "accounts/ACC-1/", max_position_notional="1000000.00")
    result = a.check(trader, quantity="12500", price="100")
    assert result["decision"] == "rejected"
    [finding] = result["violations"]
    assert_finding_shape(finding)
    assert finding["code"] == "position_notional"
    assert finding["scope"] == "account"
    assert a.is_decimal_string(finding["limit"])
    assert a.is_decimal_string(finding["value"])
    from decimal import Decimal

    assert Decimal(finding["limit"]) == Decimal("1000000")
    assert Decimal(finding["value"]) == Decimal("1250000")


def test_it_names_each_bad_field_with_400(trader: Api) -> None:
    response = trader.post("checks/", a.order(quantity="-5", side="hold"))
    assert response.status_code == 400
    assert {"quantity", "side"} <= set(response.json())


def test_a_limit_order_without_a_price_is_400_on_price(trader: Api) -> None:
    response = trader.post("checks/", a.order(price=None))
    assert response.status_code == 400
    assert "price" in response.json()


def test_a_market_order_is_priced_at_the_latest_mark(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_order_notional="999")
    body = a.order(quantity="10", price=None, order_type="market")
    result = trader.ok("post", "checks/", body, expect=200)
    assert a.codes(result) == {"order_notional"}
    from decimal import Decimal

    assert Decimal(result["violations"][0]["value"]) == Decimal("1000")


# --- each code, reached with a realistic setup -----------------------------------------------------


def test_trading_halted(admin: Api, trader: Api) -> None:
    admin.ok("post", "accounts/ACC-1/trading-state/", {"state": "halted", "reason": "incident"})
    assert a.codes(a.check(trader)) == {"trading_halted"}


def test_reduce_only(admin: Api, trader: Api) -> None:
    admin.ok("post", "accounts/ACC-1/trading-state/", {"state": "reduce_only", "reason": "wind down"})
    assert a.codes(a.check(trader)) == {"reduce_only"}


def test_restricted_instrument(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", restricted_symbols=["AAPL"])
    assert a.codes(a.check(trader)) == {"restricted_instrument"}
    assert a.check(trader, symbol="MSFT", price="200")["decision"] == "accepted"


def test_unknown_instrument(trader: Api) -> None:
    result = a.check(trader, symbol="NOSUCH")
    assert result["decision"] == "rejected"
    assert a.codes(result) == {"unknown_instrument"}


def test_order_quantity(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_order_quantity="50")
    assert a.check(trader, quantity="50")["decision"] == "accepted"
    assert a.codes(a.check(trader, quantity="51")) == {"order_quantity"}


def test_order_notional(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_order_notional="5000")
    assert a.codes(a.check(trader, quantity="51")) == {"order_notional"}


def test_position_quantity_counts_the_current_position(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="80")
    a.limits(admin, "accounts/ACC-1/", max_position_quantity="100")
    assert a.codes(a.check(trader, quantity="21")) == {"position_quantity"}
    assert a.check(trader, quantity="20")["decision"] == "accepted"


def test_a_sell_reduces_a_long_in_the_projected_position(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100")
    a.limits(admin, "accounts/ACC-1/", max_position_quantity="100")
    assert a.check(trader, side="sell", quantity="150")["decision"] == "accepted"
    assert a.codes(a.check(trader, side="sell", quantity="301")) == {"position_quantity"}


def test_position_notional_in_base_currency(admin: Api, trader: Api) -> None:
    # SAP is in EUR: 100 x 50 EUR x 1.10 = 5,500 USD.
    a.limits(admin, "accounts/ACC-1/", max_position_notional="5000")
    result = a.check(trader, symbol="SAP", quantity="100", price="50")
    assert a.codes(result) == {"position_notional"}
    from decimal import Decimal

    assert Decimal(result["violations"][0]["value"]) == Decimal("5500")


def test_gross_exposure(admin: Api, trader: Api) -> None:
    a.fill(trader, symbol="MSFT", side="sell", quantity="100", price="200")  # 20,000 short
    a.limits(admin, "accounts/ACC-1/", max_gross_exposure="25000")
    assert a.codes(a.check(trader, quantity="60")) == {"gross_exposure"}
    assert a.check(trader, quantity="50")["decision"] == "accepted"


def test_net_exposure(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100")  # 10,000 long
    a.limits(admin, "accounts/ACC-1/", max_net_exposure="15000")
    assert a.codes(a.check(trader, symbol="MSFT", quantity="30", price="200")) == {"net_exposure"}
    assert a.check(trader, symbol="MSFT", side="sell", quantity="100", price="200")["decision"] == "accepted"


def test_daily_loss_blocks_risk_increasing_orders_but_not_reducing_ones(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100", price="100")
    a.prices(admin, {"AAPL": "90"})  # -1,000 today
    a.limits(admin, "accounts/ACC-1/", max_daily_loss="1000")
    assert "daily_loss" in a.codes(a.check(trader, quantity="1", price="90"))
    assert a.check(trader, side="sell", quantity="50", price="90")["decision"] == "accepted"


def test_leverage(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_leverage="2")
    assert a.codes(a.check(trader, quantity="20001")) == {"leverage"}
    assert a.check(trader, quantity="20000")["decision"] == "accepted"


def test_insufficient_margin(admin: Api) -> None:
    a.market(admin)
    a.account(admin, cash="1000")
    trader = a.member("ACC-1", "trader")
    # 10% of 10,100 = 1,010 > 1,000 of equity.
    assert a.codes(a.check(trader, quantity="101")) == {"insufficient_margin"}
    assert a.check(trader, quantity="100")["decision"] == "accepted"


def test_zero_equity_rejects_risk_increasing_orders_with_a_message(admin: Api) -> None:
    a.market(admin)
    a.account(admin, cash=None)
    trader = a.member("ACC-1", "trader")
    a.limits(admin, "accounts/ACC-1/", max_leverage="3")
    result = a.check(trader, quantity="1")
    assert result["decision"] == "rejected"
    assert "leverage" in a.codes(result) or "insufficient_margin" in a.codes(result)
    assert all(f["message"] for f in result["violations"])


def test_price_collar(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", price_collar_pct="5")
    assert a.codes(a.check(trader, price="106")) == {"price_collar"}
    assert a.check(trader, price="105")["decision"] == "accepted"


def test_order_rate(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_orders_per_minute=3)
    decisions = [a.check(trader, quantity="1") for _ in range(4)]
    assert [d["decision"] for d in decisions[:3]] == ["accepted"] * 3
    assert "order_rate" in a.codes(decisions[3])


def test_missing_price(trader: Api) -> None:
    result = trader.ok("post", "checks/", a.order(symbol="NOPX", price=None, order_type="market"), expect=200)
    assert result["decision"] == "rejected"
    assert "missing_price" in a.codes(result)


def test_missing_fx_rate(trader: Api) -> None:
    result = a.check(trader, symbol="TYO", quantity="1", price="1000")
    assert result["decision"] == "rejected"
    assert "missing_fx_rate" in a.codes(result)


def test_all_violations_are_listed_at_once(admin: Api, trader: Api) -> None:
    a.limits(
        admin,
        "accounts/ACC-1/",
        max_order_quantity="10",
        max_order_notional="500",
        max_position_quantity="10",
        price_collar_pct="1",
        restricted_symbols=["AAPL"],
    )
    result = a.check(trader, quantity="20", price="110")
    assert a.codes(result) >= {
        "order_quantity",
        "order_notional",
        "position_quantity",
        "price_collar",
        "restricted_instrument",
    }


def test_strategy_limits_apply_with_scope_strategy(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/strategies/momo/", max_order_quantity="5")
    result = a.check(trader, strategy="momo", quantity="6")
    assert [(f["code"], f["scope"]) for f in result["violations"]] == [("order_quantity", "strategy")]
    assert a.check(trader, quantity="6")["decision"] == "accepted"


def test_account_and_strategy_limits_both_apply(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_order_quantity="5")
    a.limits(admin, "accounts/ACC-1/strategies/momo/", max_order_quantity="4")
    result = a.check(trader, strategy="momo", quantity="6")
    assert {(f["code"], f["scope"]) for f in result["violations"]} == {
        ("order_quantity", "account"),
        ("order_quantity", "strategy"),
    }


def test_group_limits_apply_to_the_sum_over_the_group(admin: Api, trader: Api) -> None:
    a.account(admin, "ACC-2")
    admin.ok("post", "groups/", {"code": "DESK", "name": "Desk", "accounts": ["ACC-1", "ACC-2"]}, expect=201)
    other = a.member("ACC-2", "trader")
    a.fill(other, account="ACC-2", quantity="80")
    a.limits(admin, "groups/DESK/", max_position_quantity="100")
    result = a.check(trader, quantity="21")
    assert [(f["code"], f["scope"]) for f in result["violations"]] == [("position_quantity", "group")]
    assert a.check(trader, quantity="20")["decision"] == "accepted"


def test_warnings_at_warn_utilization_pct(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_order_quantity="100", warn_utilization_pct="80")
    below = a.check(trader, quantity="79")
    assert a.codes(below, "warnings") == {"var_unavailable"}  # no risk model stored (v1.1)
    at = a.check(trader, quantity="80")
    assert at["decision"] == "accepted"
    [warning] = [w for w in at["warnings"] if w["code"] != "var_unavailable"]
    assert_finding_shape(warning)
    assert warning["code"] == "order_quantity"


def test_warn_utilization_pct_defaults_to_80(admin: Api, trader: Api) -> None:
    body = admin.ok("get", "accounts/ACC-1/limits/")
    from decimal import Decimal

    assert Decimal(str(body["warn_utilization_pct"])) == Decimal("80")
    a.limits(admin, "accounts/ACC-1/", max_order_quantity="100")
    assert a.codes(a.check(trader, quantity="80"), "warnings") == {"order_quantity", "var_unavailable"}
