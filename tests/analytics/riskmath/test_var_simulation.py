from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analytics.riskmath import (
    bsm_price,
    historical_var_batch,
    monte_carlo_var_batch,
    parametric_var_batch,
    sample_covariance,
)


def test_historical_var_is_numpy_quantile_of_revalued_losses_with_option_repricing(option_universe) -> None:
    rng = np.random.default_rng(4)
    returns = rng.multivariate_normal([0, 0], [[4e-4, 1e-4], [1e-4, 2e-4]], size=250)
    q = np.array([10.0, -20.0, -3.0, 2.0])
    result = historical_var_batch(option_universe, q, returns, confidence=0.99)
    # Revalue independently: stocks by their returns, options by BSM at the day's underlying price.
    s_new = 100.0 * (1 + returns[:, 0])
    call = bsm_price(s_new, 100.0, 0.5, 0.03, 0.0, 0.25, True) - bsm_price(
        100.0, 100.0, 0.5, 0.03, 0.0, 0.25, True
    )
    put = bsm_price(s_new, 95.0, 0.5, 0.03, 0.0, 0.25, False) - bsm_price(
        100.0, 95.0, 0.5, 0.03, 0.0, 0.25, False
    )
    pnl = 10 * 100 * returns[:, 0] - 20 * 50 * returns[:, 1] - 3 * 100 * call + 2 * 100 * put
    losses = -pnl
    var = np.quantile(losses, 0.99)
    assert result.var[0] == pytest.approx(var, rel=1e-12)
    assert result.es[0] == pytest.approx(losses[losses >= var].mean(), rel=1e-12)
    assert result.component_var[0].sum() == pytest.approx(result.var[0], rel=1e-12)


def test_historical_var_scales_with_the_square_root_of_the_horizon(linear_universe, returns3) -> None:
    one = historical_var_batch(linear_universe, [1.0, 2.0, 3.0], returns3)
    ten = historical_var_batch(linear_universe, [1.0, 2.0, 3.0], returns3, horizon_days=10)
    assert ten.var[0] == pytest.approx(one.var[0] * np.sqrt(10))
    assert ten.es[0] == pytest.approx(one.es[0] * np.sqrt(10))


def test_historical_components_are_the_tail_mean_losses_rescaled_to_var(linear_universe, returns3) -> None:
    q = np.array([5.0, -3.0, 20.0])
    result = historical_var_batch(linear_universe, q, returns3, confidence=0.95)
    pos_pnl = returns3 * (q * [100.0, 50.0, 20.0])
    losses = -pos_pnl.sum(axis=1)
    tail = losses >= result.var[0]
    expected = -pos_pnl[tail].mean(axis=0) * result.var[0] / result.es[0]
    np.testing.assert_allclose(result.component_var[0], expected, rtol=1e-10)


@pytest.mark.parametrize("confidence", [0.95, 0.99])
def test_monte_carlo_converges_to_parametric_for_a_linear_book(linear_universe, returns3, confidence) -> None:
    cov = sample_covariance(returns3)
    q = np.array([[30.0, -40.0, 100.0], [10.0, 10.0, 10.0]])
    n = 200_000
    mc = monte_carlo_var_batch(linear_universe, q, cov, confidence=confidence, n_scenarios=n, seed=42)
    par = parametric_var_batch(linear_universe, q, cov, confidence=confidence)
    # Standard error of an empirical c-quantile of N(0, 1): sqrt(c (1-c) / n) / phi(z_c); allow 4 of them.
    z = stats.norm.ppf(confidence)
    rel_se = np.sqrt(confidence * (1 - confidence) / n) / stats.norm.pdf(z) / z
    np.testing.assert_allclose(mc.var, par.var, rtol=4 * rel_se)
    np.testing.assert_allclose(mc.es, par.es, rtol=6 * rel_se)
    np.testing.assert_allclose(mc.component_var.sum(axis=1), mc.var, rtol=1e-10)
    # Simulated Euler components approach the analytic ones.
    np.testing.assert_allclose(mc.component_var, par.component_var, atol=0.05 * par.var.max())


def test_monte_carlo_is_reproducible_and_independent_of_chunking(linear_universe, returns3) -> None:
    cov = sample_covariance(returns3)
    q = np.array([1.0, 2.0, 3.0])
    a = monte_carlo_var_batch(linear_universe, q, cov, n_scenarios=10_000, seed=7, chunk_size=10_000)
    b = monte_carlo_var_batch(linear_universe, q, cov, n_scenarios=10_000, seed=7, chunk_size=777)
    c = monte_carlo_var_batch(linear_universe, q, cov, n_scenarios=10_000, seed=8)
    assert a.var[0] == pytest.approx(b.var[0], rel=1e-12)
    assert a.es[0] == pytest.approx(b.es[0], rel=1e-12)
    np.testing.assert_allclose(a.component_var, b.component_var, rtol=1e-9)
    assert a.var[0] != c.var[0]


def test_monte_carlo_survives_a_non_psd_covariance(linear_universe) -> None:
    corr = np.array([[1.0, 0.9, 0.7], [0.9, 1.0, 0.0], [0.7, 0.0, 1.0]])
    cov = corr * 1e-4
    result = monte_carlo_var_batch(linear_universe, [1.0, 1.0, 1.0], cov, n_scenarios=5000, seed=1)
    assert np.isfinite(result.var[0])
    assert result.var[0] > 0


def test_monte_carlo_reprices_options_fully(option_universe) -> None:
    # A long call's loss is capped by its premium however large the scenario move; a delta
    # approximation would not be. With enormous vol the 99.9% loss sits right at the premium.
    cov = np.array([[0.5**2, 0.0], [0.0, 1e-4]])
    premium = 100 * float(bsm_price(100.0, 100.0, 0.5, 0.03, 0.0, 0.25, True))
    result = monte_carlo_var_batch(
        option_universe, [0.0, 0.0, 1.0, 0.0], cov, confidence=0.999, n_scenarios=20_000, seed=2
    )
    assert premium * 0.9 < result.var[0] <= premium
    assert result.es[0] <= premium * (1 + 1e-12)


def test_unseeded_monte_carlo_still_gets_consistent_components(option_universe) -> None:
    cov = np.array([[4e-4, 1e-4], [1e-4, 2e-4]])
    result = monte_carlo_var_batch(option_universe, [5.0, -3.0, -1.0, 2.0], cov, n_scenarios=5000, seed=None)
    assert result.component_var[0].sum() == pytest.approx(result.var[0], rel=1e-10)
    assert np.all(result.component_var[0] != 0.0)


def test_monte_carlo_horizon_scales_like_parametric(linear_universe, returns3) -> None:
    cov = sample_covariance(returns3)
    q = np.array([30.0, -40.0, 100.0])
    mc = monte_carlo_var_batch(linear_universe, q, cov, horizon_days=10, n_scenarios=100_000, seed=3)
    par = parametric_var_batch(linear_universe, q, cov, horizon_days=10)
    rel_se = np.sqrt(0.99 * 0.01 / 100_000) / stats.norm.pdf(stats.norm.ppf(0.99)) / stats.norm.ppf(0.99)
    assert mc.var[0] == pytest.approx(par.var[0], rel=4 * rel_se)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"confidence": 1.0}, "confidence"),
        ({"confidence": 0.3}, "confidence"),
        ({"horizon_days": 0}, "horizon_days"),
    ],
)
def test_nonsense_confidence_or_horizon_is_refused(linear_universe, returns3, kwargs, field) -> None:
    from analytics.riskmath import InvalidInputError

    with pytest.raises(InvalidInputError) as exc:
        historical_var_batch(linear_universe, [1.0, 1.0, 1.0], returns3, **kwargs)
    assert exc.value.fields == {"field": field}
