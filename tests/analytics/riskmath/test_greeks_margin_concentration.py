from __future__ import annotations

import numpy as np
import pytest

from analytics.riskmath import (
    InstrumentSpec,
    InvalidInputError,
    MarginGrid,
    MissingImpliedVolError,
    black76_greeks,
    bsm_greeks,
    bsm_price,
    build_universe,
    concentration_batch,
    greeks_batch,
    margin_batch,
    unit_values,
)
from tests.analytics.riskmath.conftest import equity, option


def test_greeks_aggregate_per_underlying_in_contract_units() -> None:
    u = build_universe(
        [
            equity("AAPL", 200.0),
            option("AAPL_C", "AAPL", 200.0, 210.0, implied_vol=0.3, expiry_years=0.25),
            InstrumentSpec("SAP", "equity", "EUR", 150.0, fx_to_base=1.1),
            InstrumentSpec("ES", "future", "USD", 5000.0, multiplier=50.0),
        ]
    )
    report = greeks_batch(u, [100.0, -3.0, 10.0, 2.0]).report(0)
    by = {g.underlying: g for g in report.by_underlying}
    call = bsm_greeks(200.0, 210.0, 0.25, 0.03, 0.0, 0.3, True)
    assert by["AAPL"].delta == pytest.approx(100 - 3 * 100 * float(call.delta))
    assert by["AAPL"].gamma == pytest.approx(-300 * float(call.gamma))
    assert by["AAPL"].vega == pytest.approx(-300 * float(call.vega))
    assert by["AAPL"].theta == pytest.approx(-300 * float(call.theta))
    assert by["AAPL"].rho == pytest.approx(-300 * float(call.rho))
    assert by["AAPL"].delta_notional == pytest.approx(by["AAPL"].delta * 200.0)
    # A linear position's delta is quantity x multiplier; notional converts to base.
    assert by["ES"].delta == 100.0
    assert by["ES"].delta_notional == pytest.approx(100 * 5000.0)
    assert by["SAP"].delta_notional == pytest.approx(10 * 150 * 1.1)
    assert by["SAP"].gamma == 0.0
    assert report.total.delta_notional == pytest.approx(sum(g.delta_notional for g in by.values()))


def test_futures_options_use_black76() -> None:
    u = build_universe(
        [
            InstrumentSpec(
                "CL_C",
                "option",
                "USD",
                80.0,
                multiplier=1000.0,
                underlying="CL",
                option_type="call",
                strike=85.0,
                expiry_years=0.4,
                implied_vol=0.35,
                rate=0.05,
                future_option=True,
                underlying_asset_class="future",
            ),
        ]
    )
    expected = black76_greeks(80.0, 85.0, 0.4, 0.05, 0.35, True)
    assert unit_values(u)[0] == pytest.approx(1000 * float(expected.price))
    g = greeks_batch(u, [1.0]).report(0).by_underlying[0]
    assert g.rho == pytest.approx(1000 * float(expected.rho))
    assert g.delta == pytest.approx(1000 * float(expected.delta))


def test_expired_options_have_intrinsic_value_and_finite_greeks() -> None:
    u = build_universe([equity("X", 110.0), option("X_C", "X", 110.0, 100.0, expiry_years=-0.01)])
    assert unit_values(u)[1] == pytest.approx(100 * 10.0)
    values = greeks_batch(u, [0.0, 1.0]).values
    assert np.all(np.isfinite(values))
    assert values[0, 0, 0] == pytest.approx(100.0)  # delta 1 per share x multiplier


def test_an_option_without_implied_vol_is_named() -> None:
    with pytest.raises(MissingImpliedVolError) as exc:
        build_universe(
            [
                equity("X", 100.0),
                option("X_C", "X", 100.0, 100.0, implied_vol=None),
                option("X_P", "X", 100.0, 90.0, implied_vol=float("nan"), option_type="put"),
            ]
        )
    assert exc.value.as_dict() == {
        "code": "missing_implied_vol",
        "detail": str(exc.value),
        "symbols": ["X_C", "X_P"],
    }


@pytest.mark.parametrize(
    ("specs", "field"),
    [
        ([InstrumentSpec("X", "bond", "USD", 100.0)], "asset_class"),
        ([InstrumentSpec("X", "equity", "USD", 0.0)], "spot"),
        ([InstrumentSpec("X", "equity", "USD", 1.0), InstrumentSpec("X", "equity", "USD", 1.0)], "symbol"),
        ([InstrumentSpec("X_C", "option", "USD", 1.0, underlying="X", implied_vol=0.2)], "option_type"),
    ],
)
def test_malformed_instruments_are_refused_naming_the_field(specs, field) -> None:
    with pytest.raises(InvalidInputError) as exc:
        build_universe(specs)
    assert exc.value.fields == {"field": field}


def test_linear_margin_is_notional_times_rate_and_excess_is_equity_minus_margin() -> None:
    u = build_universe(
        [equity("A", 100.0), InstrumentSpec("ES", "future", "EUR", 5000.0, multiplier=50.0, fx_to_base=1.1)]
    )
    m = margin_batch(u, [[10.0, -2.0]], [0.2, 0.05], equity=[50_000.0])
    np.testing.assert_allclose(m.by_position, [[200.0, 2 * 5000 * 50 * 1.1 * 0.05]])
    assert m.total[0] == pytest.approx(200.0 + 27_500.0)
    assert m.excess is not None
    assert m.excess[0] == pytest.approx(50_000.0 - 27_700.0)


def test_option_margin_is_the_worst_loss_on_the_grid() -> None:
    u = build_universe([equity("A", 100.0), option("A_P", "A", 100.0, 100.0, option_type="put")])
    grid = MarginGrid()
    m = margin_batch(u, [[0.0, -1.0], [0.0, 1.0]], [0.1, np.nan], grid=grid)
    base = float(bsm_price(100.0, 100.0, 0.5, 0.03, 0.0, 0.25, False))
    # Short put: worst case is the largest down move with the vol up.
    worst_short = float(bsm_price(85.0, 100.0, 0.5, 0.03, 0.0, 0.30, False)) - base
    assert m.by_position[0, 1] == pytest.approx(100 * worst_short)
    # Long put: worst case is the up move with vol down; never more than the premium.
    worst_long = base - float(bsm_price(115.0, 100.0, 0.5, 0.03, 0.0, 0.20, False))
    assert m.by_position[1, 1] == pytest.approx(100 * worst_long)
    assert m.by_position[1, 1] <= 100 * base


def test_short_far_out_of_the_money_options_pay_the_floor() -> None:
    u = build_universe([equity("A", 100.0), option("A_C", "A", 100.0, 300.0)])
    m = margin_batch(u, [0.0, -2.0], [0.1, np.nan])
    assert m.by_position[0, 1] == pytest.approx(0.05 * 2 * 100 * 100.0)


def test_diversification_ratio_and_largest_exposures() -> None:
    u = build_universe([equity("A", 10.0), equity("B", 10.0), equity("C", 10.0), equity("D", 10.0)])
    independent = np.diag([1e-4] * 4)
    c = concentration_batch(
        u, [[100.0, 100.0, 100.0, 100.0], [400.0, 0.0, 0.0, -100.0]], independent, n_top=2
    )
    # Four equal independent positions: sum of standalone VaRs / portfolio VaR = 4 / sqrt(4).
    assert c.diversification_ratio[0] == pytest.approx(2.0)
    assert c.diversification_ratio[1] == pytest.approx(5 / np.sqrt(17))
    assert c.top_index[1].tolist() == [0, 3]
    np.testing.assert_allclose(c.top_exposure[1], [4000.0, -1000.0])
    np.testing.assert_allclose(c.top_share[1], [0.8, 0.2])
    perfectly = np.full((4, 4), 1e-4)
    assert concentration_batch(u, [1.0, 2.0, 3.0, 4.0], perfectly).diversification_ratio[0] == pytest.approx(
        1.0
    )
    assert concentration_batch(u, [0.0, 0.0, 0.0, 0.0], perfectly).diversification_ratio[0] == 1.0
