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


def _splitmix64_uniform(key: int, position: int) -> float:
    """SplitMix64's output at `position` of the stream keyed `key`, in plain integers."""
    mask = 2**64 - 1
    z = (key + (position + 1) * 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    z ^= z >> 31
    return (z >> 11) * 2.0**-53


@pytest.mark.parametrize("replications", [1, 3])  # one key is added as a scalar
def test_uniforms_are_splitmix64_at_their_positions(replications: int) -> None:
    rng = np.random.default_rng(3)
    batch = streams.ReplicationStreams(11, list(range(5, 5 + replications)))
    rep = rng.integers(0, replications, 50)
    subject, counter = rng.integers(0, 2**40, 50), rng.integers(0, 2**20, 50)
    got = batch.uniforms(rep, streams.Purpose.CASE, subject, counter)
    expected = [
        _splitmix64_uniform(
            int(batch.keys[r]), (int(streams.Purpose.CASE) << 60) | (int(s) << 20) | int(c)
        )
        for r, s, c in zip(rep, subject, counter, strict=True)
    ]
    assert got.tolist() == expected
    scalar = batch.uniforms(rep, streams.Purpose.AGE, 7, 2)  # one subject and counter for all
    assert scalar.shape == (50,)
    age = int(streams.Purpose.AGE) << 60
    assert scalar[0] == _splitmix64_uniform(int(batch.keys[rep[0]]), age | (7 << 20) | 2)
