"""The counter-based streams and the Poisson inversion built on them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simbijstand.engine import streams
from simbijstand.engine.streams import poisson_quantile


@settings(max_examples=60, deadline=None)
@given(
    means=st.lists(st.floats(0, 5000, allow_nan=False), min_size=1, max_size=6),
    seed=st.integers(0, 2**32 - 1),
    rows=st.sampled_from([1, 50, 3000]),  # few draws per mean go one by one, many by table
)
def test_poisson_quantile_matches_scipy(means: list[float], seed: int, rows: int) -> None:
    q = np.random.default_rng(seed).random((max(rows, 2), len(means)))
    q[0] = 2**-53  # the smallest positive uniform the streams can give
    q[1] = 1 - 1e-12  # far in the upper tail (nearer 1 the CDF itself rounds to 1)
    expected = stats.poisson.ppf(q, np.array(means))
    expected = np.where(np.array(means) > 0, expected, 0)
    np.testing.assert_array_equal(poisson_quantile(q, np.array(means)), expected)


def test_both_methods_agree_with_scipy_at_extremes() -> None:
    mean = np.array([0.3, 7.0, 860.0, 8333.0])
    q = np.array([2**-53, 1e-9, 0.5, 1 - 1e-9, 1 - 1e-12])[:, None].repeat(4, axis=1)
    expected = stats.poisson.ppf(q, mean)
    low, width = streams._table_span(mean)
    np.testing.assert_array_equal(streams._quantile_by_table(q, mean, low, width), expected)
    np.testing.assert_array_equal(streams._quantile_one_by_one(q, mean[None, :] + 0 * q), expected)


def test_poisson_quantile_of_zero_is_zero() -> None:
    # scipy answers -1 (below the support) for q = 0; a count must not be negative
    assert poisson_quantile(np.zeros((1, 2)), np.array([0.0, 3.0])).tolist() == [[0, 0]]


def test_poisson_quantile_needs_one_mean_per_column() -> None:
    with pytest.raises(ValueError, match="one mean per column"):
        poisson_quantile(np.zeros((3, 2)), np.zeros((3, 2)))
