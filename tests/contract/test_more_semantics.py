"""Further semantics: per-instrument position limits, the account PATCH kill switch, report order,
linear Greeks, default VaR parameters, alert emails, violation messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from tests.contract import api as a
from tests.contract.api import Api

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trader(admin: Api) -> Api:
    a.market(admin)
    a.account(admin)
    return a.member("ACC-1", "trader")


@pytest.fixture
def history(admin: Api, trader: Api) -> Api:
    days = a.weekdays_before(datetime.now(UTC).date(), 520)
    a.history(admin, {"AAPL": a.random_closes(11, 100.0, 520), "MSFT": a.random_closes(12, 200.0, 520)}, days)
    return trader


def test_position_limits_apply_per_instrument(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="80")
    a.limits(admin, "accounts/ACC-1/", max_position_quantity="100", max_position_notional="10000")
    assert a.check(trader, symbol="MSFT", quantity="50", price="200")["decision"] == "accepted"
    assert a.codes(a.check(trader, quantity="21")) == {"position_quantity", "position_notional"}


def test_the_violation_message_names_the_instrument_figure_and_limit(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_position_notional="1000000")
    result = a.check(trader, quantity="12500", price="100")
    [finding] = result["violations"]
    assert "AAPL" in finding["message"]
    assert "1,250,000.00" in finding["message"]
    assert "1,000,000.00" in finding["message"]


def test_patching_the_account_trading_state_is_the_kill_switch_too(admin: Api, trader: Api) -> None:
    admin.ok("patch", "accounts/ACC-1/", {"trading_state": "halted"})
    assert a.codes(a.check(trader)) == {"trading_halted"}


def test_linear_greeks_are_quantity_times_multiplier(admin: Api, trader: Api) -> None:
    admin.ok(
        "post",
        "instruments/",
        {
            "symbol": "ESZ6",
            "asset_class": "future",
            "currency": "USD",
            "multiplier": "50",
            "margin_rate": "0.05",
        },
        expect=201,
    )
    a.prices(admin, {"ESZ6": "5000"})
    a.fill(trader, symbol="ESZ6", side="sell", quantity="2", price="5000")
    a.fill(trader, quantity="30", price="100")
    body = trader.ok("get", "accounts/ACC-1/risk/greeks/")
    rows = {r["underlying"]: r for r in body["by_underlying"]}
    assert rows["ESZ6"]["delta"] == pytest.approx(-100)
    assert rows["ESZ6"]["delta_notional"] == pytest.approx(-500000)
    assert rows["AAPL"]["delta"] == pytest.approx(30)
    assert rows["AAPL"]["gamma"] == 0
    assert rows["AAPL"]["vega"] == 0
    assert body["total"]["delta_notional"] == pytest.approx(-500000 + 3000)


def test_var_defaults_to_parametric_99_one_day_500_days(history: Api) -> None:
    a.fill(history, quantity="30", price="100")
    body = history.ok("get", "accounts/ACC-1/risk/var/")
    assert body["method"] == "parametric"
    assert body["confidence"] == pytest.approx(0.99)
    assert body["horizon_days"] == 1
    assert body["lookback_days"] == 500


def test_reports_are_listed_newest_first_and_alerts_email_risk_managers(admin: Api, history: Api) -> None:
    a.fill(history, quantity="30", price="100")
    rm = a.member("ACC-1", "risk_manager")
    a.limits(admin, "accounts/ACC-1/", max_var="0.01")
    today = datetime.now(UTC).date()
    older = today - timedelta(days=1)
    while older.weekday() >= 5:
        older -= timedelta(days=1)
    mail.outbox.clear()
    call_command("run_risk_reports", "--date", older.isoformat())
    call_command("run_risk_reports")
    reports = a.results(rm.ok("get", "accounts/ACC-1/risk/reports/"))
    assert len(reports) >= 2
    dated = [r.get("date") or r.get("as_of") or r.get("report_date") for r in reports]
    assert all(dated), reports[0]
    assert dated == sorted(dated, reverse=True)
    assert any("risk_manager-acc-1@example.com" in m.to for m in mail.outbox), [m.to for m in mail.outbox]


def test_positions_are_kept_per_strategy_and_limits_see_the_right_sum(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="60", strategy="momo")
    a.fill(trader, quantity="30")
    rows = trader.ok("get", "accounts/ACC-1/positions/")
    held = {r["strategy"]: Decimal(r["quantity"]) for r in rows if r["symbol"] == "AAPL"}
    assert held == {"momo": Decimal("60"), None: Decimal("30")}
    a.limits(admin, "accounts/ACC-1/", max_position_quantity="100")
    a.limits(admin, "accounts/ACC-1/strategies/momo/", max_position_quantity="70")
    result = a.check(trader, strategy="momo", quantity="20")
    assert {(f["code"], f["scope"]) for f in result["violations"]} == {
        ("position_quantity", "account"),
        ("position_quantity", "strategy"),
    }
    assert a.check(trader, strategy="momo", quantity="10")["decision"] == "accepted"


def test_put_resets_warn_utilization_pct_to_80_and_null_restrictions_to_none(admin: Api, trader: Api) -> None:
    admin.ok("put", "accounts/ACC-1/limits/", {"warn_utilization_pct": "50", "restricted_symbols": ["AAPL"]})
    body = admin.ok("put", "accounts/ACC-1/limits/", {})
    assert float(body["warn_utilization_pct"]) == 80
    admin.ok("patch", "accounts/ACC-1/limits/", {"restricted_symbols": ["AAPL"]})
    cleared = admin.ok("patch", "accounts/ACC-1/limits/", {"restricted_symbols": None})
    assert cleared["restricted_symbols"] in ([], None)
    assert a.check(trader)["decision"] == "accepted"


def test_cash_in_another_currency_is_converted_to_base(admin: Api, trader: Api) -> None:
    a.deposit(admin, "ACC-1", "1000", "EUR")
    summary = admin.ok("get", "accounts/ACC-1/summary/")
    assert summary["cash"] in ("1001100.00", "1001100") or float(summary["cash"]) == 1001100.0


def test_daily_pnl_of_a_position_held_overnight_starts_from_the_day_start(admin: Api, trader: Api) -> None:
    today = datetime.now(UTC).date()
    yesterday = a.weekdays_before(today, 1)[0]
    executed = datetime.combine(yesterday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
    a.fill(trader, quantity="10", price="100", executed_at=executed.isoformat())
    admin.ok("post", "price-history/", [{"symbol": "AAPL", "date": yesterday.isoformat(), "close": "102"}])
    a.prices(admin, {"AAPL": "105"})
    summary = trader.ok("get", "accounts/ACC-1/summary/")
    assert float(summary["unrealized_pnl"]) == 50
    assert float(summary["daily_pnl"]) == 30
    assert float(summary["realized_pnl_today"]) == 0


def test_an_older_mark_does_not_replace_a_newer_one(admin: Api, trader: Api) -> None:
    old = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    admin.ok("post", "prices/", [{"symbol": "AAPL", "price": "50", "as_of": old}])
    [row] = a.results(admin.ok("get", "prices/?symbol=AAPL"))
    assert float(row["price"]) == 100


def test_an_instrument_defaults_to_multiplier_one(admin: Api) -> None:
    body = admin.ok(
        "post", "instruments/", {"symbol": "IBM", "asset_class": "equity", "currency": "USD"}, expect=201
    )
    assert body["multiplier"] in ("1", "1.000000") or float(body["multiplier"]) == 1


def test_a_fill_on_an_invisible_account_is_404_like_a_check(admin: Api, trader: Api) -> None:
    a.account(admin, "ACC-2")
    outsider = a.member("ACC-2", "trader")
    body = {
        "fill_id": "f1",
        "account": "ACC-1",
        "symbol": "AAPL",
        "side": "buy",
        "quantity": "1",
        "price": "100",
        "executed_at": a.now_iso(),
    }
    assert outsider.post("checks/", a.order()).status_code == 404
    assert outsider.post("fills/", body).status_code == 404


def test_group_limits_sum_accounts_of_different_base_currencies(admin: Api, trader: Api) -> None:
    a.account(admin, "ACC-E", base="EUR", cash="100000")
    admin.ok(
        "post",
        "groups/",
        {"code": "DESK", "name": "Desk", "base_currency": "USD", "accounts": ["ACC-1", "ACC-E"]},
        expect=201,
    )
    euro = a.member("ACC-E", "trader")
    a.fill(euro, account="ACC-E", symbol="SAP", quantity="100", price="50")  # 5,000 EUR = 5,500 USD
    a.limits(admin, "groups/DESK/", max_gross_exposure="6000")
    result = a.check(trader, quantity="6", price="100")
    assert [(f["code"], f["scope"]) for f in result["violations"]] == [("gross_exposure", "group")]
    from decimal import Decimal as D

    assert D(result["violations"][0]["value"]) == D("6100")
    assert a.check(trader, quantity="4", price="100")["decision"] == "accepted"


def test_order_rate_on_a_strategy_counts_only_its_orders(admin: Api, trader: Api) -> None:
    a.limits(admin, "accounts/ACC-1/strategies/momo/", max_orders_per_minute=2)
    for _ in range(3):
        assert a.check(trader, quantity="1")["decision"] == "accepted"
    assert a.check(trader, strategy="momo", quantity="1")["decision"] == "accepted"
    assert a.check(trader, strategy="momo", quantity="1")["decision"] == "accepted"
    third = a.check(trader, strategy="momo", quantity="1")
    assert [(f["code"], f["scope"]) for f in third["violations"]] == [("order_rate", "strategy")]


def test_a_realized_loss_today_counts_towards_daily_loss(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100", price="100")
    a.fill(trader, side="sell", quantity="100", price="90")  # flat, -1,000 realized
    a.limits(admin, "accounts/ACC-1/", max_daily_loss="1000")
    assert "daily_loss" in a.codes(a.check(trader, quantity="1"))
    assert "daily_loss" in a.codes(a.check(trader, side="sell", quantity="1"))
    a.limits(admin, "accounts/ACC-1/", max_daily_loss="1000.01")
    assert a.check(trader, quantity="1")["decision"] == "accepted"


def test_members_change_roles_and_unknown_members_are_404(admin: Api, trader: Api) -> None:
    changed = admin.ok("post", "accounts/ACC-1/members/", {"username": "trader-acc-1", "role": "viewer"})
    assert changed["role"] == "viewer"
    assert trader.post("checks/", a.order()).status_code == 403
    assert admin.delete("accounts/ACC-1/members/nobody/").status_code == 404


def test_a_viewer_may_not_acknowledge_an_alert(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="30", price="100")
    days = a.weekdays_before(datetime.now(UTC).date(), 520)
    a.history(admin, {"AAPL": a.random_closes(11, 100.0, 520)}, days)
    a.limits(admin, "accounts/ACC-1/", max_var="0.01")
    call_command("run_risk_reports")
    viewer = a.member("ACC-1", "viewer")
    [alert, *_] = a.results(viewer.ok("get", "alerts/?account=ACC-1&state=open"))
    assert viewer.post(f"alerts/{alert['id']}/acknowledge/").status_code == 403
    assert trader.post(f"alerts/{alert['id']}/acknowledge/").status_code in (200, 403)
