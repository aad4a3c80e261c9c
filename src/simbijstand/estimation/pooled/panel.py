"""The per-gemeente data a pooled fit reads: one year's stocks and flows on one set of boundaries.

`Year` holds arrays aligned by gemeente (the boundaries of the year forecast from); `start`
is the stock at the start of the year where it is known (the previous year's end stock on
these boundaries), None where the data begin with this year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.cbs_gemeenten import (
    GemeenteJaar,
    read_cbs_gemeenten,
)
from simbijstand.estimation.observations.herindelingen import on_boundaries_of, read_herindelingen
from simbijstand.estimation.pooled import Floats


@dataclass(frozen=True, slots=True)
class Year:
    jaar: int
    gemeenten: tuple[str, ...]  # names as CBS writes them in this year
    codes: tuple[str, ...]
    inwoners: Floats
    stock: Floats  # end of the year
    inflow: Floats
    outflow: Floats
    to_work: Floats
    rounding_variance: Floats  # of each count (parts summed after a herindeling)
    start: Floats | None = None  # end of the previous year, same boundaries
    start_rounding_variance: Floats | None = None

    @property
    def start_date(self) -> dt.date:
        return dt.date(self.jaar, 1, 1)

    def subset(self, rows: np.ndarray) -> Year:
        """The gemeenten at `rows` (an index or mask), for cross-fitting."""
        pick = np.arange(len(self.gemeenten))[rows]

        def take(a: Floats | None) -> Floats | None:
            return None if a is None else a[pick]

        return Year(
            self.jaar,
            tuple(self.gemeenten[i] for i in pick),
            tuple(self.codes[i] for i in pick),
            self.inwoners[pick],
            self.stock[pick],
            self.inflow[pick],
            self.outflow[pick],
            self.to_work[pick],
            self.rounding_variance[pick],
            take(self.start),
            take(self.start_rounding_variance),
        )


def read_years(data: Path, herindelingen: Path, leeftijd_code: int) -> dict[int, Year]:
    """Every year of the file on the boundaries of its last year (earlier years converted by
    summing the predecessors of each gemeente); a year after the first has its start stock."""
    rows = read_cbs_gemeenten(data, leeftijd_code)
    changes = read_herindelingen(herindelingen)
    by_year: dict[int, list[GemeenteJaar]] = {}
    for row in rows:
        by_year.setdefault(row.jaar, []).append(row)
    jaren = sorted(by_year)
    converted = {jaren[-1]: by_year[jaren[-1]]}
    for jaar in reversed(jaren[:-1]):
        if jaar + 1 not in by_year:
            raise EstimationError(f"{data}: no rows for {jaar + 1}, between {jaar} and later years")
        # step by step: each year's rows onto the next year's boundaries, up to the last year
        rows_on = by_year[jaar]
        for step in range(jaar + 1, jaren[-1] + 1):
            rows_on = list(on_boundaries_of(rows_on, by_year[step], changes).values())
        converted[jaar] = rows_on
    years: dict[int, Year] = {}
    for jaar in jaren:
        previous = None
        if jaar - 1 in converted:
            previous = {r.code: r for r in converted[jaar - 1]}
        years[jaar] = _year(data, converted[jaar], previous)
    return years


def _year(data: Path, rows: list[GemeenteJaar], previous: dict[str, GemeenteJaar] | None) -> Year:
    rows = sorted(rows, key=lambda r: r.code)
    _require(data, rows, ("inwoners", "bestand", "instroom", "uitstroom", "uitstroom_naar_werk"))
    start = start_var = None
    if previous is not None:
        before = [previous[r.code] for r in rows]
        _require(data, before, ("bestand",))
        start = np.array([float(b.bestand) for b in before])  # type: ignore[arg-type]
        start_var = np.array([b.rounding_variance for b in before])

    def column(name: str) -> Floats:
        return np.array([float(getattr(r, name)) for r in rows])

    return Year(
        jaar=rows[0].jaar,
        gemeenten=tuple(r.gemeente for r in rows),
        codes=tuple(r.code for r in rows),
        inwoners=column("inwoners"),
        stock=column("bestand"),
        inflow=column("instroom"),
        outflow=column("uitstroom"),
        to_work=column("uitstroom_naar_werk"),
        rounding_variance=np.array([r.rounding_variance for r in rows]),
        start=start,
        start_rounding_variance=start_var,
    )


def _require(data: Path, rows: list[GemeenteJaar], fields: tuple[str, ...]) -> None:
    """A pooled fit needs every count of every gemeente: name the first one CBS left out."""
    for row in rows:
        for field in fields:
            if getattr(row, field) is None:
                raise EstimationError(
                    f"{data}: {row.gemeente} ({row.code}) {row.jaar}: {field} is '.' (not "
                    "available); the pooled fit needs it for every gemeente"
                )
