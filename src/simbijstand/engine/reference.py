"""A literal reference model: every case is its own simpy process. Slow, simple, independent.

It draws from the same compiled model as the fast engine (hazards per month, cell and band,
inflow means) but shares none of its sampling code beyond the initial-state draw: each case
walks through its constant-hazard pieces one at a time and tests for an event in each. The tests
use it as an oracle (the engine must agree with it in distribution) and the benchmark measures
how much faster the vectorised engine is. It knows no measures or statushouders (modifier 0).
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from simbijstand.engine.initial import initial_cases
from simbijstand.engine.model import CompiledModel
from simbijstand.engine.streams import ReplicationStreams


class ReferenceRun:
    """One replication of the per-case model; `caseload[d, c]` at each month start."""

    def __init__(self, model: CompiledModel, seed: int) -> None:
        self.model = model
        self.rng = np.random.default_rng(seed)
        self.env = simpy.Environment()
        self.current = np.zeros(model.cells, dtype=np.int64)
        self.caseload = np.zeros((model.months + 1, model.cells), dtype=np.int64)
        self.events = 0

    def run(self) -> ReferenceRun:
        _, cells, starts = initial_cases(
            self.model, ReplicationStreams(int(self.rng.integers(2**32)), [0])
        )
        for cell, start in zip(cells, starts, strict=True):
            self._begin(int(cell), float(start))
        self.env.process(self._census())
        for cell in range(self.model.cells):
            self.env.process(self._arrivals(cell))
        # every process ends at the horizon; run(until=end) would skip the last census
        self.env.run()
        return self

    def _begin(self, cell: int, start: float) -> None:
        self.current[cell] += 1
        self.events += 1
        self.env.process(self._case(cell, start))

    def _census(self) -> Generator[simpy.Event, None, None]:
        for index, moment in enumerate(self.model.boundaries):
            yield self.env.timeout(moment - self.env.now)
            self.caseload[index] = self.current

    def _arrivals(self, cell: int) -> Generator[simpy.Event, None, None]:
        bounds = self.model.boundaries
        for month in range(self.model.months):
            count = self.rng.poisson(self.model.inflow_mean[month, cell])
            moments = np.sort(self.rng.uniform(bounds[month], bounds[month + 1], count))
            for moment in moments:
                yield self.env.timeout(moment - self.env.now)
                self._begin(cell, float(moment))
            yield self.env.timeout(bounds[month + 1] - self.env.now)

    def _case(self, cell: int, start: float) -> Generator[simpy.Event, None, None]:
        model = self.model
        # month and band are tracked, not recomputed from the clock, so float round-off at a
        # boundary can never stall a case in a zero-length piece
        month = int(np.searchsorted(model.boundaries, self.env.now, side="right")) - 1
        band = int(np.searchsorted(model.band_edges[cell], self.env.now - start, side="right")) - 1
        while month < model.months:
            month_end = model.boundaries[month + 1]
            band_end = start + model.band_edges[cell, band + 1]
            hazard = model.total[month, cell, band, 0]
            wait = self.rng.exponential(1 / hazard) if hazard > 0 else np.inf
            if self.env.now + wait < min(month_end, band_end):
                yield self.env.timeout(wait)
                cell = self._transition(month, cell, band, hazard)
                if cell < 0:
                    return
                continue
            if band_end <= month_end:
                yield self.env.timeout(max(band_end - self.env.now, 0.0))
                band += 1
            else:
                yield self.env.timeout(max(month_end - self.env.now, 0.0))
                month += 1

    def _transition(self, month: int, cell: int, band: int, hazard: float) -> int:
        """The case's new cell after an event, or -1 when it left."""
        model = self.model
        self.current[cell] -= 1
        self.events += 1
        rates = model.hazard[month, cell, band, 0]
        kind = int(self.rng.choice(len(rates), p=rates / hazard))
        if kind < len(model.routes):
            return -1
        cell = int(model.gemeente_first_cell[model.cell_gemeente[cell]]) + kind - len(model.routes)
        self.current[cell] += 1
        return cell
