"""Reading small CSV input files strictly: a problem names the file, the row(s), column and value.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from simbijstand.domain.bsn import mask_bsns
from simbijstand.errors import InputDataError

MAX_LISTED_ROWS = 5
FIRST_DATA_ROW = 2
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

Describe = Callable[[dict[str, object]], str]


def read_text_table(path: Path) -> pl.DataFrame:
    """Every column as text, surrounding spaces removed, empty cells as null."""
    try:
        _check_field_counts(path)
        frame = pl.read_csv(path, infer_schema=False)
    except FileNotFoundError:
        raise InputDataError(f"{path}: file not found") from None
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError, csv.Error) as exc:
        reason = mask_bsns(str(exc))  # polars may quote a cell
        raise InputDataError(f"{path}: cannot read as comma-separated UTF-8 ({reason})") from None
    stripped = pl.col(pl.String).str.strip_chars()
    return frame.with_columns(pl.when(stripped != "").then(stripped))


def _check_field_counts(path: Path) -> None:
    """Every row as many fields as the header; polars would silently pad short rows."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        for row in reader:
            if row and len(row) != len(header):
                raise InputDataError(
                    f"{path}, row {reader.line_num}: {len(row)} fields where the header has "
                    f"{len(header)}; check for a missing or extra comma (decimals take a '.', "
                    "and a value with a comma needs quotes)"
                )


def row_numbers(mask: pl.Series) -> list[int]:
    """File row numbers (header = 1) of the rows where `mask` is true."""
    return [int(i) + FIRST_DATA_ROW for i in mask.fill_null(False).arg_true()]


def rows_text(rows: Sequence[int]) -> str:
    """'row 7', 'rows 7 and 9', or 'rows 7, 9, 12, 15, 20 and 30 more'."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = [str(r) for r in rows[:MAX_LISTED_ROWS]]
    more = len(rows) - MAX_LISTED_ROWS
    if more > 0:
        return f"rows {', '.join(shown)} and {more} more"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def check_columns(
    path: Path, frame: pl.DataFrame, required: Sequence[str], optional: Sequence[str] = ()
) -> None:
    """Refuse missing and unknown columns; an unknown one may hold data we must not import."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        hint = ""
        if len(frame.columns) == 1 and ";" in frame.columns[0]:
            hint = "; the file seems to use ';' as separator: save it as comma-separated CSV"
        raise InputDataError(
            f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(required)}"
            + (f" and optionally {', '.join(optional)}" if optional else "")
            + hint
        )
    unknown = [c for c in frame.columns if c not in (*required, *optional)]
    if unknown:
        raise InputDataError(
            f"{path}: unknown column(s) {mask_bsns(', '.join(unknown))}; allowed: "
            f"{', '.join((*required, *optional))}. Remove the other columns before importing"
        )
    if frame.height == 0:
        raise InputDataError(f"{path}: the file has a header but no rows")


def require_values(path: Path, frame: pl.DataFrame, columns: Sequence[str]) -> None:
    for column in columns:
        rows = row_numbers(frame[column].is_null())
        if rows:
            raise InputDataError(
                f"{path}, {rows_text(rows)}: column {column} is empty; it needs a value"
            )


def parse_dates(path: Path, frame: pl.DataFrame, column: str) -> pl.Series:
    """The column as dates (null stays null); anything that is not YYYY-MM-DD is an error."""
    text = frame[column]
    parsed = text.str.to_date("%Y-%m-%d", strict=False)
    bad = text.is_not_null() & (parsed.is_null() | ~text.str.contains(ISO_DATE))
    _refuse(path, text, bad, column, "is not a date; expected YYYY-MM-DD, e.g. 2018-01-31")
    return parsed


def parse_counts(path: Path, frame: pl.DataFrame, column: str) -> pl.Series:
    """The column as whole numbers >= 0."""
    text = frame[column]
    parsed = text.cast(pl.Int64, strict=False)
    not_whole = text.is_not_null() & parsed.is_null()  # also a number too large for int64
    _refuse(path, text, not_whole, column, "is not a whole number (expected one >= 0)")
    _refuse(path, text, parsed < 0, column, "is negative; expected a whole number >= 0")
    return parsed


def parse_numbers(
    path: Path, frame: pl.DataFrame, column: str, *, maximum: float | None = None
) -> pl.Series:
    """The column as finite numbers >= 0 (and <= `maximum` when given)."""
    text = frame[column]
    parsed = text.cast(pl.Float64, strict=False)
    bad = text.is_not_null() & (parsed.is_null() | ~parsed.is_finite())
    _refuse(path, text, bad, column, "is not a number (use a '.' as decimal separator)")
    _refuse(path, text, parsed < 0, column, "is negative; expected a value >= 0")
    if maximum is not None:
        _refuse(path, text, parsed > maximum, column, f"is above {maximum:g}")
    return parsed


def _refuse(path: Path, text: pl.Series, bad: pl.Series, column: str, problem: str) -> None:
    rows = row_numbers(bad)
    if rows:
        value = text[rows[0] - FIRST_DATA_ROW]
        raise InputDataError(f"{path}, {rows_text(rows)}: column {column} = {value!r} {problem}")


def number_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the file row number as column `rij`, for `refuse`."""
    return frame.with_row_index("rij", offset=FIRST_DATA_ROW)


def refuse(path: Path, frame: pl.DataFrame, condition: pl.Expr, describe: Describe) -> None:
    """Raise for the rows (column `rij`) where `condition` holds, describing the first of them."""
    bad = frame.filter(condition.fill_null(False)).sort("rij")
    if bad.height:
        rows = bad["rij"].to_list()
        # the value a message quotes comes from the file: never show one that could be a BSN
        shown = mask_bsns(describe(bad.row(0, named=True)))
        raise InputDataError(f"{path}, {rows_text(rows)}: {shown}")
