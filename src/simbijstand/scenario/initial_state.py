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
from simbijstand.scenario import csv_input


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
    frame = csv_input.read_text_table(path)
    csv_input.check_columns(path, frame, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    csv_input.require_values(path, frame, frame.columns)
    _refuse_unknown_groups(path, frame, groups)
    counts = csv_input.parse_counts(path, frame, "aantal").to_list()
    if "duur_vanaf_maanden" in frame.columns:
        band_of = _band_indices(path, frame, bands)
    else:
        band_of = [None] * frame.height
    found: dict[tuple[str, int | None], int] = {}
    rows = zip(frame["klantgroep"].to_list(), band_of, counts, strict=True)
    for row, (group, band, count) in enumerate(rows, start=csv_input.FIRST_DATA_ROW):
        if (group, band) in found:
            raise InputDataError(f"{path}, row {row}: {(group, band)} appears twice")
        found[group, band] = count
    return InitialCounts(found)


def _refuse_unknown_groups(path: Path, frame: pl.DataFrame, groups: set[str]) -> None:
    csv_input.refuse(
        path,
        csv_input.number_rows(frame),
        ~pl.col("klantgroep").is_in(sorted(groups)),
        lambda row: (
            f"klantgroep {row['klantgroep']!r} is not in the parameter file; "
            f"known: {', '.join(sorted(groups))}"
        ),
    )


def _band_indices(path: Path, frame: pl.DataFrame, bands: list[float]) -> list[int]:
    """The duration band of each row, from the lower edge of one of the parameter file's bands."""
    months = csv_input.parse_numbers(path, frame, "duur_vanaf_maanden")
    csv_input.refuse(
        path,
        csv_input.number_rows(frame.with_columns(months)),
        ~pl.col("duur_vanaf_maanden").is_in(bands),
        lambda row: (
            f"duur_vanaf_maanden = {row['duur_vanaf_maanden']:g}; expected the lower "
            f"edge of a duration band: {', '.join(f'{b:g}' for b in bands)}"
        ),
    )
    return [bands.index(m) for m in months.to_list()]
