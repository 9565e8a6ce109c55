"""Risk analytics (VaR methods, Greeks, stress, backtest, reports) and alerts, through the API."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from scipy.stats import norm

from tests.contract import api as a
from tests.contract.api import Api

pytestmark = pytest.mark.django_db(transaction=True)

STRIKE = 200.0
SPOT = 190.0
VOL = 0.25
RATE = 0.045


def expiry() -> date:
    return datetime.now(UTC).date() + timedelta(days=365)


@pytest.fixture
def book(admin: Api) -> Api:
    """ACC-1 (USD): 200 AAPL and 10 AAPL 200 calls (x100), 800 days of AAPL history."""
    a.instrument(admin, "AAPL")
    admin.ok(
        "post",
        "instruments/",
        {
            "symbol": "AAPL-C200",
            "asset_class": "option",
            "currency": "USD",
            "multiplier": "100",
            "margin_rate": "0.20",
            "underlying": "AAPL",
            "option_type": "call",
            "strike": "200",
            "expiry": expiry().isoformat(),
        },
        expect=201,
    )
    a.prices(admin, {"AAPL": "190", "AAPL-C200": "15"}, implied_vol={"AAPL-C200": "0.25"})
    admin.ok("post", "rates/", [{"currency": "USD", "rate": "0.045"}])
    # Enough for a 500-day VaR lookback behind each of 250 backtest days.
    days = a.weekdays_before(datetime.now(UTC).date(), 800)
    a.history(admin, {"AAPL": a.random_closes(7, 180.0, 800, 0.02)}, days)
    a.account(admin)
    trader = a.member("ACC-1", "trader")
    a.fill(trader, quantity="200", price="185")
    a.fill(trader, symbol="AAPL-C200", quantity="10", price="14")
    return a.member("ACC-1", "viewer")


def bsm(spot: float, vol: float, t: float, rate: float = RATE) -> dict[str, float]:
    d1 = (math.log(spot / STRIKE) + (rate + vol * vol / 2) * t) / (vol * math.sqrt(t))
    d2 = d1 - vol * math.sqrt(t)
    price = spot * norm.cdf(d1) - STRIKE * math.exp(-rate * t) * norm.cdf(d2)
    return {
        "price": price,
        "delta": norm.cdf(d1),
        "gamma": norm.pdf(d1) / (spot * vol * math.sqrt(t)),
        "vega": spot * norm.pdf(d1) * math.sqrt(t) * 0.01,
        "theta": (
            -spot * norm.pdf(d1) * vol / (2 * math.sqrt(t))
            - rate * STRIKE * math.exp(-rate * t) * norm.cdf(d2)
        )
        / 365,
        "rho": STRIKE * t * math.exp(-rate * t) * norm.cdf(d2) * 0.01,
    }


@pytest.mark.parametrize("method", ["parametric", "historical", "monte_carlo"])
def test_var_answers_every_method(book: Api, method: str) -> None:
    body = book.ok(
        "get", f"accounts/ACC-1/risk/var/?method={method}&confidence=0.99&horizon_days=1&lookback_days=250"
    )
    assert set(body) >= {
        "method",
        "confidence",
        "horizon_days",
        "lookback_days",
        "currency",
        "var",
        "expected_shortfall",
        "portfolio_value",
        "components",
    }
    assert body["method"] == method
    assert body["currency"] == "USD"
    assert body["confidence"] == pytest.approx(0.99)
    assert body["lookback_days"] == 250
    assert body["var"] > 0
    assert body["expected_shortfall"] >= body["var"]
    for component in body["components"]:
        assert set(component) >= {"symbol", "exposure", "marginal_var", "component_var"}


def test_historical_var_is_the_loss_quantile_of_the_revalued_book_for_a_linear_book(admin: Api) -> None:
    a.instrument(admin, "AAPL")
    a.prices(admin, {"AAPL": "190"})
    days = a.weekdays_before(datetime.now(UTC).date(), 300)
    closes = a.random_closes(7, 180.0, 300, 0.02)
    a.history(admin, {"AAPL": closes}, days)
    a.account(admin)
    trader = a.member("ACC-1", "trader")
    a.fill(trader, quantity="200", price="185")
    body = trader.ok("get", "accounts/ACC-1/risk/var/?method=historical&confidence=0.99&lookback_days=250")
    series = np.array([float(c) for c in closes[-251:]])
    losses = -(200 * 190.0) * (series[1:] / series[:-1] - 1.0)
    # Quantile conventions differ by less than the gap between two neighbouring order statistics.
    ordered = np.sort(losses)
    k = int(np.ceil(0.99 * len(losses))) - 1
    assert ordered[k - 1] - 1e-6 <= body["var"] <= ordered[min(k + 1, len(losses) - 1)] + 1e-6


def test_var_rejects_a_bad_method_with_400(book: Api) -> None:
    response = book.get("accounts/ACC-1/risk/var/?method=guess&confidence=2")
    assert response.status_code == 400
    assert {"method", "confidence"} <= set(response.json())


def test_greeks_follow_black_scholes_in_the_contract_units(book: Api) -> None:
    body = book.ok("get", "accounts/ACC-1/risk/greeks/")
    assert set(body) >= {"by_underlying", "total"}
    [row] = body["by_underlying"]
    assert set(row) >= {"underlying", "delta", "gamma", "vega", "theta", "rho", "delta_notional"}
    assert row["underlying"] == "AAPL"
    t = 365 / 365.0
    g = bsm(SPOT, VOL, t)
    units = 10 * 100
    assert row["delta"] == pytest.approx(200 + units * g["delta"], rel=2e-3)
    assert row["gamma"] == pytest.approx(units * g["gamma"], rel=2e-3)
    assert row["vega"] == pytest.approx(units * g["vega"], rel=2e-3)
    assert row["theta"] == pytest.approx(units * g["theta"], rel=5e-3)
    assert row["rho"] == pytest.approx(units * g["rho"], rel=5e-3)
    assert row["delta_notional"] == pytest.approx(row["delta"] * SPOT, rel=1e-6)
    for greek in ("delta", "gamma", "vega", "theta", "rho", "delta_notional"):
        assert body["total"][greek] == pytest.approx(row[greek])


def test_stress_with_custom_shocks_revalues_fully(book: Api) -> None:
    body = book.ok("post", "accounts/ACC-1/risk/stress/", {"shocks": {"equity": "-0.20", "vol": "0.10"}})
    assert body["currency"] == "USD"
    [result] = body["results"]
    assert result["scenario"] == "custom"
    linear = 200 * SPOT * -0.20
    assert result["by_symbol"]["AAPL"] == pytest.approx(linear, rel=1e-9)
    option = 1000 * (bsm(SPOT * 0.8, VOL + 0.10, 1.0)["price"] - bsm(SPOT, VOL, 1.0)["price"])
    assert result["by_symbol"]["AAPL-C200"] == pytest.approx(option, rel=5e-3)
    assert result["pnl"] == pytest.approx(sum(result["by_symbol"].values()), rel=1e-9)


def test_a_symbol_shock_wins_and_moves_options_on_it(book: Api) -> None:
    body = book.ok("post", "accounts/ACC-1/risk/stress/", {"shocks": {"equity": -0.2, "AAPL": "-0.35"}})
    [result] = body["results"]
    assert result["by_symbol"]["AAPL"] == pytest.approx(200 * SPOT * -0.35, rel=1e-9)
    assert result["by_symbol"]["AAPL-C200"] < 0


@pytest.mark.django_db
def test_stress_by_named_scenarios_and_all_stored_ones(book: Api) -> None:
    # Not a transactional test: the built-in scenarios are stored by a data migration, which the
    # table flush of transactional tests removes.
    everything = book.ok("post", "accounts/ACC-1/risk/stress/", {})
    names = [r["scenario"] for r in everything["results"]]
    assert len(names) >= 1
    one = book.ok("post", "accounts/ACC-1/risk/stress/", {"scenarios": [names[0]]})
    assert [r["scenario"] for r in one["results"]] == [names[0]]
    for result in one["results"]:
        assert set(result) >= {"scenario", "pnl", "by_symbol"}
    unknown = book.post("accounts/ACC-1/risk/stress/", {"scenarios": ["no-such-scenario"]})
    assert unknown.status_code == 400


def test_backtest_answers_the_documented_fields(book: Api) -> None:
    body = book.ok("get", "accounts/ACC-1/risk/backtest/?confidence=0.99&days=250")
    assert set(body) >= {
        "observations",
        "exceptions",
        "kupiec_p_value",
        "christoffersen_p_value",
        "traffic_light",
    }
    assert body["traffic_light"] in ("green", "yellow", "red")
    assert 0 <= body["exceptions"] <= body["observations"]


def test_nightly_reports_feed_the_summary_and_alerts_can_be_acknowledged(admin: Api, book: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_var="1")
    call_command("run_risk_reports")
    reports = a.results(book.ok("get", "accounts/ACC-1/risk/reports/"))
    assert len(reports) >= 1
    summary = book.ok("get", "accounts/ACC-1/summary/")
    assert isinstance(summary["var_99"], (int, float))
    assert summary["var_99"] > 0
    alerts = a.results(book.ok("get", "alerts/?account=ACC-1&state=open"))
    assert alerts, "a VaR above max_var raises an alert"
    alert: dict[str, Any] = alerts[0]
    # A viewer may read but acknowledging is an action on the account.
    rm = a.member("ACC-1", "risk_manager")
    assert rm.post(f"alerts/{alert['id']}/acknowledge/").status_code == 200
    still_open = a.results(rm.ok("get", "alerts/?account=ACC-1&state=open"))
    assert alert["id"] not in {x["id"] for x in still_open}


def test_alerts_of_an_invisible_account_are_hidden(admin: Api, book: Api) -> None:
    a.limits(admin, "accounts/ACC-1/", max_var="1")
    call_command("run_risk_reports")
    a.account(admin, "ACC-2", cash=None)
    outsider = a.member("ACC-2", "risk_manager")
    assert a.results(outsider.ok("get", "alerts/")) == []
    alert_id = a.results(book.ok("get", "alerts/?account=ACC-1"))[0]["id"]
    assert outsider.post(f"alerts/{alert_id}/acknowledge/").status_code == 404
