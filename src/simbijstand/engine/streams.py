"""Random streams: one generator per replication, so a replication's draws never depend on which
other replications share its batch or worker.

Replication r of a run with seed s draws from `SeedSequence(s, spawn_key=(r,))`, exactly the r-th
child that `SeedSequence(s).spawn(n)` would give; the same seed therefore gives the same
replication r in every run, and scenarios compared with one seed share their streams
(common random numbers).

Every draw is a uniform taken in order from the replication's stream (other distributions by
inversion), so a replication's numbers are the same whether it draws them one request at a time
or, as here, from a buffer filled ahead: a batch of replications then needs one generator call
per replication every few months instead of several per month.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

INITIAL_BUFFER = 1024


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(replication,))


class ReplicationStreams:
    """The streams of a batch of replications, addressed by local index 0..n-1."""

    def __init__(self, seed: int, replications: Sequence[int]) -> None:
        self.generators = [np.random.default_rng(replication_seed(seed, r)) for r in replications]
        self._buffer = np.zeros((len(self.generators), 0))
        self._used = np.zeros(len(self.generators), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.generators)

    def uniforms(self, local_rep: np.ndarray, columns: int) -> np.ndarray:
        """Uniform [0, 1) draws, one row per entry of `local_rep`, each row from its own stream.

        Rows of one replication take the stream's next numbers in the order they appear.
        """
        if len(self.generators) == 1:
            return self.generators[0].random((len(local_rep), columns))
        counts = np.bincount(local_rep, minlength=len(self.generators)) * columns
        self._ensure(counts)
        order = np.argsort(local_rep, kind="stable")
        reps = np.repeat(np.arange(len(counts)), counts)
        first = np.cumsum(counts) - counts
        flat = reps * self._buffer.shape[1] + self._used[reps] + np.arange(len(reps)) - first[reps]
        out = np.empty((len(local_rep), columns))
        out[order] = self._buffer.ravel().take(flat).reshape(-1, columns)
        self._used += counts
        return out

    def poisson(self, mean: np.ndarray) -> np.ndarray:
        """Poisson counts [replication, len(mean)] by inversion of each replication's uniforms."""
        rep = np.repeat(np.arange(len(self.generators)), len(mean))
        uniform = self.uniforms(rep, 1).reshape(len(self.generators), len(mean))
        return _poisson_quantile(uniform, np.broadcast_to(mean, uniform.shape))

    def _ensure(self, counts: np.ndarray) -> None:
        """Make sure every replication has `counts` unused numbers; when one runs short, top up
        all of them (a replication's numbers stay its stream in order, whenever they are drawn)."""
        width = self._buffer.shape[1]
        short = np.flatnonzero(self._used + counts > width)
        if short.size == 0:
            return
        new_width = max(width, INITIAL_BUFFER, int(counts.max()) * 2)
        buffer = np.empty((len(self.generators), new_width))
        for r, generator in enumerate(self.generators):
            kept = self._buffer[r, self._used[r] :]
            buffer[r, : len(kept)] = kept
            buffer[r, len(kept) :] = generator.random(new_width - len(kept))
        self._buffer = buffer
        self._used[:] = 0


def _poisson_quantile(q: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Smallest k with P(X <= k) >= q for X ~ Poisson(mean), as scipy.stats.poisson.ppf computes
    it, without that function's per-call overhead (it dominated small runs)."""
    upper = np.ceil(special.pdtrik(q, mean))
    lower = np.maximum(upper - 1, 0)
    counts = np.where(special.pdtr(lower, mean) >= q, lower, upper)
    return np.where(mean > 0, counts, 0).astype(np.int64)


def parameter_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The stream of replication r's parameter draws: a sibling of its event stream
    (`SeedSequence(seed, spawn_key=(r, 1))`), so drawing parameters leaves the events' stream
    untouched and a run is the same for any number of workers."""
    return np.random.SeedSequence(seed, spawn_key=(replication, 1))
