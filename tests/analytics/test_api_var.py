from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from analytics.riskmath.covariance import sample_covariance
from tests.analytics.helpers import hold, listed, option_on
from tests.conftest import client_for
from tests.factories import AccountFactory, MembershipFactory, UserFactory

URL = "/api/v1/accounts/ACC-1/risk/var/"
pytestmark = pytest.mark.django_db


def test_it_returns_parametric_var_matching_a_direct_scipy_computation(equity_book, owner):
    from positions.models import PriceHistory

    res = client_for(owner).get(URL, {"method": "parametric", "confidence": "0.99", "lookback_days": "250"})
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["method"] == "parametric"
    assert body["currency"] == "USD"
    assert body["lookback_days"] == 250
    # Independent check: returns straight from the stored closes.
    closes = {
        sym: np.array(
            [
                float(c)
                for c in PriceHistory.objects.filter(instrument__symbol=sym)
                .order_by("date")
                .values_list("close", flat=True)
            ]
        )
        for sym in ("AAPL", "MSFT")
    }
    rets = np.column_stack([closes[s][1:] / closes[s][:-1] - 1 for s in ("AAPL", "MSFT")])[-250:]
    w = np.array([100 * 187.20, -20 * 410.0])
    sigma = np.sqrt(w @ sample_covariance(rets) @ w)
    assert body["var"] == pytest.approx(norm.ppf(0.99) * sigma, rel=1e-9)
    assert body["portfolio_value"] == pytest.approx(100 * 187.20 - 20 * 410.0)
    symbols = [c["symbol"] for c in body["components"]]
    assert symbols == ["AAPL", "MSFT"]
    assert sum(c["component_var"] for c in body["components"]) == pytest.approx(body["var"])
    assert body["expected_shortfall"] > body["var"] > 0


def test_it_scales_parametric_var_by_the_square_root_of_the_horizon(equity_book, viewer):
    client = client_for(viewer)
    one = client.get(URL, {"lookback_days": 250}).json()["var"]
    ten = client.get(URL, {"lookback_days": 250, "horizon_days": 10}).json()["var"]
    assert ten == pytest.approx(one * np.sqrt(10))


@pytest.mark.parametrize("method", ["historical", "monte_carlo"])
def test_it_computes_simulation_methods(equity_book, viewer, method):
    res = client_for(viewer).get(
        URL,
        {"method": method, "lookback_days": 250, "scenarios": 2000}
        if method == "monte_carlo"
        else {"method": method, "lookback_days": 250},
    )
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["method"] == method
    assert body["var"] > 0
    assert sum(c["component_var"] for c in body["components"]) == pytest.approx(body["var"])


def test_monte_carlo_is_reproducible_with_a_seed(equity_book, viewer):
    client = client_for(viewer)
    params = {"method": "monte_carlo", "lookback_days": 250, "scenarios": 1000, "seed": 7}
    first = client.get(URL, params).json()
    assert client.get(URL, params).json()["var"] == first["var"]
    assert first["seed"] == 7
    assert first["scenarios"] == 1000


def test_an_empty_portfolio_has_zero_var(account, owner):
    res = client_for(owner).get(URL, {"method": "historical"})
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["var"] == 0
    assert body["expected_shortfall"] == 0
    assert body["components"] == []


def test_outsiders_get_404_and_anonymous_401(equity_book, outsider, api_client):
    assert client_for(outsider).get(URL).status_code == 404
    assert api_client.get(URL).status_code == 401
    assert client_for(outsider).get("/api/v1/accounts/NOPE/risk/var/").status_code == 404


def test_a_member_of_another_account_gets_404(equity_book):
    other = AccountFactory(code="ACC-2")
    user = UserFactory(username="member2")
    MembershipFactory(user=user, account=other, role="viewer")
    assert client_for(user).get(URL).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"method": "magic"}, "method"),
        ({"confidence": "1.5"}, "confidence"),
        ({"confidence": "0"}, "confidence"),
        ({"confidence": "abc"}, "confidence"),
        ({"horizon_days": "0"}, "horizon_days"),
        ({"lookback_days": "5"}, "lookback_days"),
        ({"lookback_days": "100000"}, "lookback_days"),
        ({"scenarios": "10", "method": "monte_carlo"}, "scenarios"),
        ({"seed": "3"}, "seed"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_it_rejects_bad_parameters_naming_them(equity_book, viewer, params, field):
    res = client_for(viewer).get(URL, params)
    assert res.status_code == 400
    assert field in res.json()


def test_too_little_history_is_422_naming_instruments_and_days(account, viewer):
    short = listed("SHORT", days=101, seed=3)
    longer = listed("LONG", days=300, seed=4)
    hold(account, short, "10")
    hold(account, longer, "10")
    res = client_for(viewer).get(URL, {"lookback_days": 250})
    assert res.status_code == 422
    body = res.json()
    assert body["code"] == "insufficient_history"
    assert body["missing"] == {"SHORT": 150}
    assert body["required_days"] == 250
    assert "SHORT" in body["detail"]


def test_an_option_without_implied_vol_is_422_naming_it(account, viewer):
    und = listed("UND", days=300)
    hold(account, option_on(und, "UND-C-100", implied_vol=None), "5")
    hold(account, option_on(und, "UND-P-90", option_type="put", strike="90"), "5")
    res = client_for(viewer).get(URL, {"lookback_days": 250})
    assert res.status_code == 422
    assert res.json()["code"] == "missing_implied_vol"
    assert res.json()["symbols"] == ["UND-C-100"]


def test_a_missing_fx_rate_is_422_naming_the_currency(account, viewer):
    hold(account, listed("SAP", currency="EUR", days=300), "10")
    res = client_for(viewer).get(URL, {"lookback_days": 250})
    assert res.status_code == 422
    assert res.json()["code"] == "missing_fx_rate"
    assert res.json()["currencies"] == ["EUR"]


def test_a_foreign_position_is_valued_in_the_base_currency(account, viewer):
    from tests.factories import FxRateFactory

    FxRateFactory(base="EUR", quote="USD", rate="1.10")
    hold(account, listed("SAP", currency="EUR", price="200", days=300), "10")
    body = client_for(viewer).get(URL, {"lookback_days": 250}).json()
    assert body["portfolio_value"] == pytest.approx(10 * 200 * 1.10)
    assert body["components"][0]["exposure"] == pytest.approx(2200.0)


def test_an_option_book_is_priced_and_has_var(account, viewer):
    from tests.factories import RiskFreeRateFactory

    RiskFreeRateFactory(currency="USD", rate="0.05")
    und = listed("UND", days=300)
    hold(account, option_on(und, "UND-C-100"), "-10")
    for method in ("parametric", "historical", "monte_carlo"):
        res = client_for(viewer).get(
            URL,
            {"lookback_days": 250, "method": method, "scenarios": 1000}
            if method == "monte_carlo"
            else {"lookback_days": 250, "method": method},
        )
        assert res.status_code == 200, res.json()
        assert res.json()["var"] > 0
        assert res.json()["portfolio_value"] < 0  # a short call


def test_a_changed_close_is_seen_despite_the_history_cache(equity_book, viewer):
    from positions.models import PriceHistory

    client = client_for(viewer)
    before = client.get(URL, {"lookback_days": 250}).json()["var"]
    assert client.get(URL, {"lookback_days": 250}).json()["var"] == before  # served from the cache
    row = PriceHistory.objects.filter(instrument__symbol="AAPL").order_by("-date")[10]
    row.close = row.close * 2
    row.save()
    assert client.get(URL, {"lookback_days": 250}).json()["var"] > before


def test_parametric_var_can_use_an_ewma_covariance(equity_book, viewer):
    from analytics.riskmath.covariance import ewma_covariance
    from positions.models import PriceHistory

    body = client_for(viewer).get(URL, {"lookback_days": 250, "covariance": "ewma"}).json()
    assert body["covariance"] == "ewma"
    closes = {
        sym: np.array(
            [
                float(c)
                for c in PriceHistory.objects.filter(instrument__symbol=sym)
                .order_by("date")
                .values_list("close", flat=True)
            ]
        )
        for sym in ("AAPL", "MSFT")
    }
    rets = np.column_stack([closes[s][1:] / closes[s][:-1] - 1 for s in ("AAPL", "MSFT")])[-250:]
    w = np.array([100 * 187.20, -20 * 410.0])
    assert body["var"] == pytest.approx(norm.ppf(0.99) * np.sqrt(w @ ewma_covariance(rets) @ w), rel=1e-9)


def test_covariance_is_rejected_for_historical(equity_book, viewer):
    res = client_for(viewer).get(URL, {"method": "historical", "covariance": "ewma"})
    assert res.status_code == 400
    assert "covariance" in res.json()


def test_a_position_without_a_mark_is_422_naming_it(account, viewer):
    from positions.models import Price

    hold(account, listed("NOMARK", days=300), "10")
    hold(account, listed("MARKED", days=300, seed=3), "10")
    Price.objects.filter(instrument__symbol="NOMARK").delete()
    res = client_for(viewer).get(URL, {"lookback_days": 250})
    assert res.status_code == 422
    assert res.json()["code"] == "missing_price"
    assert res.json()["symbols"] == ["NOMARK"]


def test_an_option_needs_history_of_its_underlying_not_its_own(account, viewer):
    und = listed("UND", days=120)
    hold(account, option_on(und, "UND-C-100"), "2")
    res = client_for(viewer).get(URL, {"lookback_days": 250})
    assert res.status_code == 422
    assert res.json()["missing"] == {"UND": 131}
    assert client_for(viewer).get(URL, {"lookback_days": 100}).status_code == 200


def test_the_renderer_override_is_not_a_bad_parameter(equity_book, viewer):
    assert client_for(viewer).get(URL, {"format": "json", "lookback_days": 250}).status_code == 200
    assert client_for(viewer).get("/api/v1/alerts/", {"format": "json"}).status_code == 200


CONCENTRATION = "/api/v1/accounts/ACC-1/risk/concentration/"


def test_concentration_lists_the_largest_exposures_and_the_diversification_ratio(equity_book, viewer):
    hold(equity_book, listed("SMALL", price="10", seed=8), "5")
    res = client_for(viewer).get(CONCENTRATION, {"lookback_days": 250, "top": 2})
    assert res.status_code == 200, res.json()
    body = res.json()
    assert [e["symbol"] for e in body["largest_exposures"]] == ["AAPL", "MSFT"]
    gross = 100 * 187.20 + 20 * 410 + 5 * 10
    assert body["largest_exposures"][0]["share"] == pytest.approx(18720 / gross)
    assert body["diversification_ratio"] == pytest.approx(body["standalone_var_sum"] / body["portfolio_var"])
    assert len(body["most_correlated_pairs"]) == 2
    assert all(-1 <= p["correlation"] <= 1 for p in body["most_correlated_pairs"])


def test_concentration_of_an_empty_account_and_access(account, viewer, outsider, api_client):
    body = client_for(viewer).get(CONCENTRATION).json()
    assert body["largest_exposures"] == []
    assert body["diversification_ratio"] == 1.0
    assert client_for(outsider).get(CONCENTRATION).status_code == 404
    assert api_client.get(CONCENTRATION).status_code == 401
    assert "top" in client_for(viewer).get(CONCENTRATION, {"top": 0}).json()
