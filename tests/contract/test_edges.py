"""Less travelled lines of the contract: superusers, feed users, crypto currencies, FX gaps in risk,
checks of invisible accounts, the decision record, concurrency, management commands."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.contract import api as a
from tests.contract.api import Api
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trader(admin: Api) -> Api:
    a.market(admin)
    a.account(admin)
    return a.member("ACC-1", "trader")


def test_a_superuser_acts_as_risk_manager_everywhere(trader: Api) -> None:
    UserFactory(username="root", is_superuser=True, is_staff=False)
    root = a.token_api("root")
    assert root.ok("patch", "accounts/ACC-1/limits/", {"max_order_quantity": "5"})
    root.ok("post", "accounts/ACC-1/trading-state/", {"state": "reduce_only", "reason": "x"})
    root.ok("post", "accounts/", {"code": "ACC-9", "name": "n", "base_currency": "USD"}, expect=201)
    a.instrument(root, "NEW1")


def test_a_feed_user_given_the_permission_writes_marks(trader: Api) -> None:
    from django.contrib.auth.models import Permission

    feed = UserFactory(username="feed")
    feed.user_permissions.add(
        Permission.objects.get(codename="change_price", content_type__app_label="positions")
    )
    api = a.token_api("feed")
    assert api.post("prices/", [{"symbol": "AAPL", "price": "101", "as_of": a.now_iso()}]).status_code == 200
    assert api.post("rates/", [{"currency": "USD", "rate": "0.05"}]).status_code == 403


def test_fx_rates_accept_json_numbers_and_crypto_tickers(admin: Api, trader: Api) -> None:
    admin.ok(
        "post",
        "instruments/",
        {
            "symbol": "ETH-BTC",
            "asset_class": "crypto",
            "currency": "BTC",
            "multiplier": "1",
            "margin_rate": "0.5",
        },
        expect=201,
    )
    a.prices(admin, {"ETH-BTC": "0.05"})
    admin.ok("post", "fx-rates/", [{"base": "BTC", "quote": "USD", "rate": 60000, "as_of": a.now_iso()}])
    a.limits(admin, "accounts/ACC-1/", max_order_notional="2000")
    result = a.check(trader, symbol="ETH-BTC", quantity="1", price="0.05")
    assert a.codes(result) == {"order_notional"}
    assert Decimal(result["violations"][0]["value"]) == Decimal("3000")


def test_risk_without_an_fx_rate_says_missing_fx_rate_and_is_not_a_5xx(admin: Api, trader: Api) -> None:
    a.fill(trader, symbol="TYO", quantity="1", price="1000")
    for method in ("parametric", "historical", "monte_carlo"):
        response = trader.get(f"accounts/ACC-1/risk/var/?method={method}")
        assert response.status_code < 500
        assert response.status_code != 200
        assert "missing_fx_rate" in response.content.decode()
    stress = trader.post("accounts/ACC-1/risk/stress/", {"shocks": {"equity": "-0.1"}})
    assert stress.status_code < 500
    assert "missing_fx_rate" in stress.content.decode()
    greeks = trader.get("accounts/ACC-1/risk/greeks/")
    assert greeks.status_code < 500


def test_a_reducing_order_passes_at_negative_equity(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="10000", price="100")
    a.prices(admin, {"AAPL": "1"})  # equity 1,000,000 - 990,000 = 10,000 ... push below zero:
    a.fill(trader, symbol="MSFT", quantity="10000", price="200")
    a.prices(admin, {"MSFT": "100"})  # equity 10,000 - 1,000,000 < 0
    a.limits(admin, "accounts/ACC-1/", max_leverage="10")
    increasing = a.check(trader, quantity="1", price="1")
    assert increasing["decision"] == "rejected"
    assert increasing["violations"]
    assert a.check(trader, side="sell", quantity="10", price="1")["decision"] == "accepted"


def test_checks_and_releases_of_an_invisible_account_are_404(admin: Api, trader: Api) -> None:
    first = a.check(trader, quantity="1")
    a.account(admin, "ACC-2")
    outsider = a.member("ACC-2", "risk_manager")
    assert outsider.post(f"checks/{first['check_id']}/release/").status_code == 404
    assert outsider.get(f"checks/{first['check_id']}/").status_code == 404
    assert first["check_id"] not in {r["check_id"] for r in a.results(outsider.ok("get", "checks/"))}
    batch = outsider.post("checks/batch/", {"orders": [a.order()]})
    assert batch.status_code == 404


def test_the_decision_record_keeps_who_when_inputs_and_result(trader: Api) -> None:
    result = a.check(trader, quantity="7", price="101.5", client_order_id="oms-77")
    [row] = a.results(trader.ok("get", "checks/?account=ACC-1"))
    text = repr(row)
    assert row["check_id"] == result["check_id"]
    assert row["decision"] == "accepted"
    assert "trader-acc-1" in text  # who
    assert "oms-77" in text
    assert "AAPL" in text
    assert "buy" in text
    assert any(isinstance(v, str) and v.startswith(result["evaluated_at"][:16]) for v in row.values())  # when


def test_rebuild_positions_reproduces_the_positions(admin: Api, trader: Api) -> None:
    a.fill(trader, quantity="100", price="100")
    a.fill(trader, side="sell", quantity="30", price="110")
    before = trader.ok("get", "accounts/ACC-1/positions/")
    call_command("rebuild_positions", "--account", "ACC-1")
    call_command("rebuild_positions")
    assert trader.ok("get", "accounts/ACC-1/positions/") == before


def test_import_prices_loads_daily_closes(admin: Api, trader: Api, tmp_path: Path) -> None:
    a.fill(trader, quantity="100", price="100")
    days = a.weekdays_before(datetime.now(UTC).date(), 60)
    closes = a.random_closes(5, 100.0, 60)
    path = tmp_path / "closes.csv"
    path.write_text(
        "symbol,date,close\n"
        + "".join(f"AAPL,{d.isoformat()},{c}\n" for d, c in zip(days, closes, strict=True))
    )
    call_command("import_prices", str(path))
    body = trader.ok("get", "accounts/ACC-1/risk/var/?method=historical&lookback_days=50")
    assert body["var"] > 0


@pytest.mark.parametrize("threads", [8])
def test_concurrent_checks_never_admit_more_than_the_limit(postgres: None, admin: Api, threads: int) -> None:
    a.market(admin)
    a.account(admin)
    a.member("ACC-1", "trader")
    a.limits(admin, "accounts/ACC-1/", max_position_quantity="100")
    from rest_framework.authtoken.models import Token

    key = Token.objects.get(user__username="trader-acc-1").key
    decisions: list[str] = []
    barrier = threading.Barrier(threads)

    def one() -> None:
        from django.db import connection

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        try:
            response = client.post("/api/v1/checks/", a.order(quantity="30"), format="json")
            decisions.append(
                response.json()["decision"] if response.status_code == 200 else str(response.status_code)
            )
        finally:
            connection.close()

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert decisions.count("accepted") == 3, decisions
    assert decisions.count("rejected") == threads - 3, decisions


def _race(key: str, path: str, body: dict[str, object], threads: int) -> list[tuple[int, dict[str, object]]]:
    """`threads` clients post the same body at once; answers (status, json)."""
    answers: list[tuple[int, dict[str, object]]] = []
    barrier = threading.Barrier(threads)

    def one() -> None:
        from django.db import connection

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        try:
            response = client.post(path, body, format="json")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return answers


def test_a_fill_replayed_concurrently_is_stored_once(postgres: None, admin: Api) -> None:
    a.market(admin)
    a.account(admin)
    trader = a.member("ACC-1", "trader")
    from rest_framework.authtoken.models import Token

    key = Token.objects.get(user__username="trader-acc-1").key
    body = {
        "fill_id": "RACE-1",
        "account": "ACC-1",
        "symbol": "AAPL",
        "side": "buy",
        "quantity": "10",
        "price": "100",
        "executed_at": a.now_iso(),
    }
    codes = sorted(status for status, _ in _race(key, "/api/v1/fills/", body, 4))
    assert codes == [200, 200, 200, 201]
    [row] = trader.ok("get", "accounts/ACC-1/positions/")
    assert Decimal(row["quantity"]) == 10


def test_a_client_order_id_checked_concurrently_gets_one_check_id(postgres: None, admin: Api) -> None:
    a.market(admin)
    a.account(admin)
    a.member("ACC-1", "trader")
    from rest_framework.authtoken.models import Token

    key = Token.objects.get(user__username="trader-acc-1").key
    answers = _race(key, "/api/v1/checks/", a.order(client_order_id="oms-race"), 4)
    assert {status for status, _ in answers} == {200}
    assert len({body["check_id"] for _, body in answers}) == 1
