"""Folded arrays as tidy polars tables, the shape of caseload.parquet and flows.parquet."""

from __future__ import annotations

import numpy as np
import polars as pl

from simbijstand.engine import CompiledModel
from simbijstand.projections.fold import FlowCodes, Projections


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

    `route` is the exit route of an uitstroom and the reason of an instroom where it has one
    (statushouders). For a doorstroom, `klantgroep` is where the case went and `klantgroep_from`
    where it came from.
    """
    flows = projections.flows
    codes = FlowCodes.of(model)
    rep, month, cell, code = np.nonzero(flows)
    kind = np.select([code < codes.first_exit, code < codes.first_move], [0, 2], default=1)
    reason_or_route = pl.Series([None, *model.inflow_reasons, *model.routes], dtype=pl.String)
    from_cell = model.gemeente_first_cell[model.cell_gemeente[cell]] + code - codes.first_move
    klantgroep = pl.Series(model.cell_klantgroep)
    frame = pl.DataFrame(
        {
            "replication": (rep + projections.first_replication).astype(np.int32),
            "month": pl.Series(model.dates).gather(month),
            "gemeente": _gemeente_names(model).gather(cell),
            "klantgroep": klantgroep.gather(cell),
            "event": pl.Series(["instroom", "doorstroom", "uitstroom"]).gather(kind),
            "route": reason_or_route.gather(np.minimum(code, codes.first_move - 1)),
            "klantgroep_from": klantgroep.gather(np.clip(from_cell, 0, model.cells - 1)),
            "count": flows[rep, month, cell, code],
        }
    )
    return frame.with_columns(
        route=pl.when(pl.col("event") != "doorstroom").then("route"),
        klantgroep_from=pl.when(pl.col("event") == "doorstroom").then("klantgroep_from"),
    )


def _gemeente_names(model: CompiledModel) -> pl.Series:
    return pl.Series(model.gemeenten).gather(model.cell_gemeente)
