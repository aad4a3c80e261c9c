"""CSV tables a person opens in a spreadsheet: no text cell may start a formula.

Excel and LibreOffice evaluate a cell that starts with `=`, `+`, `-` or `@` (and a tab or
carriage return before one) as a formula, even in a CSV file: `=HYPERLINK(...)` in a name
becomes a live link. Names are checked when a scenario loads, but the writers do not rely on it:
a text cell starting with one of these characters gets a leading apostrophe (OWASP's advice),
which spreadsheets show as text. Numbers are written as they are.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLOAT_PRECISION = 2


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every text cell that would start a formula prefixed with an apostrophe."""
    texts = [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical)]
    starts = "".join(FORMULA_STARTS)
    return frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(f"^[{_escaped(starts)}]"))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in texts
    )


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """Write `frame` as CSV, safe to open in a spreadsheet, amounts to 2 decimals."""
    spreadsheet_safe(frame).write_csv(path, float_precision=FLOAT_PRECISION)


def _escaped(characters: str) -> str:
    # inside a regex character class: a '-' must not form a range
    return (
        characters.replace("\\", "\\\\")
        .replace("-", "\\-")
        .replace("\t", "\\t")
        .replace("\r", "\\r")
    )
