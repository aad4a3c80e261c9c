"""The caseload at the start date: counts per klantgroep (and duration band), or known cases.

Counts come inline from the scenario or from a CSV with columns `klantgroep,aantal` and an
optional `duur_vanaf_maanden` (the lower edge of one of the parameter file's duration bands).
Known cases come from replaying an event log (see `simbijstand.store.replay`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from simbijstand.errors import InputDataError


@dataclass(frozen=True, slots=True)
class InitialCounts:
    """Number of cases per (klantgroep, duration band index or None when unknown)."""

    counts: dict[tuple[str, int | None], int]


@dataclass(frozen=True, slots=True)
class InitialCases:
    """Individual cases alive at the start date, with the moment their benefit began."""

    klantgroep: tuple[str, ...]
    benefit_start_us: tuple[int, ...]  # microseconds since 1970-01-01, as in the event log


InitialState = InitialCounts | InitialCases

REQUIRED_COLUMNS = ("klantgroep", "aantal")
OPTIONAL_COLUMNS = ("duur_vanaf_maanden",)


def counts_from_table(aantallen: dict[str, int]) -> InitialCounts:
    return InitialCounts({(group, None): count for group, count in aantallen.items()})


def read_counts_csv(path: Path, bands: list[float], groups: set[str]) -> InitialCounts:
    """Read a CSV of initial counts; every problem names the file and the row."""
    frame = _read_csv(path)
    _check_columns(path, frame.columns)
    counts: dict[tuple[str, int | None], int] = {}
    has_band = "duur_vanaf_maanden" in frame.columns
    for row_number, row in enumerate(frame.iter_rows(named=True), start=2):
        group = _group(path, row_number, row["klantgroep"], groups)
        band = _band(path, row_number, row["duur_vanaf_maanden"], bands) if has_band else None
        key = (group, band)
        if key in counts:
            raise InputDataError(f"{path}, row {row_number}: {key} appears twice")
        counts[key] = _count(path, row_number, row["aantal"])
    return InitialCounts(counts)


def _read_csv(path: Path) -> pl.DataFrame:
    try:
        return pl.read_csv(path, infer_schema=False)
    except FileNotFoundError:
        raise InputDataError(f"{path}: file not found") from None
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: cannot read as CSV ({exc})") from None


def _check_columns(path: Path, columns: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputDataError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(REQUIRED_COLUMNS)} and optionally {', '.join(OPTIONAL_COLUMNS)}"
        )
    extra = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if extra:
        raise InputDataError(f"{path}: unknown column(s) {', '.join(extra)}")


def _group(path: Path, row: int, value: str | None, groups: set[str]) -> str:
    if value not in groups:
        raise InputDataError(
            f"{path}, row {row}: klantgroep {value!r} is not in the parameter file; "
            f"known: {', '.join(sorted(groups))}"
        )
    return value


def _band(path: Path, row: int, value: str | None, bands: list[float]) -> int:
    try:
        months = float(value) if value is not None else float("nan")
    except ValueError:
        months = float("nan")
    if months not in bands:
        raise InputDataError(
            f"{path}, row {row}: duur_vanaf_maanden = {value!r}; expected the lower edge of a "
            f"duration band: {', '.join(f'{b:g}' for b in bands)}"
        )
    return bands.index(months)


def _count(path: Path, row: int, value: str | None) -> int:
    try:
        count = int(value) if value is not None else -1
    except ValueError:
        count = -1
    if count < 0:
        raise InputDataError(f"{path}, row {row}: aantal = {value!r}; expected a whole number >= 0")
    return count
