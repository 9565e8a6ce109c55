from __future__ import annotations

import numpy as np
import pytest

from analytics.riskmath import correlation, ewma_covariance, nearest_psd, psd_factor, sample_covariance
from analytics.riskmath.concentration import most_correlated_pairs


def test_sample_covariance_is_numpys(returns3: np.ndarray) -> None:
    np.testing.assert_allclose(sample_covariance(returns3), np.cov(returns3, rowvar=False), rtol=1e-12)


def test_ewma_covariance_is_the_riskmetrics_recursion() -> None:
    rng = np.random.default_rng(1)
    r = rng.standard_normal((400, 3)) * 0.01
    lam = 0.94
    # Recursion seeded with zero; normalising the weights divides by 1 - lam^n.
    sigma = np.zeros((3, 3))
    for row in r:
        sigma = lam * sigma + (1 - lam) * np.outer(row, row)
    np.testing.assert_allclose(ewma_covariance(r, lam), sigma / (1 - lam**400), rtol=1e-10)


def test_cholesky_is_used_for_a_positive_definite_matrix(returns3: np.ndarray) -> None:
    cov = sample_covariance(returns3)
    f = psd_factor(cov)
    assert f.method == "cholesky"
    np.testing.assert_allclose(f.matrix @ f.matrix.T, cov, rtol=1e-12)


def test_a_non_psd_matrix_falls_back_to_the_clipped_eigen_factor() -> None:
    # Pairwise-plausible correlations that are jointly impossible (an eigenvalue of -0.14).
    bad = np.array([[1.0, 0.9, 0.7], [0.9, 1.0, 0.0], [0.7, 0.0, 1.0]])
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.cholesky(bad)
    f = psd_factor(bad)
    assert f.method == "eigen"
    assert f.min_eigenvalue < 0
    repaired = f.matrix @ f.matrix.T
    np.testing.assert_allclose(repaired, nearest_psd(bad), atol=1e-12)
    assert np.linalg.eigvalsh(repaired).min() > -1e-12
    # Clipping only removes the negative direction: the repaired matrix is close to the input.
    assert np.abs(repaired - bad).max() < 0.1


def test_a_singular_matrix_gets_a_factor_too() -> None:
    v = np.array([0.01, 0.02])
    singular = np.outer(v, v)  # perfectly correlated: rank one
    f = psd_factor(singular)
    np.testing.assert_allclose(f.matrix @ f.matrix.T, singular, atol=1e-15)


def test_correlation_of_a_zero_variance_factor_is_zero_not_nan() -> None:
    cov = np.array([[4.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(correlation(cov), np.eye(2))


def test_most_correlated_pairs_rank_by_absolute_correlation() -> None:
    corr = np.array([[1.0, 0.2, -0.9], [0.2, 1.0, 0.5], [-0.9, 0.5, 1.0]])
    pairs = most_correlated_pairs(("A", "B", "C"), corr, n=2)
    assert [(p.first, p.second) for p in pairs] == [("A", "C"), ("B", "C")]
    assert pairs[0].correlation == pytest.approx(-0.9)
