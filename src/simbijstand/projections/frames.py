"""Folded arrays as tidy polars tables, the shape of caseload.parquet and flows.parquet."""

from __future__ import annotations

import numpy as np
import polars as pl

from simbijstand.engine import CompiledModel
from simbijstand.projections.fold import Projections


def caseload_frame(model: CompiledModel, projections: Projections) -> pl.DataFrame:
    """One row per replication, month start (and the horizon's end), gemeente and klantgroep."""
    counts = projections.caseload
    rep, date, cell = (a.ravel() for a in np.indices(counts.shape))
    return pl.DataFrame(
        {
            "replication": (rep + projections.first_replication).astype(np.int32),
            "date": pl.Series(model.dates).gather(date),
            "gemeente": _gemeente_names(model).gather(cell),
            "klantgroep": pl.Series(model.cell_klantgroep).gather(cell),
            "count": counts.ravel(),
        }
    )


def flows_frame(model: CompiledModel, projections: Projections) -> pl.DataFrame:
    """Non-zero flows per replication, month, gemeente, klantgroep, event and route.

    For a doorstroom, `klantgroep` is where the case went and `klantgroep_from` where it came from.
    """
    flows = projections.flows
    rep, month, cell, code = np.nonzero(flows)
    routes = len(model.routes)
    from_cell = model.gemeente_first_cell[model.cell_gemeente[cell]] + code - 1 - routes
    kind = np.select([code == 0, code <= routes], [0, 2], default=1)
    klantgroep = pl.Series(model.cell_klantgroep)
    frame = pl.DataFrame(
        {
            "replication": (rep + projections.first_replication).astype(np.int32),
            "month": pl.Series(model.dates).gather(month),
            "gemeente": _gemeente_names(model).gather(cell),
            "klantgroep": klantgroep.gather(cell),
            "event": pl.Series(["instroom", "doorstroom", "uitstroom"]).gather(kind),
            "route": pl.Series(model.routes).gather(np.clip(code - 1, 0, routes - 1)),
            "klantgroep_from": klantgroep.gather(np.clip(from_cell, 0, model.cells - 1)),
            "count": flows[rep, month, cell, code],
        }
    )
    return frame.with_columns(
        route=pl.when(pl.col("event") == "uitstroom").then("route"),
        klantgroep_from=pl.when(pl.col("event") == "doorstroom").then("klantgroep_from"),
    )


def _gemeente_names(model: CompiledModel) -> pl.Series:
    return pl.Series(model.gemeenten).gather(model.cell_gemeente)
