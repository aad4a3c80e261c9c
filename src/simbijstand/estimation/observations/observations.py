"""Observations: the counts in the data files, as the estimators use them.

Each [[reeks]] of a calibration config is read with its checked reader (`series`) and turned into
stocks at dates, flow counts over periods, group sizes at a date, and applications. Each
observation remembers its file and row, so residuals and errors can name them.

Dates follow the engine: a stock on a date is the count at 00:00 that day; a flow over [start,
end) counts events from the first day of `start`'s month up to (not including) `end`. Both must
fall on first days of months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from simbijstand.estimation.errors import EstimationError


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an observation comes from: the reeks, its file and row (header = row 1)."""

    reeks: str
    file: Path
    row: int | None = None

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}" if self.row is not None else str(self.file)


@dataclass(frozen=True, slots=True)
class Stock:
    origin: Origin
    gemeente: str
    groups: tuple[str, ...]  # the klantgroepen the count covers
    date: dt.date
    count: float
    target_only: bool = False  # a backtest target, not an observation to fit


@dataclass(frozen=True, slots=True)
class Flow:
    origin: Origin
    gemeenten: tuple[str, ...]  # summed over these gemeenten
    kind: Literal["instroom", "uitstroom"]
    groups: tuple[str, ...]  # the klantgroepen counted (by default every BUIG group)
    routes: tuple[str, ...] | None  # uitstroom only; None: every route
    start: dt.date
    end: dt.date
    count: float


@dataclass(frozen=True, slots=True)
class GroupSizes:
    origin: Origin
    gemeente: str
    date: dt.date
    counts: dict[str, float]


@dataclass(frozen=True, slots=True)
class Applications:
    """Applications (aanvragen) in a period; granted ones when the file says (else None)."""

    origin: Origin
    gemeenten: tuple[str, ...]
    start: dt.date
    end: dt.date
    aanvragen: int
    toekenningen: int | None


@dataclass(frozen=True, slots=True)
class Observations:
    stocks: tuple[Stock, ...] = ()
    flows: tuple[Flow, ...] = ()
    sizes: tuple[GroupSizes, ...] = ()
    applications: tuple[Applications, ...] = ()
    notes: tuple[str, ...] = field(default=())  # what was read but not used, and why

    def __add__(self, other: Observations) -> Observations:
        return Observations(
            self.stocks + other.stocks,
            self.flows + other.flows,
            self.sizes + other.sizes,
            self.applications + other.applications,
            self.notes + other.notes,
        )

    def within(self, van: dt.date, tot: dt.date) -> Observations:
        """Stocks dated van..tot (both included: the state at tot is known at tot), flows and
        applications inside [van, tot); what falls outside is counted in the notes."""
        stocks = tuple(s for s in self.stocks if van <= s.date <= tot)
        flows = tuple(f for f in self.flows if van <= f.start and f.end <= tot)
        apps = tuple(a for a in self.applications if van <= a.start and a.end <= tot)
        outside = (
            len(self.stocks)
            - len(stocks)
            + len(self.flows)
            - len(flows)
            + len(self.applications)
            - len(apps)
        )
        notes = self.notes
        if outside:
            notes += (f"{outside} waarneming(en) buiten het venster {van} tot {tot} niet gebruikt",)
        return Observations(stocks, flows, self.sizes, apps, notes)

    def fit_stocks(self) -> tuple[Stock, ...]:
        return tuple(s for s in self.stocks if not s.target_only)


def month_start(origin: Origin, name: str, day: dt.date) -> dt.date:
    if day.day != 1:
        raise EstimationError(
            f"{origin}: {name} {day} is not the first day of a month; calibration counts whole "
            "months (a stock at 00:00 on the 1st, flows from the 1st to the 1st)"
        )
    return day


def day_after_month_end(origin: Origin, name: str, day: dt.date) -> dt.date:
    """A period's last day (inclusive) as the first day of the next month."""
    following = day + dt.timedelta(days=1)
    if following.day != 1:
        raise EstimationError(
            f"{origin}: {name} {day} is not the last day of a month; periods must cover whole "
            "months"
        )
    return following
