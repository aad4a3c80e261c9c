"""New benefits: a Poisson process per replication, month and entry klantgroep.

The rate is constant within a calendar month (level x seasonality x trend x scenario multiplier,
see `model`), so the month's count is Poisson and the arrival moments are uniform within it.
"""

from __future__ import annotations

import numpy as np

from simbijstand.engine.arrays import Floats, Ints
from simbijstand.engine.events import chronological
from simbijstand.engine.model import CompiledModel
from simbijstand.engine.streams import Purpose, ReplicationStreams


def poisson_arrivals(
    model: CompiledModel, streams: ReplicationStreams, month: int
) -> tuple[Ints, Ints, Floats]:
    """(local replication, cell, arrival in days) of the month's new cases, in time order
    within each replication."""
    counts = streams.poisson(month, model.inflow_mean[month])  # [replication, cell]
    rep = np.repeat(np.arange(len(streams)), counts.sum(axis=1))
    cell = np.repeat(np.tile(np.arange(model.cells), len(streams)), counts.ravel())
    within = np.arange(len(cell)) - np.repeat(
        np.cumsum(counts.ravel()) - counts.ravel(), counts.ravel()
    )
    uniform = streams.uniforms(rep, Purpose.ARRIVAL_MOMENT, month * 2**16 + cell, within)
    start, end = model.boundaries[month], model.boundaries[month + 1]
    moment = start + uniform * (end - start)
    order = chronological(rep, moment)
    return rep[order], cell[order], moment[order]
