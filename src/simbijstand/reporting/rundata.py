"""A run directory as the reports read it: the manifest and the output tables.

Reports are always made from the files on disk, also during a run, so a report made again later
with `simbijstand report` shows exactly the same numbers as the one the run wrote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from simbijstand.errors import RunDirectoryError
from simbijstand.store.manifest import read_manifest
from simbijstand.store.rundir import FINANCE, FINANCE_SUMMARY, FLOWS, HISTORY, SUMMARY, TRAJECTEN


@dataclass(frozen=True, slots=True)
class RunData:
    """What a report needs of one run; optional tables are None when the run has none."""

    run_dir: Path
    manifest: dict[str, Any]
    summary: pl.DataFrame
    flow_totals: pl.DataFrame  # flows.parquet summed over replications (reports show means)
    finance: pl.DataFrame
    history: pl.DataFrame | None
    measures: pl.DataFrame | None  # trajecten.parquet, with measures
    finance_notes: pl.DataFrame | None = None  # gemeente, year, note (non-empty notes only)

    @property
    def name(self) -> str:
        return str(self.manifest["scenario"]["name"])

    @property
    def description(self) -> str:
        return str(self.manifest["scenario"].get("description") or "")

    @property
    def replications(self) -> int:
        return int(self.manifest["replications"])

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.manifest["horizon"]["start"])

    @property
    def end(self) -> dt.date:
        return dt.date.fromisoformat(self.manifest["horizon"]["end"])

    @property
    def gemeenten(self) -> list[str]:
        return list(self.manifest["gemeenten"])

    @property
    def buig_groups(self) -> set[tuple[str, str]]:
        """(gemeente, klantgroep) pairs whose benefits are BUIG benefits."""
        return {
            (k["gemeente"], k["klantgroep"]) for k in self.manifest["klantgroepen"] if k["buig"]
        }


def load_run(run_dir: Path, manifest: dict[str, Any] | None = None) -> RunData:
    """Read a run directory. Without `manifest` the run must be complete (have manifest.json);
    the run pipeline passes the manifest it is about to write."""
    if manifest is None:
        manifest = read_manifest(run_dir)
    return RunData(
        run_dir=run_dir,
        manifest=manifest,
        summary=_read(run_dir / SUMMARY),
        flow_totals=_flow_totals(run_dir / FLOWS),
        finance=_read(run_dir / FINANCE),
        history=_read_optional(run_dir / HISTORY),
        measures=_read_optional(run_dir / TRAJECTEN),
        finance_notes=_notes(run_dir / FINANCE_SUMMARY),
    )


def _read(path: Path) -> pl.DataFrame:
    _check_present(path)
    try:
        if path.suffix == ".csv":
            return pl.read_csv(path, try_parse_dates=True)
        return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise RunDirectoryError(f"{path}: unreadable ({exc})") from None


def _flow_totals(path: Path) -> pl.DataFrame:
    """flows.parquet summed over replications, without loading a row per replication (a
    million rows for 1,000 replications of a small gemeente). Sums of integers: exact."""
    _check_present(path)
    try:
        flows = pl.scan_parquet(path)
        keys = [c for c in flows.collect_schema().names() if c not in ("replication", "count")]
        return flows.group_by(keys).agg(pl.col("count").sum()).collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise RunDirectoryError(f"{path}: unreadable ({exc})") from None


def _check_present(path: Path) -> None:
    if not path.is_file():
        raise RunDirectoryError(
            f"{path}: missing; the run directory is incomplete (run the scenario again)"
        )


def _read_optional(path: Path) -> pl.DataFrame | None:
    return _read(path) if path.exists() else None


def _notes(path: Path) -> pl.DataFrame | None:
    summary = _read_optional(path)
    if summary is None or "note" not in summary.columns:
        return None
    notes = summary.select("gemeente", "year", "note").unique().filter(pl.col("note") != "")
    return notes.sort("gemeente", "year")
