"""Observed caseload (historie): a CSV with columns `datum,gemeente,aantal`.

`gemeente` is one of the scenario's gemeenten or `totaal`; `aantal` counts benefits at 00:00 on
`datum`. The history is shown next to the forecast; it does not drive the simulation.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from simbijstand.errors import InputDataError

COLUMNS = ("datum", "gemeente", "aantal")


def read_history_csv(path: Path, gemeenten: list[str]) -> pl.DataFrame:
    """Rows `date, gemeente, count`, checked; every problem names the file and the row."""
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except FileNotFoundError:
        raise InputDataError(f"{path}: file not found") from None
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: cannot read as CSV ({exc})") from None
    if list(raw.columns) != list(COLUMNS):
        raise InputDataError(
            f"{path}: columns are {', '.join(raw.columns)}; expected {', '.join(COLUMNS)}"
        )
    allowed = [*gemeenten, "totaal"]
    rows = [_row(path, number, row, allowed) for number, row in enumerate(raw.iter_rows(), start=2)]
    frame = pl.DataFrame(
        rows, schema={"date": pl.Date, "gemeente": pl.String, "count": pl.Int64}, orient="row"
    )
    duplicated = frame.filter(frame.select("date", "gemeente").is_duplicated())
    if duplicated.height:
        first = duplicated.row(0, named=True)
        raise InputDataError(
            f"{path}: {first['gemeente']} on {first['date']} appears more than once"
        )
    return frame.sort("gemeente", "date")


def _row(path: Path, number: int, row: tuple[str | None, ...], allowed: list[str]) -> tuple:
    datum, gemeente, aantal = row
    try:
        day = dt.date.fromisoformat(datum or "")
    except ValueError:
        raise InputDataError(
            f"{path}, row {number}: datum = {datum!r}; expected a date such as 2020-07-01"
        ) from None
    if gemeente not in allowed:
        raise InputDataError(
            f"{path}, row {number}: gemeente {gemeente!r} is not in the scenario; "
            f"allowed: {', '.join(allowed)}"
        )
    try:
        count = int(aantal or "")
    except ValueError:
        count = -1
    if count < 0:
        raise InputDataError(
            f"{path}, row {number}: aantal = {aantal!r}; expected a whole number >= 0"
        )
    return day, gemeente, count
