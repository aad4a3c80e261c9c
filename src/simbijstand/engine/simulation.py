"""One batch of replications on a simpy clock.

simpy orders the work of each month: at every month start the inflow process adds the month's new
cases first (it was started first, and simpy runs processes due at the same moment in the order
they were scheduled), then the transition process samples every event of the month exactly and
hands them to the recorder. Later scenario processes (quota arrivals, measures) join the same clock.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import numpy as np
import simpy

from simbijstand.engine.events import Recorder
from simbijstand.engine.inflow import poisson_arrivals
from simbijstand.engine.initial import initial_cases
from simbijstand.engine.model import CompiledModel
from simbijstand.engine.population import Population
from simbijstand.engine.streams import ReplicationStreams


def simulate(
    model: CompiledModel, seed: int, replications: Sequence[int], recorder: Recorder
) -> None:
    """Run the given replications and pass all their events, month by month, to `recorder`."""
    streams = ReplicationStreams(seed, replications)
    population = Population(model, streams, np.asarray(replications, dtype=np.int32))
    rep, cell, start = initial_cases(model, streams)
    population.add(rep, cell, start, arrival=np.zeros(len(start)), month=0)
    env = simpy.Environment()
    env.process(_inflow(env, model, population, streams))
    env.process(_transitions(env, model, population, recorder))
    env.run()


def _inflow(
    env: simpy.Environment,
    model: CompiledModel,
    population: Population,
    streams: ReplicationStreams,
) -> Generator[simpy.Event, None, None]:
    for month in range(model.months):
        yield env.timeout(model.boundaries[month] - env.now)
        rep, cell, moment = poisson_arrivals(model, streams, month)
        population.add(rep, cell, start=moment, arrival=moment, month=month)


def _transitions(
    env: simpy.Environment, model: CompiledModel, population: Population, recorder: Recorder
) -> Generator[simpy.Event, None, None]:
    for month in range(model.months):
        yield env.timeout(model.boundaries[month] - env.now)
        recorder.record(population.advance(month))
