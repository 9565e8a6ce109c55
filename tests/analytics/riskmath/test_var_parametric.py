from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analytics.riskmath import (
    build_universe,
    cornish_fisher_var_batch,
    delta_gamma_var_batch,
    ewma_covariance,
    historical_var_batch,
    monte_carlo_var_batch,
    parametric_var_batch,
    portfolio_var,
    sample_covariance,
    var_batch,
)
from analytics.riskmath.parametric import cornish_fisher_z, delta_gamma_cumulants
from tests.analytics.riskmath.conftest import equity


@pytest.mark.parametrize(("confidence", "horizon"), [(0.99, 1), (0.95, 10), (0.975, 5)])
def test_parametric_var_and_es_match_a_direct_scipy_normal(
    linear_universe, returns3, confidence, horizon
) -> None:
    q = np.array([30.0, -40.0, 100.0])
    values = q * np.array([100.0, 50.0, 20.0])
    pnl = returns3 @ values
    sigma = np.std(pnl, ddof=1) * np.sqrt(horizon)  # the sample variance of R @ w is w' S w
    dist = stats.norm(0.0, sigma)
    expected_var = -dist.ppf(1 - confidence)
    # ES as the conditional tail expectation, integrated numerically rather than by the formula.
    expected_es = -dist.expect(lambda x: x, ub=-expected_var) / (1 - confidence)
    result = parametric_var_batch(
        linear_universe, q, sample_covariance(returns3), confidence=confidence, horizon_days=horizon
    )
    assert result.var[0] == pytest.approx(expected_var, rel=1e-10)
    assert result.es[0] == pytest.approx(expected_es, rel=1e-7)
    assert result.portfolio_value[0] == pytest.approx(values.sum())


def test_components_sum_to_total_and_marginals_are_the_gradient(linear_universe, returns3) -> None:
    cov = sample_covariance(returns3)
    q = np.array([[30.0, -40.0, 100.0], [1.0, 1.0, 1.0], [0.0, 5.0, 0.0]])
    result = parametric_var_batch(linear_universe, q, cov)
    np.testing.assert_allclose(result.component_var.sum(axis=1), result.var, rtol=1e-12)
    # Marginal VaR is dVaR/d(exposure): bump the first position's exposure by 1 unit of currency.
    bumped = q.copy()
    bumped[0, 0] += 1.0 / 100.0
    diff = parametric_var_batch(linear_universe, bumped, cov).var[0] - result.var[0]
    assert result.marginal_var[0, 0] == pytest.approx(diff, rel=1e-4)


def test_an_empty_portfolio_has_zero_var_for_every_method(linear_universe, returns3) -> None:
    for method in ("parametric", "historical", "monte_carlo", "ewma", "cornish_fisher", "delta_gamma_cf"):
        result = portfolio_var(linear_universe, np.zeros(3), returns3, method=method, n_scenarios=500, seed=1)
        assert result.var == 0.0
        assert result.expected_shortfall == 0.0
        assert all(c.component_var == 0.0 for c in result.components)


def test_an_empty_universe_has_zero_var() -> None:
    empty = build_universe([])
    for method in ("parametric", "historical", "monte_carlo"):
        result = portfolio_var(empty, np.zeros(0), np.zeros((250, 0)), method=method, n_scenarios=100, seed=0)
        assert (result.var, result.expected_shortfall, result.components) == (0.0, 0.0, ())


def test_a_singular_covariance_is_handled(linear_universe) -> None:
    rng = np.random.default_rng(0)
    base = rng.standard_normal(300) * 0.01
    returns = np.stack([base, 2 * base, np.zeros(300)], axis=1)  # rank one, one dead factor
    for method in ("parametric", "historical", "monte_carlo", "delta_gamma_cf"):
        result = portfolio_var(
            linear_universe, np.array([1.0, 1.0, 1.0]), returns, method=method, n_scenarios=2000, seed=3
        )
        assert np.isfinite(result.var)
        assert result.var > 0
        assert sum(c.component_var for c in result.components) == pytest.approx(result.var, rel=1e-9)


def test_ewma_method_uses_the_riskmetrics_covariance(linear_universe, returns3) -> None:
    q = np.array([1.0, 2.0, 3.0])
    direct = parametric_var_batch(linear_universe, q, ewma_covariance(returns3, 0.94))
    via = var_batch(linear_universe, q, returns3, method="ewma")
    assert via.method == "ewma"
    assert via.var[0] == pytest.approx(direct.var[0])


def test_cornish_fisher_quantile_matches_its_textbook_expansion() -> None:
    z = stats.norm.ppf(0.99)
    s, k = -0.8, 3.0
    expected = z + (z**2 - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s**2 / 36
    assert float(cornish_fisher_z(0.99, s, k)) == pytest.approx(expected)
    assert float(cornish_fisher_z(0.99, 0.0, 0.0)) == pytest.approx(z)


def test_cornish_fisher_raises_var_for_fat_tails(linear_universe) -> None:
    rng = np.random.default_rng(11)
    fat = rng.standard_t(3, size=(2000, 3)) * 0.01
    q = np.array([10.0, 10.0, 10.0])
    cf = cornish_fisher_var_batch(linear_universe, q, fat)
    normal = parametric_var_batch(linear_universe, q, sample_covariance(fat))
    assert cf.var[0] > normal.var[0]
    assert cf.es[0] > cf.var[0]
    assert cf.component_var.sum() == pytest.approx(cf.var[0])


def test_delta_gamma_cumulants_match_simulated_moments() -> None:
    rng = np.random.default_rng(5)
    cov = np.array([[4e-4, 1e-4, 0.0], [1e-4, 2e-4, 5e-5], [0.0, 5e-5, 9e-4]])
    w = np.array([[1000.0, -500.0, 200.0]])
    g = np.array([[-40000.0, 0.0, 15000.0]])
    k = delta_gamma_cumulants(w, g, cov)[0]
    r = rng.multivariate_normal(np.zeros(3), cov, size=2_000_000)
    pnl = r @ w[0] + 0.5 * (r**2) @ g[0]
    sample = stats.kstat(pnl, 1), stats.kstat(pnl, 2), stats.kstat(pnl, 3), stats.kstat(pnl, 4)
    standard_error = np.sqrt(k[1] / r.shape[0])
    assert k[0] == pytest.approx(sample[0], abs=4 * standard_error)
    assert k[1] == pytest.approx(sample[1], rel=0.01)
    assert k[2] == pytest.approx(sample[2], rel=0.05)
    assert k[3] == pytest.approx(sample[3], rel=0.15)


def test_delta_gamma_for_a_short_option_book_tracks_full_revaluation(option_universe) -> None:
    # Short calls and puts: negative gamma makes the loss tail longer than delta-normal says.
    # Over one day the quadratic approximation is close to full repricing; over longer horizons
    # the Cornish-Fisher expansion of a strongly skewed book drifts (about 10% at 10 days here).
    rng = np.random.default_rng(2)
    returns = rng.multivariate_normal([0, 0], [[4e-4, 1e-4], [1e-4, 2e-4]], size=500)
    cov = sample_covariance(returns)
    q = np.array([0.0, 0.0, -5.0, -5.0])
    delta_normal = parametric_var_batch(option_universe, q, cov)
    dg_cf = delta_gamma_var_batch(option_universe, q, cov, cornish_fisher=True)
    dg_n = delta_gamma_var_batch(option_universe, q, cov)
    mc = monte_carlo_var_batch(option_universe, q, cov, n_scenarios=200_000, seed=4)
    assert delta_normal.var[0] < dg_n.var[0] < mc.var[0]
    # 200,000 scenarios: the 99% quantile's standard error is about 0.5%; allow 3%.
    assert dg_cf.var[0] == pytest.approx(mc.var[0], rel=0.03)
    assert dg_cf.component_var.sum() == pytest.approx(dg_cf.var[0])


def test_results_of_a_batch_equal_one_portfolio_at_a_time(linear_universe, returns3) -> None:
    rng = np.random.default_rng(9)
    q = rng.normal(size=(6, 3)) * 10
    for method in ("parametric", "historical", "monte_carlo", "cornish_fisher", "delta_gamma_normal"):
        batch = var_batch(linear_universe, q, returns3, method=method, n_scenarios=3000, seed=5)
        for i in range(6):
            single = portfolio_var(linear_universe, q[i], returns3, method=method, n_scenarios=3000, seed=5)
            assert single.var == pytest.approx(batch.var[i], rel=1e-9)
            assert single.expected_shortfall == pytest.approx(batch.es[i], rel=1e-9)


def test_contract_components_carry_symbol_exposure_marginal_and_component(linear_universe, returns3) -> None:
    result = portfolio_var(linear_universe, np.array([10.0, 0.0, -5.0]), returns3)
    assert [c.symbol for c in result.components] == ["AAA", "CCC"]
    assert result.components[1].exposure == pytest.approx(-100.0)
    comp = result.components[0]
    assert comp.component_var == pytest.approx(comp.exposure * comp.marginal_var)


def test_historical_and_parametric_agree_on_normal_data() -> None:
    u = build_universe([equity("X", 10.0)])
    r = np.random.default_rng(0).standard_normal((20_000, 1)) * 0.01
    hist = historical_var_batch(u, [100.0], r)
    par = parametric_var_batch(u, [100.0], sample_covariance(r))
    assert hist.var[0] == pytest.approx(par.var[0], rel=0.03)


@pytest.mark.parametrize(("skew", "kurt"), [(0.0, 0.0), (0.5, 1.0), (-0.8, 3.0)])
def test_cornish_fisher_es_is_the_mean_quantile_beyond_var(skew, kurt) -> None:
    from scipy.integrate import quad

    from analytics.riskmath.parametric import cornish_fisher_es_z

    c = 0.99
    numeric = quad(lambda u: float(cornish_fisher_z(u, skew, kurt)), c, 1.0, limit=200)[0] / (1 - c)
    assert float(cornish_fisher_es_z(c, skew, kurt)) == pytest.approx(numeric, rel=1e-6)
    if skew == kurt == 0.0:
        z = stats.norm.ppf(c)
        assert float(cornish_fisher_es_z(c, 0.0, 0.0)) == pytest.approx(
            stats.norm.pdf(z) / (1 - c), rel=1e-12
        )
