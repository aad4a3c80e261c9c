"""Reading a stored event log and folding it to the state at a date.

The state at a date is the state at 00:00 that day: events strictly before it count. This is the
same rule the streaming fold uses, so a replayed caseload equals the stored one exactly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from simbijstand.errors import InputDataError, RunDirectoryError
from simbijstand.scenario.initial_state import InitialCases
from simbijstand.store.manifest import read_manifest
from simbijstand.store.rundir import EVENTS_DIR, MANIFEST
from simbijstand.store.schema import (
    EVENT_SCHEMA,
    EVENT_SCHEMA_VERSION,
    PARQUET_METADATA_KEY,
    READABLE_VERSIONS,
    upcast,
)


def event_files(path: Path) -> list[Path]:
    """The Parquet files of an event log: a complete run directory, a folder of segments
    (for example imported history), or a single Parquet file."""
    if (path / MANIFEST).is_file():
        manifest = read_manifest(path)
        _check_version(path, manifest.get("events", {}).get("schema_version"))
        return [path / s["file"] for s in manifest["events"]["segments"]]
    if (path / EVENTS_DIR).is_dir():
        raise RunDirectoryError(
            f"{path}: has no {MANIFEST}; the run did not finish, its log is incomplete"
        )
    if path.is_dir():
        files = sorted(path.glob("*.parquet"))
        if not files:
            raise InputDataError(f"{path}: no .parquet event files in this folder")
        return files
    if path.is_file():
        return [path]
    raise InputDataError(
        f"{path}: no such event log (expected a run directory, a folder or a .parquet file)"
    )


def read_events(path: Path) -> pl.LazyFrame:
    """All events of a log, checked against the stored schema and upcast to its current version."""
    frames = [upcast(pl.scan_parquet(file), _check_schema(file)) for file in event_files(path)]
    return pl.concat(frames, how="vertical")


def caseload_events(events: pl.LazyFrame) -> pl.LazyFrame:
    """Only the events that change the caseload (not those of measures)."""
    return events.filter(pl.col("event").is_in(["instroom", "doorstroom", "uitstroom"]))


def caseload_at(events: pl.LazyFrame, at: dt.date) -> pl.DataFrame:
    """Caseload per replication, gemeente and klantgroep at 00:00 on `at` (zero counts omitted)."""
    before = caseload_events(events).filter(pl.col("time") < dt.datetime.combine(at, dt.time()))
    keys = ["replication", "gemeente", "klantgroep"]
    gains = before.filter(pl.col("event") != "uitstroom").select(*keys, delta=pl.lit(1))
    losses = before.filter(pl.col("event") != "instroom").select(
        "replication",
        "gemeente",
        klantgroep=pl.when(pl.col("event") == "doorstroom")
        .then("klantgroep_from")
        .otherwise("klantgroep"),
        delta=pl.lit(-1),
    )
    return (
        pl.concat([gains, losses])
        .group_by(keys)
        .agg(count=pl.col("delta").sum().cast(pl.Int64))
        .filter(pl.col("count") != 0)
        .sort(keys)
        .collect()
    )


def cases_at(events: pl.LazyFrame, gemeente: str, at: dt.date, source: Path) -> InitialCases:
    """The cases of one gemeente on benefit at 00:00 on `at`, with their klantgroep and start."""
    moment = dt.datetime.combine(at, dt.time())
    mine = caseload_events(events).filter(
        (pl.col("gemeente") == gemeente) & (pl.col("time") < moment)
    )
    replications = mine.select(pl.col("replication").n_unique()).collect().item()
    if replications > 1:
        raise InputDataError(
            f"{source}: holds {replications} replications of {gemeente}; a start state needs "
            "one history (one replication)"
        )
    cases = (
        mine.sort("time", maintain_order=True)
        .group_by("person_id", maintain_order=True)
        .agg(
            start=pl.col("time").filter(pl.col("event") == "instroom").first(),
            klantgroep=pl.col("klantgroep").last(),
            left=(pl.col("event") == "uitstroom").any(),
        )
        .filter(~pl.col("left") & pl.col("start").is_not_null())
        .collect()
    )
    if cases.height == 0:
        raise InputDataError(f"{source}: no cases of {gemeente} on benefit at {at}")
    return InitialCases(
        klantgroep=tuple(cases["klantgroep"].to_list()),
        benefit_start_us=tuple(cases["start"].dt.epoch("us").to_list()),
    )


def _check_schema(file: Path) -> int:
    """The file's schema version, after checking its columns against that version."""
    try:
        schema = pl.read_parquet_schema(file)
        metadata = pl.read_parquet_metadata(file)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputDataError(f"{file}: not a readable Parquet file ({exc})") from None
    # imported history may carry no version: read it by the columns it has
    version = int(metadata.get(PARQUET_METADATA_KEY, 2 if "traject" in schema else 1))
    _check_version(file, version)
    expected = {c: t for c, t in EVENT_SCHEMA.items() if version >= 2 or c != "traject"}
    missing = [c for c in expected if c not in schema]
    if missing:
        raise InputDataError(
            f"{file}: missing event column(s) {', '.join(missing)}; expected {', '.join(expected)}"
        )
    wrong = [f"{c} is {schema[c]}, expected {t}" for c, t in expected.items() if schema[c] != t]
    if wrong:
        raise InputDataError(f"{file}: {'; '.join(wrong)}")
    return version


def _check_version(path: Path, version: object) -> None:
    if version not in READABLE_VERSIONS:
        raise RunDirectoryError(
            f"{path}: event schema version {version!r}; this simbijstand reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))} (current {EVENT_SCHEMA_VERSION})"
        )


def replay_run(run_dir: Path, at: dt.date, replication: int | None = None) -> pl.DataFrame:
    """Caseload per gemeente and klantgroep at `at`, folded from a run's stored log.

    With `replication`, that replication's counts; otherwise quantiles over the stored ones.
    `totaal` sums the klantgroepen with a BUIG benefit, as in summary.csv.
    """
    manifest = read_manifest(run_dir)
    start, end = (dt.date.fromisoformat(manifest["horizon"][k]) for k in ("start", "end"))
    if not start <= at <= end:
        raise RunDirectoryError(
            f"--at {at} is outside the run's horizon; allowed from {start} to {end}"
        )
    kept = manifest["events"]["kept_replications"]
    if replication is not None and replication >= kept:
        raise RunDirectoryError(
            f"--replication {replication}: the log holds replications 0 to {kept - 1}"
        )
    counts = _complete(caseload_at(read_events(run_dir), at), manifest, kept)
    if replication is not None:
        return counts.filter(pl.col("replication") == replication).drop("replication")
    value = pl.col("count")
    return counts.group_by("gemeente", "klantgroep", maintain_order=True).agg(
        replications=pl.len(),
        mean=value.mean(),
        p10=value.quantile(0.1, interpolation="linear"),
        p50=value.quantile(0.5, interpolation="linear"),
        p90=value.quantile(0.9, interpolation="linear"),
    )


def _complete(counts: pl.DataFrame, manifest: dict[str, Any], kept: int) -> pl.DataFrame:
    """Every (replication, gemeente, klantgroep) with zeros filled in, plus BUIG totals."""
    cells = pl.DataFrame(manifest["klantgroepen"]).with_columns(pl.col("buig").cast(pl.Boolean))
    grid = pl.DataFrame({"replication": pl.int_range(kept, eager=True).cast(pl.Int32)}).join(
        cells, how="cross"
    )
    full = grid.join(counts, on=["replication", "gemeente", "klantgroep"], how="left").with_columns(
        pl.col("count").fill_null(0)
    )
    totals = (
        full.filter("buig")
        .group_by("replication", "gemeente")
        .agg(pl.col("count").sum())
        .with_columns(klantgroep=pl.lit("totaal"))
    )
    columns = ["replication", "gemeente", "klantgroep", "count"]
    return pl.concat([full.select(columns), totals.select(columns)]).sort(
        "replication", "gemeente", maintain_order=True
    )
