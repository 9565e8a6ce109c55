from __future__ import annotations

import numpy as np
import pytest

from analytics.riskmath import (
    BUILTIN_BY_NAME,
    BUILTIN_SCENARIOS,
    InvalidInputError,
    StressScenario,
    bsm_price,
    build_universe,
    scenario_from_shocks,
    stress_batch,
)
from tests.analytics.riskmath.conftest import equity, option


@pytest.fixture
def book():
    return build_universe(
        [
            equity("AAPL", 200.0),
            InstrumentSpecEUR("SAP", 150.0),
            InstrumentSpecCrypto("BTC", 60_000.0),
            option("AAPL_C", "AAPL", 200.0, 210.0, implied_vol=0.3, expiry_years=0.25),
        ]
    )


def InstrumentSpecEUR(symbol: str, spot: float):
    from analytics.riskmath import InstrumentSpec

    return InstrumentSpec(symbol, "equity", "EUR", spot, fx_to_base=1.10)


def InstrumentSpecCrypto(symbol: str, spot: float):
    from analytics.riskmath import InstrumentSpec

    return InstrumentSpec(symbol, "crypto", "USD", spot)


def call_value(spot: float, vol: float, rate: float = 0.03) -> float:
    return float(bsm_price(spot, 210.0, 0.25, rate, 0.0, vol, True)) * 100


def test_equity_crash_reprices_options_at_the_shocked_spot_and_vol(book) -> None:
    q = np.array([10.0, 20.0, 0.5, -2.0])
    result = stress_batch(book, q, [BUILTIN_BY_NAME["equity_crash_1987"]], base_currency="USD")
    expected_by_symbol = {
        "AAPL": 10 * 200 * -0.20,
        "SAP": 20 * 150 * 1.10 * -0.20,
        "BTC": 0.5 * 60_000 * -0.25,
        "AAPL_C": -2 * (call_value(160.0, 0.45) - call_value(200.0, 0.30)),
    }
    by_symbol = result.by_symbol(0, 0)
    assert by_symbol == pytest.approx(expected_by_symbol)
    assert result.pnl[0, 0] == pytest.approx(sum(expected_by_symbol.values()))


def test_a_symbol_shock_overrides_its_class_and_moves_options_on_it(book) -> None:
    scenario = scenario_from_shocks({"equity": "-0.20", "AAPL": "-0.35", "vol": "0.10"})
    result = stress_batch(book, [1.0, 1.0, 0.0, 1.0], [scenario], base_currency="USD")
    by_symbol = result.by_symbol(0, 0)
    assert by_symbol["AAPL"] == pytest.approx(200 * -0.35)
    assert by_symbol["SAP"] == pytest.approx(150 * 1.1 * -0.20)
    assert by_symbol["AAPL_C"] == pytest.approx(call_value(130.0, 0.40) - call_value(200.0, 0.30))
    assert result.names == ("custom",)


def test_fx_devaluation_hits_only_non_base_currencies(book) -> None:
    result = stress_batch(
        book, [1.0, 1.0, 1.0, 0.0], [BUILTIN_BY_NAME["fx_devaluation"]], base_currency="USD"
    )
    assert result.by_symbol(0, 0) == pytest.approx({"AAPL": 0.0, "SAP": -0.15 * 165.0, "BTC": 0.0})
    as_eur = stress_batch(
        book, [1.0, 1.0, 0.0, 0.0], [BUILTIN_BY_NAME["fx_devaluation"]], base_currency="EUR"
    )
    assert as_eur.by_symbol(0, 0)["AAPL"] == pytest.approx(-0.15 * 200.0)
    assert as_eur.by_symbol(0, 0)["SAP"] == 0.0


def test_rates_shock_moves_option_values_through_rho(book) -> None:
    result = stress_batch(
        book, [0.0, 0.0, 0.0, 1.0], [StressScenario("r", rate_shift=0.02)], base_currency="USD"
    )
    assert result.pnl[0, 0] == pytest.approx(call_value(200.0, 0.30, 0.05) - call_value(200.0, 0.30, 0.03))
    assert result.pnl[0, 0] > 0


def test_many_portfolios_and_scenarios_at_once_with_the_worst_per_portfolio(book) -> None:
    rng = np.random.default_rng(0)
    q = rng.normal(size=(50, 4)) * [10, 10, 0.1, 1]
    result = stress_batch(book, q, BUILTIN_SCENARIOS, base_currency="USD")
    assert result.pnl.shape == (50, len(BUILTIN_SCENARIOS))
    for i in (0, 17, 49):
        single = stress_batch(book, q[i], BUILTIN_SCENARIOS, base_currency="USD")
        np.testing.assert_allclose(single.pnl[0], result.pnl[i])
        assert result.worst_pnl[i] == result.pnl[i].min()
        assert result.worst_name(i) == BUILTIN_SCENARIOS[int(np.argmin(result.pnl[i]))].name


def test_builtin_scenarios_include_the_required_episodes() -> None:
    crash = BUILTIN_BY_NAME["equity_crash_1987"]
    assert crash.asset_class_shocks["equity"] == -0.20
    assert crash.vol_shift == 0.15
    assert BUILTIN_BY_NAME["rates_shock_1994"].rate_shift == 0.02
    assert BUILTIN_BY_NAME["fx_devaluation"].fx_shocks == {"*": -0.15}


def test_shocking_an_option_directly_is_refused(book) -> None:
    with pytest.raises(InvalidInputError) as exc:
        stress_batch(book, [0, 0, 0, 1.0], [scenario_from_shocks({"AAPL_C": -0.5})], base_currency="USD")
    assert exc.value.fields == {"field": "AAPL_C"}
    with pytest.raises(InvalidInputError):
        scenario_from_shocks({"option": -0.1})
    with pytest.raises(InvalidInputError):
        scenario_from_shocks({"equity": "lots"})


def test_a_shock_of_minus_100_percent_or_worse_is_refused(book) -> None:
    with pytest.raises(InvalidInputError):
        stress_batch(book, [1.0, 0, 0, 0], [scenario_from_shocks({"AAPL": -1.2})], base_currency="USD")


def test_fx_keys_parse_per_currency() -> None:
    sc = scenario_from_shocks({"fx:EUR": -0.1, "rates": 0.01, "crypto": -0.5})
    assert sc.fx_shocks == {"EUR": -0.1}
    assert sc.rate_shift == 0.01
    assert sc.asset_class_shocks == {"crypto": -0.5}
