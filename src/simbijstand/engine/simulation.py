"""One batch of replications on a simpy clock.

Processes: the month clock (at every month end it applies the month's remaining events, hands
them to the recorder and tidies the population), inflow and statushouders (at every month start
they add the month's new benefits), and one intake process per measure. Whatever a process does
at moment t, it first brings the population up to t, so the order in which simpy runs processes
that are due at the same moment does not change the outcome; and every random number belongs to
one case, so neither does the number of processes ticking.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import numpy as np
import simpy

from simbijstand.domain.events import STATUSHOUDERS
from simbijstand.engine.events import Recorder
from simbijstand.engine.inflow import poisson_arrivals
from simbijstand.engine.initial import initial_cases
from simbijstand.engine.measures import measure_process
from simbijstand.engine.model import CompiledModel
from simbijstand.engine.population import Population
from simbijstand.engine.statushouders import statushouder_arrivals
from simbijstand.engine.streams import ReplicationStreams


class _Sync:
    """Brings the population up to a moment, finishing (and recording) whole months on the way."""

    def __init__(self, model: CompiledModel, population: Population, recorder: Recorder) -> None:
        self.model, self.population, self.recorder = model, population, recorder
        self.month = 0

    def __call__(self, moment: float) -> int:
        bounds = self.model.boundaries
        while self.month < self.model.months and bounds[self.month + 1] <= moment:
            self.population.advance_to(self.month, bounds[self.month + 1])
            self.recorder.record(self.population.flush(bounds[self.month + 1]))
            self.population.compact()
            self.month += 1
        if self.month < self.model.months:
            self.population.advance_to(self.month, moment)
        return self.month


def simulate(
    model: CompiledModel, seed: int, replications: Sequence[int], recorder: Recorder
) -> None:
    """Run the given replications and pass all their events, month by month, to `recorder`."""
    streams = ReplicationStreams(seed, replications)
    population = Population(model, streams, np.asarray(replications, dtype=np.int32))
    rep, cell, start = initial_cases(model, streams)
    population.add(rep, cell, start, arrival=np.zeros(len(start)), month=0)
    sync = _Sync(model, population, recorder)
    env = simpy.Environment()
    env.process(_clock(env, model, sync))
    env.process(_inflow(env, model, population, streams, sync))
    for measure in range(len(model.modifiers.measures)):
        env.process(measure_process(env, population, measure, sync, model.boundaries[-1]))
    env.run()


def _clock(
    env: simpy.Environment, model: CompiledModel, sync: _Sync
) -> Generator[simpy.Event, None, None]:
    for month in range(model.months):
        yield env.timeout(model.boundaries[month + 1] - env.now)
        sync(model.boundaries[month + 1])


def _inflow(
    env: simpy.Environment,
    model: CompiledModel,
    population: Population,
    streams: ReplicationStreams,
    sync: _Sync,
) -> Generator[simpy.Event, None, None]:
    has_statushouders = bool(model.statushouder_entries.any())
    for month in range(model.months):
        yield env.timeout(model.boundaries[month] - env.now)
        sync(model.boundaries[month])
        rep, cell, moment = poisson_arrivals(model, streams, month)
        population.add(rep, cell, start=moment, arrival=moment, month=month)
        if has_statushouders:
            rep, cell, moment = statushouder_arrivals(
                model.statushouder_entries, model.boundaries, streams, month
            )
            population.add(
                rep, cell, moment, moment, month, reason=STATUSHOUDERS, statushouder=True
            )
