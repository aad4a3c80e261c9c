"""The event log's schema as stored. Bump EVENT_SCHEMA_VERSION on any change, and teach
`replay.read_events` to read the older versions (old runs must stay readable)."""

from __future__ import annotations

import numpy as np
import polars as pl

from simbijstand.domain.events import EVENT_LABELS
from simbijstand.engine import CompiledModel, EventBatch

EVENT_SCHEMA_VERSION = 1
EVENT_SCHEMA = pl.Schema(
    {
        "replication": pl.Int32,
        "time": pl.Datetime("us"),
        "person_id": pl.Int64,
        "event": pl.String,  # instroom | doorstroom | uitstroom
        "gemeente": pl.String,
        "klantgroep": pl.String,  # after the event
        "klantgroep_from": pl.String,  # before a doorstroom, else null
        "route": pl.String,  # exit route of an uitstroom, else null
    }
)
PARQUET_METADATA_KEY = "simbijstand.event_schema_version"


def events_frame(batch: EventBatch, model: CompiledModel) -> pl.DataFrame:
    """The batch as rows of the stored schema, names in place of codes."""
    gemeente = pl.Series(model.gemeenten, dtype=pl.String)
    klantgroep = pl.Series(model.cell_klantgroep, dtype=pl.String)
    routes = pl.Series(model.routes, dtype=pl.String)
    labels = pl.Series(EVENT_LABELS, dtype=pl.String)
    return pl.DataFrame(
        {
            "replication": batch.replication,
            "time": pl.Series(batch.time_us).cast(pl.Datetime("us")),
            "person_id": batch.person_id,
            "event": labels.gather(batch.kind.astype(np.int64)),
            "gemeente": gemeente.gather(model.cell_gemeente[batch.cell]),
            "klantgroep": klantgroep.gather(batch.cell),
            "klantgroep_from": _gather_or_null(klantgroep, batch.from_cell),
            "route": _gather_or_null(routes, batch.route),
        },
        schema=EVENT_SCHEMA,
    )


def _gather_or_null(names: pl.Series, codes: np.ndarray) -> pl.Series:
    present = codes >= 0
    gathered = names.gather(np.where(present, codes, 0).astype(np.int64))
    return pl.select(pl.when(pl.Series(present)).then(gathered).otherwise(None)).to_series()
