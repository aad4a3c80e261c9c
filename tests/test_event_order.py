"""Events are put in time order per replication by a single-key sort; it must equal the stable
lexsort it replaces, ties and all."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simbijstand.engine.events import chronological


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(0, 400),
    span=st.sampled_from([3, 10**6, 2**50, 2**62]),  # few values (ties), wide, too wide to pack
    replications=st.integers(1, 5),
)
def test_chronological_is_a_stable_lexsort(
    seed: int, size: int, span: int, replications: int
) -> None:
    rng = np.random.default_rng(seed)
    time_us = rng.integers(1_500_000_000_000_000, 1_500_000_000_000_000 + span, size)
    replication = rng.integers(100, 100 + replications, size).astype(np.int32)
    expected = np.lexsort((time_us, replication))
    np.testing.assert_array_equal(chronological(replication, time_us), expected)
    days = (time_us - 1_500_000_000_000_000) / 86_400e6  # moments in days, as the engine has them
    np.testing.assert_array_equal(chronological(replication, days), np.lexsort((days, replication)))
