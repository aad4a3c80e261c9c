"""Random numbers addressed by what they are for, not by when they are drawn.

Every draw is a uniform at a fixed position of a replication's SplitMix64 stream: position =
(purpose, case or month, the case's own draw counter). SplitMix64's output at position n is
mix64(key + (n + 1) * golden), so any position can be computed directly and in any order. A
case's numbers therefore depend only on the seed, the replication and the case, never on which
other cases or replications share a batch or worker, on the order events are processed in, or on
how finely the clock is stepped (a weekly intake process gives the same events as none). The same
seed gives the same numbers to the same case in two scenarios: common random numbers per case.

The key of replication r is drawn from `SeedSequence(seed, spawn_key=(r,))`, the r-th child that
`SeedSequence(seed).spawn(n)` would give.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray
from scipy import special

from simbijstand.engine.arrays import Bools, Floats, Ints

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
MIX_2 = np.uint64(0x94D049BB133111EB)
TO_UNIT = 2.0**-53

# Position layout: purpose (4 bits) | subject (40 bits: a case, or month and cell) | counter (20)
SUBJECT_SHIFT = np.uint64(20)
PURPOSE_SHIFT = np.uint64(60)


class Purpose(IntEnum):
    """What a draw is for; each purpose has its own region of the stream."""

    CASE = 1  # a case's own draws: start clock, event types, fresh clocks, choices
    ARRIVAL_COUNT = 2  # Poisson count of new cases per month and cell
    ARRIVAL_MOMENT = 3  # the moments of those new cases
    INITIAL = 4  # durations of the initial caseload
    STATUSHOUDERS = 5  # counts and moments of statushouders entering the caseload
    MEASURE_CHOICE = 6  # a case's choice whether to take part in measure j (counter j)
    AGE = 7  # a case's age at arrival


def replication_key(seed: int, replication: int) -> np.uint64:
    state = np.random.SeedSequence(seed, spawn_key=(replication,)).generate_state(1, np.uint64)
    return np.uint64(state[0])


def _mix64(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64's finaliser, in place (the streams' hottest arithmetic)."""
    shifted = np.empty_like(z)
    with np.errstate(over="ignore"):
        for shift, multiplier in ((30, MIX_1), (27, MIX_2)):
            np.right_shift(z, np.uint64(shift), out=shifted)
            z ^= shifted
            z *= multiplier
    np.right_shift(z, np.uint64(31), out=shifted)
    z ^= shifted
    return z


class ReplicationStreams:
    """The streams of a batch of replications, addressed by local index 0..n-1."""

    def __init__(self, seed: int, replications: Sequence[int]) -> None:
        self.keys = np.array([replication_key(seed, r) for r in replications], dtype=np.uint64)

    def __len__(self) -> int:
        return len(self.keys)

    def uniforms(
        self, local_rep: Ints, purpose: Purpose, subject: Ints | int, counter: Ints | int
    ) -> Floats:
        """Uniform [0, 1) numbers at the given positions of each row's replication stream; a
        scalar `subject` or `counter` holds for every row."""
        z = np.asarray(subject).astype(np.uint64) << SUBJECT_SHIFT
        z = z | np.asarray(counter).astype(np.uint64)  # not |=: either side may be a scalar
        z |= np.uint64(purpose) << PURPOSE_SHIFT
        if z.shape != np.shape(local_rep):  # scalar subject and counter: one row per local_rep
            z = np.broadcast_to(z, np.broadcast_shapes(z.shape, np.shape(local_rep))).copy()
        with np.errstate(over="ignore"):
            z += np.uint64(1)
            z *= GOLDEN
            z += self.keys[0] if len(self.keys) == 1 else self.keys[local_rep]
        z = _mix64(z)
        z >>= np.uint64(11)
        uniform = z.astype(np.float64)
        uniform *= TO_UNIT
        return uniform

    def poisson(self, month: int, mean: Floats) -> Ints:
        """Poisson counts [replication, cell] for one month, by inversion of its own uniforms."""
        reps, cells = len(self.keys), len(mean)
        rep = np.repeat(np.arange(reps), cells)
        cell = np.tile(np.arange(cells), reps)
        uniform = self.uniforms(rep, Purpose.ARRIVAL_COUNT, month * 2**16 + cell, 0).reshape(
            reps, cells
        )
        return poisson_quantile(uniform, np.asarray(mean, dtype=float))


def poisson_quantile(q: Floats, mean: Floats) -> Ints:
    """Smallest k with P(X <= k) >= q for X ~ Poisson(mean), as scipy.stats.poisson.ppf computes
    it, without that function's per-call overhead (it dominated small runs). `mean` holds one
    value per column (last axis) of q. Many draws per column are counted on a table of the CDF,
    a few one by one with scipy's own method; both give scipy's answers."""
    columns = np.asarray(mean, dtype=float)
    if columns.shape != q.shape[-1:]:
        raise ValueError(f"one mean per column of q expected, got {columns.shape} for {q.shape}")
    low, width = _table_span(columns)
    if q.size > width * len(columns):
        counts = _quantile_by_table(q, columns, low, width)
    else:
        counts = _quantile_one_by_one(q, np.broadcast_to(columns, q.shape))
    counts = np.where(columns > 0, counts, 0)
    return counts


def _table_span(mean: Floats) -> tuple[Ints, int]:
    """The k from which, and how many, a CDF table needs: mean ± (10 standard deviations + 30),
    outside which the tails are below double precision."""
    reach = 10 * np.sqrt(mean) + 30
    low = np.floor(np.maximum(mean - reach, 0)).astype(np.int64)
    return low, int(np.ceil((mean + reach - low).max(initial=0)))


def _quantile_by_table(q: Floats, mean: Floats, low: Ints, width: int) -> Ints:
    cdf = special.pdtr(low[:, None] + np.arange(width), mean[:, None])  # [column, k - low]
    counts = np.zeros(q.shape, dtype=np.int64)
    for column in range(q.shape[-1]):
        counts[..., column] = low[column] + np.searchsorted(cdf[column], q[..., column], "left")
    return counts


def _quantile_one_by_one(q: Floats, mean: Floats) -> Ints:
    upper: Floats = np.ceil(special.pdtrik(q, mean))
    lower = np.maximum(upper - 1, 0)
    enough: Bools = special.pdtr(lower, mean) >= q
    return np.where(enough, lower, upper).astype(np.int64)


def parameter_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The stream of replication r's parameter draws: a sibling of its event stream
    (`SeedSequence(seed, spawn_key=(r, 1))`), so drawing parameters leaves the events' stream
    untouched and a run is the same for any number of workers."""
    return np.random.SeedSequence(seed, spawn_key=(replication, 1))


def deviation_seed(seed: int, replication: int, file_index: int) -> np.random.SeedSequence:
    """The stream of replication r's path of inflow deviation for the scenario's k-th parameter
    file (`SeedSequence(seed, spawn_key=(r, 2, k))`): a sibling of its event and parameter
    streams, so the path is the same with or without parameter draws, for any number of
    workers, and in every scenario on the same files."""
    return np.random.SeedSequence(seed, spawn_key=(replication, 2, file_index))


def deviation_parameter_seed(
    seed: int, replication: int, file_index: int
) -> np.random.SeedSequence:
    """The stream of replication r's draw of sd_per_maand and persistentie for the k-th
    parameter file (`SeedSequence(seed, spawn_key=(r, 3, k))`), apart from the path's own
    stream so the path's shocks are the same whether or not the two are drawn."""
    return np.random.SeedSequence(seed, spawn_key=(replication, 3, file_index))


def shared_seed(seed: int, replication: int, component: str) -> np.random.SeedSequence:
    """The stream of replication r's standard normals of a shared component of the parameter
    files' [[onzekerheid]] (`SeedSequence(seed, spawn_key=(r, 4, h))`, h the first 8 bytes of
    the SHA-256 of the component's name, big-endian): it depends on the seed, the replication
    and the name only, so every file that declares the component draws the same values, for
    any number of workers or chunks, and apart from the per-file draws of (r, 1). Only even
    replications draw from it: an odd one takes the negation (`draws.SharedDraws`)."""
    return np.random.SeedSequence(seed, spawn_key=(replication, 4, component_key(component)))


def component_key(component: str) -> int:
    """A shared component's name as the integer in its stream's spawn key."""
    return int.from_bytes(hashlib.sha256(component.encode("utf-8")).digest()[:8], "big")
