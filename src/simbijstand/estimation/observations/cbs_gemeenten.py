"""CBS 83450NED / 83747NED per gemeente: stock and flows of persons with bijstand, by age group.

One row per gemeente, year and age group (`leeftijd_code`: 20150 all ages 15+, 90100 from 15 to
the state-pension age, 90200 from the state-pension age). Counts are persons, not benefits, and
CBS rounds every count to tens; an empty cell is CBS's '.' (not available). The stock
(`bijstandsontvangers`) is at the end of the year, the flows are the year's. Codes belong to the
year's own boundaries: see `herindelingen` before comparing years. docs/cbs-gemeenten.md
describes the format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from simbijstand.errors import InputDataError
from simbijstand.scenario import csv_input

ROUNDING = 10  # CBS rounds every count to a multiple of ten
ROUNDING_VARIANCE = ROUNDING**2 / 12  # of one rounded count, uniform over +-5
COUNTS = ("inwoners", "bijstandsontvangers", "instroom", "uitstroom", "uitstroom_naar_werk")
SHARES = ("bijstandsdichtheid_per1000", "instroom_pct", "uitstroom_pct", "uitstroom_naar_werk_pct")
TEXT = ("gemeente", "gemeentecode", "jaar", "cbs_tabel", "leeftijd_code", "leeftijd")
COLUMNS = (*TEXT[:6], *COUNTS[:2], SHARES[0], "instroom", SHARES[1], "uitstroom", SHARES[2],
           "uitstroom_naar_werk", SHARES[3])  # fmt: skip
CODE = r"^GM[0-9]{4}$"
AGE_CODES = {20150: "15 jaar of ouder", 90100: "15 jaar tot AOW-leeftijd", 90200: "AOW-leeftijd"}


@dataclass(frozen=True, slots=True)
class GemeenteJaar:
    """One gemeente's year in one age group; None where CBS gives '.'.

    `delen` is the number of CBS rows summed into the values (more than 1 after a boundary
    conversion): each carries its own rounding, so a value's rounding variance is
    delen x ROUNDING_VARIANCE.
    """

    gemeente: str
    code: str
    jaar: int
    inwoners: int | None
    bestand: int | None  # persons with bijstand at the end of the year
    instroom: int | None
    uitstroom: int | None
    uitstroom_naar_werk: int | None
    delen: int = 1

    @property
    def rounding_variance(self) -> float:
        return self.delen * ROUNDING_VARIANCE


def read_cbs_gemeenten(path: Path, leeftijd_code: int = 90100) -> list[GemeenteJaar]:
    """The rows of one age group, checked; every problem names the file, row and column."""
    frame = csv_input.read_text_table(path)
    csv_input.check_columns(path, frame, COLUMNS)
    csv_input.require_values(path, frame, ("gemeente", "gemeentecode", "jaar", "leeftijd_code"))
    frame = csv_input.number_rows(frame)
    _check_codes(path, frame)
    parsed = frame.with_columns(
        [csv_input.parse_counts(path, frame, c) for c in ("jaar", "leeftijd_code", *COUNTS)]
        + [csv_input.parse_numbers(path, frame, c, maximum=1000) for c in SHARES]
    )
    _check_rounding(path, parsed)
    _check_unique(path, parsed)
    chosen = parsed.filter(pl.col("leeftijd_code") == leeftijd_code)
    if chosen.height == 0:
        known = sorted(set(parsed["leeftijd_code"].to_list()))
        raise InputDataError(
            f"{path}: no rows with leeftijd_code {leeftijd_code}; the file has {known} "
            f"({', '.join(f'{k} = {v}' for k, v in AGE_CODES.items())})"
        )
    return [_row(r) for r in chosen.iter_rows(named=True)]


def _row(row: dict[str, object]) -> GemeenteJaar:
    return GemeenteJaar(
        gemeente=str(row["gemeente"]),
        code=str(row["gemeentecode"]),
        jaar=int(row["jaar"]),  # type: ignore[call-overload]
        inwoners=row["inwoners"],  # type: ignore[arg-type]
        bestand=row["bijstandsontvangers"],  # type: ignore[arg-type]
        instroom=row["instroom"],  # type: ignore[arg-type]
        uitstroom=row["uitstroom"],  # type: ignore[arg-type]
        uitstroom_naar_werk=row["uitstroom_naar_werk"],  # type: ignore[arg-type]
    )


def _check_codes(path: Path, frame: pl.DataFrame) -> None:
    csv_input.refuse(
        path,
        frame,
        ~pl.col("gemeentecode").str.contains(CODE),
        lambda row: (
            f"gemeentecode {row['gemeentecode']!r} is not a CBS code; expected GM and "
            "four digits, e.g. GM0363"
        ),
    )


def _check_rounding(path: Path, frame: pl.DataFrame) -> None:
    """A count that is no multiple of ten did not come from these CBS tables (or was edited)."""
    for column in COUNTS:
        csv_input.refuse(
            path,
            frame,
            pl.col(column) % ROUNDING != 0,
            lambda row, c=column: (
                f"column {c} = {row[c]} is not a multiple of {ROUNDING}; CBS "
                "rounds these counts to tens, so the file was changed or is another table"
            ),
        )


def _check_unique(path: Path, frame: pl.DataFrame) -> None:
    keys = ("gemeentecode", "jaar", "leeftijd_code")
    csv_input.refuse(
        path,
        frame,
        pl.struct(keys).is_duplicated(),
        lambda row: (
            f"{row['gemeente']} ({row['gemeentecode']}), jaar {row['jaar']}, "
            f"leeftijd_code {row['leeftijd_code']} appears more than once"
        ),
    )
