"""One trading day of a EUR fund, through the public API only (users come from a factory): staff sets
up the market, the account, a trader and limits; the trader checks and fills; positions, summary and
parametric VaR are compared with figures computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
from scipy.stats import norm

from tests.contract import api as a
from tests.contract.api import Api
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SYMBOLS = ("AAPL", "SAP", "ESZ6")


def set_up_market(admin: Api) -> dict[str, list[str]]:
    a.instrument(admin, "AAPL", margin_rate="0.20")
    a.instrument(admin, "SAP", "EUR", margin_rate="0.25")
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
    a.prices(admin, {"AAPL": "190.00", "SAP": "120.00", "ESZ6": "5000.00"})
    a.fx(admin, "EUR", "USD", "1.25")
    admin.ok("post", "rates/", [{"currency": "USD", "rate": "0.045"}, {"currency": "EUR", "rate": "0.03"}])
    days = a.weekdays_before(datetime.now(UTC).date(), 300)
    closes = {
        "AAPL": a.random_closes(1, 180.0, 300, 0.018),
        "SAP": a.random_closes(2, 110.0, 300, 0.014),
        "ESZ6": a.random_closes(3, 4900.0, 300, 0.010),
    }
    a.history(admin, closes, days)
    return closes


def test_a_trading_day_of_a_eur_fund(admin: Api) -> None:
    closes = set_up_market(admin)

    # Staff: the account, its strategies, cash, a trader, limits.
    a.account(admin, "FUND-EU", base="EUR", cash="500000", strategies=("momo", "carry"))
    UserFactory(username="tina")
    admin.ok("post", "accounts/FUND-EU/members/", {"username": "tina", "role": "trader"}, expect=201)
    a.limits(admin, "accounts/FUND-EU/", max_position_quantity="1000", max_gross_exposure="400000")
    a.limits(admin, "accounts/FUND-EU/strategies/momo/", max_order_notional="60000")
    tina = a.token_api("tina")

    # Trader: checks. 300 x 188.50 USD = 56,550 USD = 45,240 EUR, within momo's 60,000 EUR.
    aapl = a.check(
        tina, account="FUND-EU", strategy="momo", quantity="300", price="188.50", client_order_id="oms-1"
    )
    assert aapl["decision"] == "accepted", aapl
    sap = a.check(tina, account="FUND-EU", strategy="carry", symbol="SAP", quantity="200", price="119.00")
    assert sap["decision"] == "accepted", sap
    es = a.check(tina, account="FUND-EU", symbol="ESZ6", side="sell", quantity="1", price="5010")
    assert es["decision"] == "accepted", es
    # 300 reserved + 800 > 1,000; and 800 x 188.50 / 1.25 = 120,640 EUR > momo's 60,000.
    too_big = a.check(tina, account="FUND-EU", strategy="momo", quantity="800", price="188.50")
    assert a.codes(too_big) == {"position_quantity", "order_notional"}
    assert {(f["code"], f["scope"]) for f in too_big["violations"]} == {
        ("position_quantity", "account"),
        ("order_notional", "strategy"),
    }

    # Fills consume the reservations.
    a.fill(
        tina, account="FUND-EU", strategy="momo", quantity="300", price="188.50", check_id=aapl["check_id"]
    )
    a.fill(
        tina,
        account="FUND-EU",
        strategy="carry",
        symbol="SAP",
        quantity="200",
        price="119.00",
        check_id=sap["check_id"],
    )
    a.fill(
        tina,
        account="FUND-EU",
        symbol="ESZ6",
        side="sell",
        quantity="1",
        price="5010",
        check_id=es["check_id"],
    )
    a.fill(tina, account="FUND-EU", strategy="momo", side="sell", quantity="100", price="191.00")
    # Position 200, nothing reserved: 800 more fits the 1,000 (not the strategy notional: no strategy).
    assert a.check(tina, account="FUND-EU", quantity="800", price="190")["decision"] == "accepted"

    # Positions, in each instrument's currency.
    rows = {r["symbol"]: r for r in tina.ok("get", "accounts/FUND-EU/positions/")}
    assert set(rows) == set(SYMBOLS)
    expected = {
        "AAPL": {
            "strategy": "momo",
            "quantity": "200",
            "avg_price": "188.50",
            "realized_pnl": "250.00",
            "mark_price": "190.00",
            "market_value": "38000.00",
            "unrealized_pnl": "300.00",
            "currency": "USD",
        },
        "SAP": {
            "strategy": "carry",
            "quantity": "200",
            "avg_price": "119.00",
            "realized_pnl": "0",
            "mark_price": "120.00",
            "market_value": "24000.00",
            "unrealized_pnl": "200.00",
            "currency": "EUR",
        },
        "ESZ6": {
            "strategy": None,
            "quantity": "-1",
            "avg_price": "5010",
            "realized_pnl": "0",
            "mark_price": "5000",
            "market_value": "-250000",
            "unrealized_pnl": "500",
            "currency": "USD",
        },
    }
    for symbol, want in expected.items():
        got = rows[symbol]
        for field, value in want.items():
            if field in ("strategy", "currency"):
                assert got[field] == value, (symbol, field, got[field])
            else:
                assert a.is_decimal_string(got[field]), (symbol, field, got[field])
                assert Decimal(got[field]) == Decimal(value), (symbol, field, got[field], value)

    # Summary in EUR at 1.25 USD per EUR.
    summary = tina.ok("get", "accounts/FUND-EU/summary/")
    assert summary["base_currency"] == "EUR"
    want_summary = {
        "cash": "500200.00",  # 500,000 + 250 USD realized
        "unrealized_pnl": "840.00",  # 240 (AAPL) + 200 (SAP) + 400 (ES)
        "equity": "501040.00",
        "gross_exposure": "254400.00",  # 30,400 + 24,000 + 200,000
        "net_exposure": "-145600.00",
        "margin_required": "22080.00",  # 6,080 + 6,000 + 10,000
        "margin_excess": "478960.00",
        "realized_pnl_today": "200.00",
        "daily_pnl": "1040.00",
    }
    for field, value in want_summary.items():
        assert a.is_decimal_string(summary[field]), (field, summary[field])
        assert Decimal(summary[field]) == Decimal(value), (field, summary[field], value)
    assert a.is_decimal_string(summary["leverage"])
    assert abs(Decimal(summary["leverage"]) - Decimal("254400") / Decimal("501040")) < Decimal("0.0001")
    assert summary["var_99"] is None
    assert isinstance(summary["utilization"], dict)
    gross_keys = [k for k in summary["utilization"] if "gross_exposure" in k]
    assert gross_keys, summary["utilization"]
    assert float(summary["utilization"][gross_keys[0]]) == pytest.approx(254400 / 400000 * 100, abs=0.01)

    # Parametric VaR by hand on the same closes: exposures in EUR, sample covariance of simple returns.
    lookback = 250
    var = tina.ok(
        "get",
        f"accounts/FUND-EU/risk/var/?method=parametric&confidence=0.99&horizon_days=1"
        f"&lookback_days={lookback}",
    )
    assert set(var) >= {
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
    assert var["method"] == "parametric"
    assert var["currency"] == "EUR"
    assert var["horizon_days"] == 1
    order = ["AAPL", "SAP", "ESZ6"]
    exposure = np.array([30400.0, 24000.0, -200000.0])
    matrix = np.array([[float(c) for c in closes[s][-(lookback + 1) :]] for s in order]).T
    returns = matrix[1:] / matrix[:-1] - 1.0
    cov = np.cov(returns, rowvar=False, ddof=1)
    sigma = float(np.sqrt(exposure @ cov @ exposure))
    z = norm.ppf(0.99)
    assert var["var"] == pytest.approx(z * sigma, rel=1e-6)
    assert var["expected_shortfall"] == pytest.approx(sigma * norm.pdf(z) / 0.01, rel=1e-6)
    assert var["portfolio_value"] == pytest.approx(float(exposure.sum()), rel=1e-9)
    components = {c["symbol"]: c for c in var["components"]}
    assert set(components) == set(order)
    for c in components.values():
        assert set(c) >= {"symbol", "exposure", "marginal_var", "component_var"}
    assert sum(c["component_var"] for c in components.values()) == pytest.approx(var["var"], rel=1e-6)
    assert components["ESZ6"]["exposure"] == pytest.approx(-200000.0)
    ten = tina.ok(
        "get", f"accounts/FUND-EU/risk/var/?method=parametric&horizon_days=10&lookback_days={lookback}"
    )
    assert ten["var"] == pytest.approx(z * sigma * np.sqrt(10), rel=1e-6)

    # Greeks and stress sum across instruments, so they are in EUR too.
    greeks = tina.ok("get", "accounts/FUND-EU/risk/greeks/")
    by = {r["underlying"]: r for r in greeks["by_underlying"]}
    assert by["AAPL"]["delta"] == pytest.approx(200)
    assert by["ESZ6"]["delta"] == pytest.approx(-50)
    assert by["AAPL"]["delta_notional"] == pytest.approx(30400.0)
    assert by["SAP"]["delta_notional"] == pytest.approx(24000.0)
    assert by["ESZ6"]["delta_notional"] == pytest.approx(-200000.0)
    assert greeks["total"]["delta_notional"] == pytest.approx(-145600.0)
    stress = tina.ok("post", "accounts/FUND-EU/risk/stress/", {"shocks": {"equity": "-0.10", "future": -0.1}})
    assert stress["currency"] == "EUR"
    [custom] = stress["results"]
    assert custom["by_symbol"]["AAPL"] == pytest.approx(-3040.0)
    assert custom["by_symbol"]["SAP"] == pytest.approx(-2400.0)
    assert custom["by_symbol"]["ESZ6"] == pytest.approx(20000.0)
    assert custom["pnl"] == pytest.approx(14560.0)

    # Every decision was stored and is listed.
    log = a.results(tina.ok("get", "checks/?account=FUND-EU"))
    assert len(log) == 5
    assert len(a.results(tina.ok("get", "checks/?account=FUND-EU&decision=rejected"))) == 1
