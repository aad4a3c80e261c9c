"""Ages of clients, and the moment each reaches the state pension (AOW) age.

A klantgroep's `leeftijd` gives the shares of age bands; a case's age at arrival is drawn from
them (uniform within the band). With a scenario's [aow] table a case leaves by the AOW route on
the first day its age reaches the AOW age that applies in that year (the shipped ages of
`scenario/regels.toml` with the scenario's years on top, see `scenario.rules`); ages in the top
band are then kept below the AOW age of the arrival year, so nobody arrives already retired.
Ages count months of 365.25 / 12 days, so an AOW moment can be a day or two from the calendar
birthday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from simbijstand.domain.dated import DatedValue
from simbijstand.engine.arrays import Floats, Ints
from simbijstand.engine.layout import CellLayout
from simbijstand.scenario import Scenario
from simbijstand.scenario.checks_policy import needs_ages
from simbijstand.scenario.rules import aow_age_months


@dataclass(frozen=True, slots=True)
class AgeModel:
    low: np.ndarray  # lower edge of each age band, years [C, A] (nan where a cell has fewer)
    high: np.ndarray  # upper edge [C, A]
    shares: np.ndarray  # [C, A], rows sum to 1
    aow_months: DatedValue[int] | None  # AOW age in months by year (None: no AOW model)
    aow_route: int  # index of the AOW exit route, -1 without an AOW model
    start: dt.date

    def aow_age_years(self, year: int) -> float:
        return self._months_in(year) / 12

    def _months_in(self, year: int) -> int:
        if self.aow_months is None:
            raise ValueError("no AOW age: the scenario has no [aow] table")
        return self.aow_months.at(dt.date(year, 1, 1))


def compile_ages(scenario: Scenario, layout: CellLayout) -> AgeModel | None:
    """Ages when the scenario uses them (AOW by age, or a measure selecting by age)."""
    groups = [layout.group(c).leeftijd for c in range(layout.size)]
    if all(g is None for g in groups) or not needs_ages(scenario.spec):
        return None
    width = max(len(g or {}) for g in groups)
    low, high = np.full((layout.size, width), np.nan), np.full((layout.size, width), np.nan)
    shares = np.zeros((layout.size, width))
    for cell, bands in enumerate(groups):
        for a, (band, share) in enumerate((bands or {"18-67": 1.0}).items()):
            low[cell, a], high[cell, a] = (float(x) for x in band.split("-"))
            shares[cell, a] = share
    aow = scenario.spec.aow
    return AgeModel(
        low=low,
        high=high,
        shares=shares / shares.sum(axis=1, keepdims=True),
        aow_months=aow_age_months(aow) if aow else None,
        aow_route=layout.routes.index(aow.route) if aow else -1,
        start=scenario.start,
    )


def birth_moments(
    ages: AgeModel, cell: Ints, arrival: Floats, u_band: Floats, u_age: Floats
) -> Floats:
    """Birth moments (days since the run's start) of cases arriving at `arrival`."""
    band = np.zeros(len(cell), dtype=np.int64)
    for c in np.unique(cell):
        these = np.flatnonzero(cell == c)
        cumulative = np.cumsum(ages.shares[c])
        band[these] = np.minimum(
            np.searchsorted(cumulative, u_band[these] * cumulative[-1], side="right"),
            len(cumulative) - 1,
        )
    low, high = ages.low[cell, band], ages.high[cell, band]
    if ages.aow_months is not None:
        origin = np.datetime64(ages.start, "D")
        year = (origin + np.floor(arrival).astype("timedelta64[D]")).astype("datetime64[Y]").astype(
            int
        ) + 1970
        years, which = np.unique(year, return_inverse=True)
        aow_age = np.array([ages.aow_age_years(int(y)) for y in years])
        ceiling = aow_age[which] - 1 / DAYS_PER_YEAR
        high = np.maximum(np.minimum(high, ceiling), low)
    age_years = low + u_age * (high - low)
    births: Floats = arrival - age_years * DAYS_PER_YEAR
    return births


def aow_moments(ages: AgeModel, birth: np.ndarray, horizon_days: float) -> np.ndarray:
    """Days since the start at which each case reaches its AOW age (inf beyond the horizon):
    the first moment its age reaches the AOW age of the year that moment falls in."""
    if ages.aow_months is None:
        return np.full(len(birth), np.inf)
    moment = np.full(len(birth), np.inf)
    last_year = (ages.start + dt.timedelta(days=horizon_days)).year
    for year in range(ages.start.year - 1, last_year + 1):
        first = (dt.date(year, 1, 1) - ages.start).days
        after = (dt.date(year + 1, 1, 1) - ages.start).days
        reached = birth + ages._months_in(year) * DAYS_PER_MONTH
        candidate = np.maximum(reached, first)
        moment = np.where(reached < after, np.minimum(moment, candidate), moment)
    return np.where(moment < horizon_days, np.maximum(moment, 0.0), np.inf)
