"""New benefits: a Poisson process per replication, month and entry klantgroep.

The rate is constant within a calendar month (level x seasonality x trend x scenario multiplier,
see `model`), so the month's count is Poisson and the arrival moments are uniform within it.
"""

from __future__ import annotations

import numpy as np

from simbijstand.engine.model import CompiledModel
from simbijstand.engine.streams import ReplicationStreams


def poisson_arrivals(
    model: CompiledModel, streams: ReplicationStreams, month: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(local replication, cell, arrival in days) of the month's new cases, in time order
    within each replication."""
    counts = streams.poisson(model.inflow_mean[month])  # [replication, cell]
    per_rep = counts.sum(axis=1)
    rep = np.repeat(np.arange(len(streams), dtype=np.int32), per_rep)
    cell = np.repeat(np.tile(np.arange(model.cells, dtype=np.int32), len(streams)), counts.ravel())
    start, end = model.boundaries[month], model.boundaries[month + 1]
    moment = start + streams.uniforms(rep, 1)[:, 0] * (end - start)
    order = np.lexsort((moment, rep))
    return rep[order], cell[order], moment[order]
