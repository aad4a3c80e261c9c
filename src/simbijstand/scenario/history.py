"""Observed caseload (historie): a CSV with columns `datum,gemeente,aantal`.

`gemeente` is one of the scenario's gemeenten or `totaal`; `aantal` counts benefits at 00:00 on
`datum`. The history is shown next to the forecast; it does not drive the simulation.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from simbijstand.errors import InputDataError
from simbijstand.scenario import csv_input

COLUMNS = ("datum", "gemeente", "aantal")
TOTAL = "totaal"


def read_history_csv(path: Path, gemeenten: list[str]) -> pl.DataFrame:
    """Rows `date, gemeente, count`, checked; every problem names the file and the row."""
    raw = csv_input.read_text_table(path)
    csv_input.check_columns(path, raw, COLUMNS)
    csv_input.require_values(path, raw, COLUMNS)
    allowed = [*gemeenten, TOTAL]
    csv_input.refuse(
        path,
        csv_input.number_rows(raw),
        ~pl.col("gemeente").is_in(allowed),
        lambda row: (
            f"gemeente {row['gemeente']!r} is not in the scenario; allowed: {', '.join(allowed)}"
        ),
    )
    frame = pl.DataFrame(
        {
            "date": csv_input.parse_dates(path, raw, "datum"),
            "gemeente": raw["gemeente"],
            "count": csv_input.parse_counts(path, raw, "aantal"),
        }
    )
    duplicated = frame.filter(frame.select("date", "gemeente").is_duplicated())
    if duplicated.height:
        first = duplicated.row(0, named=True)
        raise InputDataError(
            f"{path}: {first['gemeente']} on {first['date']} appears more than once"
        )
    return frame.sort("gemeente", "date")
