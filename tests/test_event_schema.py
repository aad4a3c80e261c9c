"""The event log's stored schema is pinned: changing it must be a deliberate, versioned act."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

import simbijstand
from conftest import one_group_parameters, scenario_data
from simbijstand.store.replay import caseload_at, read_events
from simbijstand.store.schema import EVENT_SCHEMA, EVENT_SCHEMA_VERSION, PARQUET_METADATA_KEY

PINNED_V1 = {
    "replication": pl.Int32,
    "time": pl.Datetime("us"),
    "person_id": pl.Int64,
    "event": pl.String,
    "gemeente": pl.String,
    "klantgroep": pl.String,
    "klantgroep_from": pl.String,
    "route": pl.String,
}
PINNED_V2 = {**PINNED_V1, "traject": pl.String}


def test_schema_is_pinned() -> None:
    assert EVENT_SCHEMA_VERSION == 2
    assert dict(EVENT_SCHEMA) == PINNED_V2
    assert list(EVENT_SCHEMA) == list(PINNED_V2)  # column order too


def test_a_version_1_log_is_still_read(tmp_path: Path) -> None:
    """Upcasting: a log written before measures existed reads as version 2 with no trajecten."""
    rows = {
        "replication": [0, 0, 0],
        "time": [dt.datetime(2020, 1, 5), dt.datetime(2020, 2, 5), dt.datetime(2020, 3, 5)],
        "person_id": [1, 2, 1],
        "event": ["instroom", "instroom", "uitstroom"],
        "gemeente": ["Testdorp"] * 3,
        "klantgroep": ["a", "a", "a"],
        "klantgroep_from": [None, None, None],
        "route": [None, None, "werk"],
    }
    pl.DataFrame(rows, schema=PINNED_V1).write_parquet(
        tmp_path / "old.parquet", metadata={PARQUET_METADATA_KEY: "1"}
    )
    events = read_events(tmp_path / "old.parquet").collect()
    assert events.columns == list(PINNED_V2)
    assert events["traject"].null_count() == 3
    assert caseload_at(read_events(tmp_path / "old.parquet"), dt.date(2020, 3, 1))[
        "count"
    ].to_list() == [2]


def test_written_segments_carry_the_schema_and_its_version(make_scenario, tmp_path: Path) -> None:
    path = make_scenario(
        one_group_parameters(inflow_per_year=30), scenario_data(months=6, replications=3)
    )
    result = simbijstand.run(path, out=tmp_path / "run", workers=1, keep_events=2)
    segments = result.manifest["events"]["segments"]
    assert [s["replications"] for s in segments] == [[0, 1]]
    file = tmp_path / "run" / segments[0]["file"]
    assert dict(pl.read_parquet_schema(file)) == PINNED_V2
    assert pl.read_parquet_metadata(file)[PARQUET_METADATA_KEY] == "2"
    events = pl.read_parquet(file)
    assert set(events["replication"]) == {0, 1}
    assert result.caseload["replication"].n_unique() == 3  # folds cover every replication
    assert events.filter(pl.col("event") == "uitstroom")["route"].null_count() == 0
    assert (
        events.filter(pl.col("event") != "doorstroom")["klantgroep_from"].null_count()
        == events.filter(pl.col("event") != "doorstroom").height
    )
