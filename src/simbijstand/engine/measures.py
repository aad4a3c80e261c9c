"""Measures (trajecten) with limited capacity, as simpy processes.

Every `intake_dagen` days while a measure is open, its process brings the population up to that
moment, lets newly eligible clients decide whether to take part (a share `deelname` does) and
queue, then fills the free places from the queue: first come first served, or by the priority of
their klantgroep and then first come. A participant stays `duur_maanden`, or until the benefit
ends; each client is considered for a measure once.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import numpy as np
import simpy

from simbijstand.engine.modifiers import MeasureSpec
from simbijstand.engine.population import Population


def measure_process(
    env: simpy.Environment,
    population: Population,
    measure: int,
    sync: Callable[[float], int],
    horizon_end: float,
) -> Generator[simpy.Event, None, None]:
    """Intake of one measure; `sync(t)` brings the population to t and returns t's month."""
    spec = population.measures[measure]
    moment = spec.opens
    while moment < min(spec.closes, horizon_end):
        yield env.timeout(moment - env.now)
        month = sync(moment)
        _consider(population, measure, spec, moment)
        _intake(population, measure, spec, month, moment)
        moment += spec.intake_days


def _consider(population: Population, measure: int, spec: MeasureSpec, moment: float) -> None:
    """Clients newly eligible at `moment` decide once whether to queue."""
    bit = np.int64(1) << measure
    candidates = np.flatnonzero(
        population.alive()
        & (population.phase == 0)
        & (population.queued < 0)
        & ((population.seen & bit) == 0)
        & spec.eligible[population.cell]
    )
    duration = population.duration_at(candidates, moment)
    candidates = candidates[(duration >= spec.min_days) & (duration <= spec.max_days)]
    if np.isfinite(spec.min_age) or np.isfinite(spec.max_age):
        age = population.age_at(candidates, moment)
        candidates = candidates[(age >= spec.min_age) & (age < spec.max_age)]
    if candidates.size == 0:
        return
    population.seen[candidates] |= bit
    takes_part = population.measure_choice(candidates, measure) < spec.share
    population.enqueue(candidates[takes_part], measure, moment)


def _intake(
    population: Population, measure: int, spec: MeasureSpec, month: int, moment: float
) -> None:
    """Fill the free places of every replication from the head of its queue."""
    waiting = np.flatnonzero(population.queued == measure)
    if waiting.size == 0:
        return
    rep = population.rep[waiting]
    order = np.lexsort(
        (
            population.pid[waiting],
            population.queued_at[waiting],
            spec.priority[population.cell[waiting]],
            rep,
        )
    )
    waiting, rep = waiting[order], rep[order]
    first_of_rep = np.searchsorted(rep, rep, side="left")
    rank = np.arange(len(waiting)) - first_of_rep
    free = spec.capacity - population.participants[rep, measure]
    starting = np.sort(waiting[rank < free])
    if starting.size:
        population.start_measure(starting, measure, month, moment)
