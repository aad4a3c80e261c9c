"""Checking a finished run directory: `simbijstand verify RUN_DIR`.

Two kinds of check. Files: every event segment, output and checkpoint the manifest lists exists
and has the manifest's SHA-256 (and a segment its row count). Meaning: the stored projections
agree with the stored log: for every replication whose log was kept, the caseload at every date
in caseload.parquet and the counts in flows.parquet equal a replay of the log. A segment whose
checksum fails is not replayed (its problem is already named).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from simbijstand.store.files import orphans, sha256_of
from simbijstand.store.manifest import read_manifest
from simbijstand.store.replay import caseload_events
from simbijstand.store.rundir import CASELOAD, FLOWS

KEYS = ["replication", "gemeente", "klantgroep"]
FLOW_KEYS = ["replication", "month", "gemeente", "klantgroep", "event", "route", "klantgroep_from"]
SHOWN = 5  # mismatching rows named per file; the rest are counted


@dataclass(frozen=True, slots=True)
class Verification:
    run_dir: Path
    checked: list[str] = field(default_factory=list)  # what holds, one line per kind
    problems: list[str] = field(default_factory=list)  # what does not, one line each
    notes: list[str] = field(default_factory=list)  # harmless findings (leftover temp files)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_run(run_dir: Path) -> Verification:
    """Check a run directory; RunDirectoryError if it has no readable manifest."""
    manifest = read_manifest(run_dir)
    result = Verification(run_dir)
    intact = _check_files(run_dir, manifest, result)
    _check_coverage(manifest, result)
    if {CASELOAD, FLOWS} <= intact:
        segments = [s for s in manifest["events"]["segments"] if s["file"] in intact]
        _check_replay(run_dir, segments, result)
    result.notes.extend(
        f"{p.relative_to(run_dir)}: temporary file of an interrupted write (ignored; "
        "safe to delete)"
        for p in orphans(run_dir)
    )
    return result


def _check_files(run_dir: Path, manifest: dict[str, Any], result: Verification) -> set[str]:
    """Checksums of everything the manifest lists; return the files that match."""
    listed = [(s["file"], s["sha256"], s["rows"]) for s in manifest["events"]["segments"]]
    listed += [(name, sha, None) for name, sha in manifest["outputs"].items()]
    listed += [(c["file"], c["sha256"], None) for c in manifest.get("checkpoints", [])]
    intact = set()
    for name, sha256, rows in listed:
        problem = _file_problem(run_dir / name, sha256, rows)
        if problem:
            result.problems.append(f"{name}: {problem}")
        else:
            intact.add(name)
    result.checked.append(f"{len(intact)} of {len(listed)} files match the manifest's SHA-256")
    return intact


def _file_problem(path: Path, sha256: str, rows: int | None) -> str:
    if not path.is_file():
        return "missing"
    if sha256_of(path) != sha256:
        return "SHA-256 differs from the manifest (the file changed or is corrupt)"
    if rows is not None and pl.scan_parquet(path).select(pl.len()).collect().item() != rows:
        return f"holds another number of rows than the manifest's {rows}"
    return ""


def _check_coverage(manifest: dict[str, Any], result: Verification) -> None:
    """The segments hold replications 0 .. kept-1, each exactly once."""
    kept = manifest["events"]["kept_replications"]
    held = sorted(
        r
        for s in manifest["events"]["segments"]
        for r in range(s["replications"][0], s["replications"][1] + 1)
    )
    if held != list(range(kept)):
        result.problems.append(
            f"manifest.json: the segments hold replications {_ranges(held)}, "
            f"expected 0 to {kept - 1} once each"
        )


def _check_replay(run_dir: Path, segments: list[dict[str, Any]], result: Verification) -> None:
    caseload = pl.read_parquet(run_dir / CASELOAD)
    flows = pl.read_parquet(run_dir / FLOWS)
    dates = caseload["date"].unique().sort()
    dates_us = dates.cast(pl.Datetime("us")).dt.epoch("us").to_numpy()
    replayed = 0
    for segment in segments:
        first, last = segment["replications"]
        events = _events(run_dir / segment["file"], dates_us)
        mine = pl.col("replication").is_between(first, last)
        stored = caseload.filter(mine).with_columns(index=pl.col("date").rank("dense") - 1)
        result.problems.extend(_compare_caseload(segment["file"], stored, events))
        result.problems.extend(_compare_flows(segment["file"], flows.filter(mine), events, dates))
        replayed += last - first + 1
    result.checked.append(
        f"replayed the log of {replayed} replication(s): caseload at {len(dates)} dates and flows "
        "compared with caseload.parquet and flows.parquet"
    )


def _events(path: Path, dates_us: np.ndarray) -> pl.DataFrame:
    """The segment's caseload events (not those of measures) with `index`: the first date (index
    into `dates_us`) they count at."""
    events = caseload_events(pl.scan_parquet(path)).collect()
    after = np.searchsorted(dates_us, events["time"].dt.epoch("us").to_numpy(), side="right")
    return events.with_columns(index=pl.Series(after, dtype=pl.Int64))


def _compare_caseload(segment: str, stored: pl.DataFrame, events: pl.DataFrame) -> list[str]:
    gains = events.filter(pl.col("event") != "uitstroom").select(*KEYS, "index", delta=pl.lit(1))
    losses = events.filter(pl.col("event") != "instroom").select(
        "replication",
        "gemeente",
        klantgroep=pl.coalesce("klantgroep_from", "klantgroep"),
        index="index",
        delta=pl.lit(-1),
    )
    deltas = pl.concat([gains, losses]).group_by(*KEYS, "index").agg(pl.col("delta").sum())
    unknown = deltas.join(stored, on=KEYS, how="anti")
    if unknown.height:
        return [f"{segment}: events of {_first_keys(unknown)} not in caseload.parquet"]
    replayed = (
        stored.join(deltas, on=[*KEYS, "index"], how="left")
        .sort(*KEYS, "index")
        .with_columns(replayed=pl.col("delta").fill_null(0).cum_sum().over(KEYS))
    )
    wrong = replayed.filter(pl.col("count") != pl.col("replayed"))
    return [
        f"caseload.parquet: replication {r['replication']}, {r['date']}, {r['gemeente']} "
        f"{r['klantgroep']}: {r['count']} stored, {r['replayed']} in the log ({segment})"
        for r in wrong.head(SHOWN).iter_rows(named=True)
    ] + _more(wrong.height, CASELOAD)


def _compare_flows(
    segment: str, stored: pl.DataFrame, events: pl.DataFrame, dates: pl.Series
) -> list[str]:
    inside = events.filter(pl.col("index").is_between(1, len(dates) - 1))
    replayed = (
        inside.with_columns(month=dates.gather(inside["index"] - 1))
        .group_by(FLOW_KEYS)
        .agg(replayed=pl.len().cast(pl.Int64))
    )
    both = stored.with_columns(pl.col("count").cast(pl.Int64)).join(
        replayed, on=FLOW_KEYS, how="full", coalesce=True, nulls_equal=True
    )
    wrong = both.filter(pl.col("count").fill_null(0) != pl.col("replayed").fill_null(0))
    return [
        f"flows.parquet: replication {r['replication']}, {r['month']}, {r['gemeente']} "
        f"{r['klantgroep']} {r['event']}: {r['count'] or 0} stored, {r['replayed'] or 0} in the "
        f"log ({segment})"
        for r in wrong.head(SHOWN).iter_rows(named=True)
    ] + _more(wrong.height, FLOWS)


def _more(count: int, name: str) -> list[str]:
    return [f"{name}: and {count - SHOWN} more mismatching row(s)"] if count > SHOWN else []


def _first_keys(frame: pl.DataFrame) -> str:
    row = frame.row(0, named=True)
    return f"replication {row['replication']}, {row['gemeente']} {row['klantgroep']}"


def _ranges(values: list[int]) -> str:
    if not values:
        return "none"
    return f"{values[0]} to {values[-1]} ({len(values)} in all, {len(set(values))} distinct)"
