from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.riskmath import InsufficientHistoryError, lookback_returns, simple_returns
from analytics.riskmath.tail import TailTracker, tail_size, var_es_from_losses, var_es_from_tail


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 600),
    confidence=st.sampled_from([0.5, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999]),
    seed=st.integers(0, 2**32 - 1),
)
def test_var_is_numpy_quantile_and_es_the_mean_beyond_it(n: int, confidence: float, seed: int) -> None:
    losses = np.random.default_rng(seed).standard_t(4, size=(3, n))
    result = var_es_from_losses(losses, confidence)
    np.testing.assert_array_equal(result.var, np.quantile(losses, confidence, axis=1))
    for row, var, es in zip(losses, result.var, result.es, strict=True):
        assert es == pytest.approx(row[row >= var].mean())


def test_ties_and_constant_losses_give_var_equal_es() -> None:
    result = var_es_from_losses(np.zeros((2, 250)), 0.99)
    np.testing.assert_array_equal(result.var, 0.0)
    np.testing.assert_array_equal(result.es, 0.0)


def test_tail_size_covers_the_interpolation_neighbours() -> None:
    assert tail_size(1000, 0.99) == 11  # ascending positions 989 and 990 and above
    assert tail_size(250, 0.99) == 4  # 249 x 0.99 = 246.51: positions 246..249


def test_streaming_tail_equals_the_full_sort() -> None:
    rng = np.random.default_rng(3)
    losses = rng.standard_normal((4, 5003))
    t = tail_size(5003, 0.99)
    tracker = TailTracker(4, t)
    for start in range(0, 5003, 700):
        tracker.update(losses[:, start : start + 700], start)
    streamed = var_es_from_tail(tracker.losses, tracker.ids, 5003, 0.99)
    full = var_es_from_losses(losses, 0.99)
    np.testing.assert_array_equal(streamed.var, full.var)
    np.testing.assert_array_equal(streamed.es, full.es)
    np.testing.assert_array_equal(np.take_along_axis(losses, streamed.tail_ids, axis=1), streamed.tail_losses)


def test_simple_returns_treat_masked_and_nan_closes_as_missing() -> None:
    closes = np.array([[100.0, 10.0], [110.0, np.nan], [99.0, 12.0], [99.0, 12.0]])
    valid = np.array([[True, True], [True, True], [True, True], [False, True]])
    r = simple_returns(closes, valid)
    assert r[0, 0] == pytest.approx(0.1)
    assert r[1, 0] == pytest.approx(-0.1)
    assert np.isnan(r[0, 1])
    assert np.isnan(r[1, 1])
    assert np.isnan(r[2, 0])
    assert r[2, 1] == 0.0


def test_insufficient_history_names_factors_and_missing_days() -> None:
    r = np.zeros((10, 3))
    r[:4, 1] = np.nan
    r[9, 2] = np.nan
    with pytest.raises(InsufficientHistoryError) as exc:
        lookback_returns(r, ("A", "B", "C"), 12)
    # The window asks for 12 days but only 10 exist: 2 missing for everyone, plus the NaNs.
    assert exc.value.fields == {"missing": {"A": 2, "B": 6, "C": 3}, "required_days": 12}
    assert exc.value.as_dict()["code"] == "insufficient_history"


def test_history_of_factors_without_exposure_may_be_missing() -> None:
    r = np.full((20, 2), 0.01)
    r[:, 1] = np.nan
    out = lookback_returns(r, ("A", "B"), 5, required=np.array([True, False]))
    assert out.shape == (5, 2)
    np.testing.assert_array_equal(out[:, 1], 0.0)
    with pytest.raises(InsufficientHistoryError):
        lookback_returns(r, ("A", "B"), 5)


def test_exposed_factors_mark_underlyings_of_held_options(option_universe) -> None:
    from analytics.riskmath import exposed_factors

    assert exposed_factors(option_universe, [0.0, 0.0, 1.0, 0.0]).tolist() == [True, False]
    assert exposed_factors(option_universe, [[0.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0]]).tolist() == [
        False,
        True,
    ]
    assert exposed_factors(option_universe, [0.0, 0.0, 0.0, 0.0]).tolist() == [False, False]
