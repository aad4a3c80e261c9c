"""Quantiles over replications of the caseload, per gemeente and klantgroep and their totals.

`totaal` as klantgroep sums the groups with a BUIG benefit (buig = true in the parameter file);
groups without one (such as sheltered work) are listed but not counted in the total.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from simbijstand.engine import CompiledModel
from simbijstand.engine.arrays import Bools, Ints
from simbijstand.projections.fold import Projections

TOTAL = "totaal"
QUANTILES = {
    "p05": 0.05,
    "p10": 0.10,
    "p25": 0.25,
    "p50": 0.50,
    "p75": 0.75,
    "p90": 0.90,
    "p95": 0.95,
}
SUMMARY_COLUMNS = ("gemeente", "klantgroep", "date", "mean", *QUANTILES)


def caseload_series(model: CompiledModel, projections: Projections) -> dict[tuple[str, str], Ints]:
    """Caseload [replication, date] per (gemeente, klantgroep), totals included."""
    counts = projections.caseload.astype(np.int64)
    series: dict[tuple[str, str], Ints] = {}
    gemeenten = [*model.gemeenten, TOTAL]
    groups = list(dict.fromkeys(model.cell_klantgroep))
    for gemeente in gemeenten:
        in_gemeente = _cells_of(model, gemeente)
        for group in [*groups, TOTAL]:
            cells = in_gemeente & _group_cells(model, group)
            if cells.any():
                series[(gemeente, group)] = counts[:, :, cells].sum(axis=2)
    return series


def summary_frame(model: CompiledModel, projections: Projections) -> pl.DataFrame:
    """Mean and quantiles over replications per gemeente, klantgroep and date."""
    series = caseload_series(model, projections)
    # all series at once: the same reductions along the replication axis as one series at a
    # time gave (782 small frames for 390 gemeenten took most of a second)
    values = np.stack(list(series.values()))  # [series, replication, date]
    quantiles = np.quantile(values, list(QUANTILES.values()), axis=1)  # [quantile, series, date]
    keys = list(series)
    dates = len(model.dates)
    return pl.DataFrame(
        {
            "gemeente": pl.Series([g for g, _ in keys], dtype=pl.String).gather(
                np.repeat(np.arange(len(keys)), dates)
            ),
            "klantgroep": pl.Series([k for _, k in keys], dtype=pl.String).gather(
                np.repeat(np.arange(len(keys)), dates)
            ),
            "date": pl.Series(model.dates).gather(np.tile(np.arange(dates), len(keys))),
            "mean": values.mean(axis=1).ravel(),
            **{name: quantiles[i].ravel() for i, name in enumerate(QUANTILES)},
        }
    )


def _cells_of(model: CompiledModel, gemeente: str) -> Bools:
    if gemeente == TOTAL:
        return np.ones(model.cells, dtype=bool)
    cells: Bools = model.cell_gemeente == model.gemeenten.index(gemeente)
    return cells


def _group_cells(model: CompiledModel, group: str) -> Bools:
    if group == TOTAL:
        return model.cell_buig.copy()
    return np.array([name == group for name in model.cell_klantgroep])
