"""The event log's schema as stored. Bump EVENT_SCHEMA_VERSION on any change, and teach
`upcast` to turn the older versions into the current one (old runs must stay readable).

Version 2 added the measures: events traject_wacht, traject_start and traject_einde, the column
`traject`, and `route` as the reason of an instroom (statushouders) or traject_einde.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from simbijstand.domain.events import EVENT_LABELS, TRAJECT_EINDE_REASONS, EventKind
from simbijstand.engine import CompiledModel, EventBatch

EVENT_SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
_COLUMNS: dict[str, pl.DataType] = {
    "replication": pl.Int32(),
    "time": pl.Datetime("us"),
    "person_id": pl.Int64(),  # one benefit within a replication
    "event": pl.String(),  # instroom | doorstroom | uitstroom | traject_wacht|_start|_einde
    "gemeente": pl.String(),
    "klantgroep": pl.String(),  # after the event
    "klantgroep_from": pl.String(),  # before a doorstroom, else null
    "route": pl.String(),  # exit route of an uitstroom; reason of an instroom or traject_einde
    "traject": pl.String(),  # the measure of a traject_* event, else null
}
EVENT_SCHEMA = pl.Schema(_COLUMNS)
PARQUET_METADATA_KEY = "simbijstand.event_schema_version"


def events_frame(batch: EventBatch, model: CompiledModel) -> pl.DataFrame:
    """The batch as rows of the stored schema, names in place of codes."""
    klantgroep = pl.Series(model.cell_klantgroep, dtype=pl.String)
    measures = pl.Series([m.name for m in model.modifiers.measures], dtype=pl.String)
    return pl.DataFrame(
        {
            "replication": batch.replication,
            "time": pl.Series(batch.time_us).cast(pl.Datetime("us")),
            "person_id": batch.person_id,
            "event": pl.Series(EVENT_LABELS).gather(batch.kind.astype(np.int64)),
            "gemeente": pl.Series(model.gemeenten).gather(model.cell_gemeente[batch.cell]),
            "klantgroep": klantgroep.gather(batch.cell),
            "klantgroep_from": _gather_or_null(klantgroep, batch.from_cell),
            "route": _routes(batch, model),
            "traject": _gather_or_null(measures, batch.traject),
        },
        schema=EVENT_SCHEMA,
    )


def upcast(frame: pl.LazyFrame, version: int) -> pl.LazyFrame:
    """A log of an older schema version in the current one."""
    if version == 1:
        return frame.with_columns(traject=pl.lit(None, dtype=pl.String))
    return frame


def _routes(batch: EventBatch, model: CompiledModel) -> pl.Series:
    """The route column means something else per kind of event; one namespace each."""
    names = [*model.routes, *model.inflow_reasons, *TRAJECT_EINDE_REASONS]
    offset = np.select(
        [batch.kind == EventKind.INSTROOM, batch.kind == EventKind.TRAJECT_EINDE],
        [len(model.routes), len(model.routes) + len(model.inflow_reasons)],
        default=0,
    )
    codes = np.where(batch.route >= 0, batch.route + offset, -1)
    return _gather_or_null(pl.Series(names, dtype=pl.String), codes)


def _gather_or_null(names: pl.Series, codes: np.ndarray) -> pl.Series:
    present = codes >= 0
    if len(names) == 0:  # not from a list of Nones: polars scans a list before it builds
        return pl.repeat(None, len(codes), dtype=pl.String, eager=True).rename("")
    gathered = names.gather(np.where(present, codes, 0).astype(np.int64))
    return pl.select(pl.when(pl.Series(present)).then(gathered).otherwise(None)).to_series()
