from __future__ import annotations

import pytest

from analytics.models import StressScenario
from analytics.riskmath.pricing import bsm_greeks
from tests.analytics.helpers import hold, listed, option_on
from tests.conftest import client_for
from tests.factories import FxRateFactory, RiskFreeRateFactory

GREEKS = "/api/v1/accounts/ACC-1/risk/greeks/"
STRESS = "/api/v1/accounts/ACC-1/risk/stress/"
pytestmark = pytest.mark.django_db
FIELDS = ("delta", "gamma", "vega", "theta", "rho", "delta_notional")


@pytest.fixture
def option_book(account, scenarios):
    RiskFreeRateFactory(currency="USD", rate="0.05")
    und = listed("UND", price="100", days=0)
    other = listed("OTH", price="50", days=0)
    hold(account, und, "200")
    hold(account, option_on(und, "UND-C-100", strike="100", expiry_days=365), "-3")
    hold(account, option_on(und, "UND-P-90", option_type="put", strike="90", expiry_days=365), "2")
    hold(account, other, "-10")
    return account


def test_greeks_total_is_the_sum_of_the_rows(option_book, viewer):
    res = client_for(viewer).get(GREEKS)
    assert res.status_code == 200, res.json()
    body = res.json()
    assert [r["underlying"] for r in body["by_underlying"]] == ["OTH", "UND"]
    for f in FIELDS:
        assert body["total"][f] == pytest.approx(sum(r[f] for r in body["by_underlying"]))


def test_greeks_follow_black_scholes_per_contract(option_book, viewer):
    und = next(r for r in client_for(viewer).get(GREEKS).json()["by_underlying"] if r["underlying"] == "UND")
    call = bsm_greeks(100.0, 100.0, 1.0, 0.05, 0.0, 0.25, True)
    put = bsm_greeks(100.0, 90.0, 1.0, 0.05, 0.0, 0.25, False)
    # 200 shares, short 3 calls and long 2 puts of 100 each.
    assert und["delta"] == pytest.approx(200 - 300 * float(call.delta) + 200 * float(put.delta))
    assert und["vega"] == pytest.approx(-300 * float(call.vega) + 200 * float(put.vega))
    assert und["delta_notional"] == pytest.approx(und["delta"] * 100.0)
    oth = next(r for r in client_for(viewer).get(GREEKS).json()["by_underlying"] if r["underlying"] == "OTH")
    assert oth["delta"] == -10
    assert oth["gamma"] == 0


def test_greeks_of_an_empty_account_are_zero(account, viewer):
    body = client_for(viewer).get(GREEKS).json()
    assert body["by_underlying"] == []
    assert all(body["total"][f] == 0 for f in FIELDS)


def test_greeks_hide_the_account_from_outsiders(option_book, outsider, api_client):
    assert client_for(outsider).get(GREEKS).status_code == 404
    assert api_client.get(GREEKS).status_code == 401


def test_stress_with_named_scenarios_revalues_in_order(option_book, viewer):
    res = client_for(viewer).post(
        STRESS, {"scenarios": ["crypto_crash_2022", "equity_crash_1987"]}, format="json"
    )
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["currency"] == "USD"
    assert [r["scenario"] for r in body["results"]] == ["crypto_crash_2022", "equity_crash_1987"]
    crypto, crash = body["results"]
    assert crypto["by_symbol"]["UND"] == 0  # no crypto held; vol shift only moves options
    assert crash["by_symbol"]["UND"] == pytest.approx(200 * 100 * -0.20)
    assert crash["by_symbol"]["OTH"] == pytest.approx(-10 * 50 * -0.20)
    assert crash["pnl"] == pytest.approx(sum(crash["by_symbol"].values()))


def test_stress_with_ad_hoc_shocks(option_book, viewer):
    res = client_for(viewer).post(STRESS, {"shocks": {"equity": "-0.10", "OTH": -0.5}}, format="json")
    assert res.status_code == 200, res.json()
    (row,) = res.json()["results"]
    assert row["scenario"] == "custom"
    assert row["by_symbol"]["UND"] == pytest.approx(-2000.0)
    assert row["by_symbol"]["OTH"] == pytest.approx(250.0)  # the symbol shock wins over its class


def test_stress_without_arguments_runs_every_active_stored_scenario(option_book, viewer):
    StressScenario.objects.filter(name="gfc_2008").update(is_active=False)
    StressScenario.objects.create(name="desk_custom", shocks={"UND": "-0.3"})
    body = client_for(viewer).post(STRESS, {}, format="json").json()
    names = [r["scenario"] for r in body["results"]]
    assert "desk_custom" in names
    assert "gfc_2008" not in names
    assert names == sorted(names)
    assert len(names) == StressScenario.objects.filter(is_active=True).count()


def test_stress_applies_fx_shocks_to_foreign_positions(account, viewer):
    FxRateFactory(base="EUR", quote="USD", rate="1.10")
    hold(account, listed("SAP", currency="EUR", price="200", days=0), "10")
    res = client_for(viewer).post(STRESS, {"shocks": {"fx": {"EUR": "-0.15"}}}, format="json")
    assert res.json()["results"][0]["pnl"] == pytest.approx(-0.15 * 2200.0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scenarios": ["equity_crash_1987"], "shocks": {"equity": "-0.1"}}, "scenarios"),
        ({"scenarios": []}, "scenarios"),
        ({"shocks": {}}, "shocks"),
        ({"shocks": {"equity": "lots"}}, "shocks"),
        ({"shocks": {"NOSUCH": "-0.1"}}, "shocks"),
        ({"shocks": {"UND-C-100": "-0.1"}}, "shocks"),
        ({"shocks": {"equity": "-1.5"}}, "shocks"),
        ({"scenario": ["x"]}, "scenario"),
    ],
)
def test_stress_rejects_bad_input_naming_it(option_book, viewer, body, field):
    res = client_for(viewer).post(STRESS, body, format="json")
    assert res.status_code == 400
    assert field in res.json()


def test_stress_names_unknown_scenarios(option_book, viewer):
    res = client_for(viewer).post(STRESS, {"scenarios": ["gfc_2008", "nope", "also_nope"]}, format="json")
    assert res.status_code == 400
    assert res.json()["unknown"] == ["nope", "also_nope"]


def test_stress_names_the_bad_shock_key(option_book, viewer):
    res = client_for(viewer).post(STRESS, {"shocks": {"NOSUCH": "-0.1", "equity": "-0.1"}}, format="json")
    assert list(res.json()["shocks"]) == ["NOSUCH"]


def test_stress_hides_the_account_from_outsiders(option_book, outsider, api_client):
    assert client_for(outsider).post(STRESS, {}, format="json").status_code == 404
    assert api_client.post(STRESS, {}, format="json").status_code == 401


def test_stress_is_open_to_viewers_and_traders(option_book, viewer, trader):
    assert client_for(viewer).post(STRESS, {}, format="json").status_code == 200
    assert client_for(trader).post(STRESS, {}, format="json").status_code == 200
