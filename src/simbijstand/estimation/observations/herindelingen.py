"""Herindelingen: gemeenten merged or renamed between two years of the CBS per-gemeente tables.

A CBS code belongs to one year's boundaries. A merger gives a new code (Bussum, Muiden and
Naarden became Gooise Meren) or keeps one code with new boundaries (Edam-Volendam took in
Zeevang): chaining the code across it compares different areas. The table of herindelingen
(`datum, code_oud, gemeente_oud, code_nieuw, gemeente_nieuw, soort`) lists every predecessor of
a changed gemeente, including the one that keeps its code; a year's rows are converted to the
next year's boundaries by summing the predecessors (whole gemeenten, so the sum is exact up to
the rounding of each part). A code that appears or disappears without a row is an error.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from simbijstand.errors import InputDataError
from simbijstand.estimation.observations.cbs_gemeenten import CODE, GemeenteJaar
from simbijstand.scenario import csv_input

COLUMNS = ("datum", "code_oud", "gemeente_oud", "code_nieuw", "gemeente_nieuw", "soort")
KINDS = ("samenvoeging", "naamswijziging")


@dataclass(frozen=True, slots=True)
class Herindeling:
    datum: dt.date  # the day the new boundaries take effect (1 January)
    code_oud: str
    gemeente_oud: str
    code_nieuw: str
    gemeente_nieuw: str
    soort: str


def read_herindelingen(path: Path) -> list[Herindeling]:
    frame = csv_input.read_text_table(path)
    csv_input.check_columns(path, frame, COLUMNS)
    csv_input.require_values(path, frame, COLUMNS)
    dates = csv_input.parse_dates(path, frame, "datum")
    frame = csv_input.number_rows(frame.with_columns(dates))
    for column in ("code_oud", "code_nieuw"):
        csv_input.refuse(
            path,
            frame,
            ~pl.col(column).str.contains(CODE),
            lambda row, c=column: f"{c} {row[c]!r} is not a CBS code (GM and four digits)",
        )
    csv_input.refuse(
        path,
        frame,
        ~pl.col("soort").is_in(KINDS),
        lambda row: f"soort {row['soort']!r}; allowed: {', '.join(KINDS)}",
    )
    return [Herindeling(**{c: r[c] for c in COLUMNS}) for r in frame.iter_rows(named=True)]


def on_boundaries_of(
    earlier: list[GemeenteJaar], later: list[GemeenteJaar], changes: list[Herindeling]
) -> dict[str, GemeenteJaar]:
    """The earlier year's rows on the later year's boundaries, by the later year's code.

    Raises when a code of one year is missing in the other without a herindeling to explain it.
    """
    year = later[0].jaar
    effective = [c for c in changes if earlier[0].jaar < c.datum.year <= year]
    successor = {c.code_oud: c.code_nieuw for c in effective}
    names = {r.code: r.gemeente for r in later}
    _check_explained(earlier, names, successor, year)
    parts: dict[str, list[GemeenteJaar]] = defaultdict(list)
    for row in earlier:
        parts[successor.get(row.code, row.code)].append(row)
    return {code: _summed(parts[code], code, names[code]) for code in names if code in parts}


def _check_explained(
    earlier: list[GemeenteJaar], names: dict[str, str], successor: dict[str, str], year: int
) -> None:
    before = {r.code for r in earlier}
    gone = sorted(before - set(names) - set(successor))
    new = sorted(set(names) - before - set(successor.values()))
    wrong = sorted(c for c, n in successor.items() if c in before and n not in names)
    for codes, what in ((gone, "is not in"), (new, "is new in")):
        if codes:
            raise InputDataError(
                f"gemeentecode {', '.join(codes)} {what} {year} and no herindeling explains it; "
                "add its row (datum, code_oud, gemeente_oud, code_nieuw, gemeente_nieuw, soort) "
                "to the herindelingen file: a code is not chained across a boundary change"
            )
    if wrong:
        raise InputDataError(
            f"herindeling of {', '.join(wrong)} names a code_nieuw that is not in {year}"
        )


def _summed(rows: list[GemeenteJaar], code: str, name: str) -> GemeenteJaar:
    """Whole predecessors summed; a value CBS did not give for one part is unknown for all."""

    def total(field: str) -> int | None:
        values = [getattr(r, field) for r in rows]
        return None if any(v is None for v in values) else sum(values)

    return replace(
        rows[0],
        gemeente=name,
        code=code,
        inwoners=total("inwoners"),
        bestand=total("bestand"),
        instroom=total("instroom"),
        uitstroom=total("uitstroom"),
        uitstroom_naar_werk=total("uitstroom_naar_werk"),
        delen=sum(r.delen for r in rows),
    )
