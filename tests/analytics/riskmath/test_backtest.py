from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analytics.riskmath import backtest_batch, traffic_light, traffic_light_thresholds
from analytics.riskmath.backtest import christoffersen_lr, kupiec_lr


def chi2_1dof_tail(x: float) -> float:
    """P(chi2_1 > x) in closed form: chi2 with one dof is a squared standard normal."""
    return math.erfc(math.sqrt(x / 2.0))


def hits_series(exceptions: int, days: int, *, clustered: bool = False) -> tuple[np.ndarray, np.ndarray]:
    pnl = np.zeros(days)
    idx = np.arange(exceptions) if clustered else np.linspace(0, days - 1, exceptions).astype(int)
    pnl[idx] = -5.0
    return pnl, np.full(days, 1.0)


def test_basel_table_at_99_percent_and_250_days() -> None:
    assert traffic_light_thresholds(250, 0.99) == (5, 10)
    zones = [traffic_light(x, 250, 0.99) for x in range(15)]
    assert zones == ["green"] * 5 + ["yellow"] * 5 + ["red"] * 5


def test_traffic_light_scales_with_window_and_confidence() -> None:
    # Twice the window at 99%: the 95% / 99.99% binomial cut-offs move out to 9 and 15.
    assert traffic_light_thresholds(500, 0.99) == (9, 15)
    assert traffic_light_thresholds(250, 0.95) == (18, 27)


# Jorion, Value at Risk (Table "Model backtesting, 95% nonrejection test confidence regions"):
# accepted numbers of failures N for the Kupiec POF test at a 5% test size.
JORION_REGIONS = [
    (0.01, 510, 2, 10),
    (0.01, 1000, 5, 16),
    (0.025, 252, 3, 11),
    (0.025, 510, 7, 20),
    (0.025, 1000, 16, 35),
    (0.05, 252, 7, 19),
    (0.05, 510, 17, 35),
    (0.05, 1000, 38, 64),
    (0.075, 252, 12, 27),
    (0.075, 510, 28, 50),
    (0.075, 1000, 60, 91),
    (0.10, 252, 17, 35),
    (0.10, 510, 39, 64),
    (0.10, 1000, 82, 119),
]


@pytest.mark.parametrize(("p", "days", "low", "high"), JORION_REGIONS)
def test_kupiec_non_rejection_regions_match_jorions_table(p: float, days: int, low: int, high: int) -> None:
    def accepted(x: int) -> bool:
        return chi2_1dof_tail(float(kupiec_lr(x, days, 1 - p))) >= 0.05

    assert accepted(low)
    assert accepted(high)
    assert not accepted(low - 1)
    assert not accepted(high + 1)


def test_kupiec_upper_bound_for_99_percent_over_252_days() -> None:
    # Jorion's table gives N < 7 for p=1%, T=252 (no lower bound is printed: zero failures
    # gives LR = 5.07 which does reject at 5%, a known caveat of the small-sample table).
    assert chi2_1dof_tail(float(kupiec_lr(6, 252, 0.99))) >= 0.05
    assert chi2_1dof_tail(float(kupiec_lr(7, 252, 0.99))) < 0.05
    assert float(kupiec_lr(0, 252, 0.99)) == pytest.approx(-2 * 252 * math.log(0.99))


def test_kupiec_statistic_matches_the_closed_form() -> None:
    t, x, p = 250, 8, 0.01
    expected = -2 * ((t - x) * math.log(1 - p) + x * math.log(p)) + 2 * (
        (t - x) * math.log(1 - x / t) + x * math.log(x / t)
    )
    pnl, var = hits_series(x, t)
    result = backtest_batch(pnl, var, confidence=0.99)
    assert result.exceptions[0] == 8
    assert result.kupiec_lr[0] == pytest.approx(expected)
    assert result.kupiec_p_value[0] == pytest.approx(chi2_1dof_tail(expected))
    assert result.traffic_light == ("yellow",)


def test_no_exceptions_gives_finite_statistics() -> None:
    result = backtest_batch(np.zeros(250), np.ones(250), confidence=0.99)
    assert result.exceptions[0] == 0
    assert np.isfinite(result.kupiec_p_value[0])
    assert result.christoffersen_p_value[0] == 1.0
    assert result.traffic_light == ("green",)


def test_every_day_an_exception_gives_finite_statistics() -> None:
    result = backtest_batch(-np.ones(250), np.full(250, 0.5), confidence=0.99)
    assert result.exceptions[0] == 250
    assert result.kupiec_p_value[0] < 1e-10
    assert np.isfinite(result.christoffersen_lr[0])
    assert result.traffic_light == ("red",)


def test_christoffersen_detects_clustered_exceptions() -> None:
    spread = backtest_batch(*hits_series(6, 250), confidence=0.99)
    bunched = backtest_batch(*hits_series(6, 250, clustered=True), confidence=0.99)
    assert spread.christoffersen_p_value[0] > 0.5
    assert bunched.christoffersen_p_value[0] < 0.001
    # Same count, same Kupiec verdict: only independence tells them apart.
    assert spread.kupiec_p_value[0] == pytest.approx(bunched.kupiec_p_value[0])


def test_christoffersen_statistic_matches_hand_counts() -> None:
    hits = np.array([0, 1, 1, 0, 0, 1, 0, 0, 0, 0], dtype=bool)
    n00, n01, n10, n11 = 4, 2, 2, 1
    pi01, pi11, pi = n01 / (n00 + n01), n11 / (n10 + n11), (n01 + n11) / 9
    expected = -2 * ((n00 + n10) * math.log(1 - pi) + (n01 + n11) * math.log(pi)) + 2 * (
        n00 * math.log(1 - pi01) + n01 * math.log(pi01) + n10 * math.log(1 - pi11) + n11 * math.log(pi11)
    )
    assert float(christoffersen_lr(hits)) == pytest.approx(expected)


def test_a_correct_var_model_lands_green_and_an_understated_one_red() -> None:
    rng = np.random.default_rng(0)
    pnl = rng.standard_normal((400, 250))
    z99 = 2.3263478740408408
    good = backtest_batch(pnl, z99, confidence=0.99)

    # 400 synthetic years; zone frequencies within 3.5 binomial standard errors of their odds.
    def close(freq: float, prob: float) -> bool:
        return abs(freq - prob) < 3.5 * math.sqrt(prob * (1 - prob) / 400)

    # A correct model lands green with probability P(X <= 4), X ~ Bin(250, 1%) = 0.892.
    assert close(np.mean(np.array(good.traffic_light) == "green"), stats.binom.cdf(4, 250, 0.01))
    assert np.mean(good.exceptions) == pytest.approx(2.5, abs=0.3)
    # VaR at the 95% quantile reported as 99%: 12.5 exceptions expected, red with P(X >= 10).
    bad = backtest_batch(pnl, 1.6448536269514722, confidence=0.99)
    assert close(np.mean(np.array(bad.traffic_light) == "red"), stats.binom.sf(9, 250, 0.05))
    assert close(np.mean(np.array(bad.traffic_light) == "green"), stats.binom.cdf(4, 250, 0.05))
    assert np.median(bad.kupiec_p_value) < 0.01
