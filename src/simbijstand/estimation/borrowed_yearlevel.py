"""The year-level deviation a calibration borrows from the pooled calibration of all gemeenten.

A gemeente calibrated on a few years of its own counts knows its rates, but not how far a
year can run from them: chance and parameter uncertainty alone give a band a fraction of the
width its years really scatter by. The pooled calibration learned that scatter across ~390
gemeenten (`pooled.ownvariance`: the own part v(S) of the end stock after a year, by size; the
national part, relative to the stock squared, shared by all gemeenten in a year) and keeps it in
its record (`pooled.record`). `[jaarafwijking] pool` in a calibration config takes it from there
for each gemeente, as `simbijstand init` does for a new one: one mechanism for both.

The stock variance is turned into the variance of a factor 1 + z on the year's inflow, as the
pooled parameter files do (`pooled.yearlevel.level_factor_variance`), but with the gemeente's
own hazards, duration bands included: dS/dz is the number of the year's new cases still on
benefit after twelve months (`meanfield`, from an empty state). v(S) was fitted in CBS persons;
a caseload of benefits is converted with the record's persons per benefit. Both parts are
`verdeling = "normaal"` blocks, which add into one factor (mean and median stay the fitted
rates'): the own one unshared, the national one shared by every gemeente of a run
(`gedeeld = "landelijk"`, one draw per replication).

A record made from data after the calibration window's end is refused: a backtest from an
earlier origin may not borrow it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simbijstand.estimation.aggregate.meanfield import GroupRates, MonthOperator
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.pooled.record import PoolRecord, record_from_data
from simbijstand.estimation.pooled.yearlevel import MAX_FACTOR_VARIANCE, NATIONAL

INFLOW_KEY = "instroom.per_jaar"
MONTHS = 12  # v(S) is the scatter of a year's end stock


@dataclass(frozen=True, slots=True)
class BorrowedYearLevel:
    record: PoolRecord
    path: Path

    def factor_variances(
        self, rates: GroupRates, inflow_per_year: float, benefits: float
    ) -> tuple[float, float]:
        """(own, national) variances of the inflow factor of a gemeente with `rates`,
        `inflow_per_year` and `benefits` cases at the origin (module docstring)."""
        persons = benefits * self.record.persons_per_benefit
        if persons <= 0 or inflow_per_year <= 0:
            return 0.0, 0.0
        own = float(self.record.own_variance.variance(persons)) / persons**2
        common = self.record.common_variance
        slope = entrants_left(rates, inflow_per_year) / benefits  # relative, per unit of z
        total = min((own + common) / slope**2, MAX_FACTOR_VARIANCE)
        return total * own / (own + common), total * common / (own + common)


def entrants_left(rates: GroupRates, inflow_per_year: float, months: int = MONTHS) -> float:
    """Expected number of the new cases of `months` months still on benefit at their end."""
    operator = MonthOperator(rates)
    state = np.zeros((rates.cells, rates.groups))
    for _ in range(months):
        state = operator.step(state, inflow_per_year / 12).state
    return float(state.sum())


def read_borrowed(path: Path, window_end: dt.date) -> BorrowedYearLevel:
    """The pooled record at `path`, refused when made from data after `window_end`."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise EstimationError(f"[jaarafwijking] pool: cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise EstimationError(f"[jaarafwijking] pool: {path} is not valid TOML: {exc}") from None
    record = record_from_data(data, str(path))
    if record.origin > window_end:
        raise EstimationError(
            f"[jaarafwijking] pool: {path} is fitted on data up to {record.origin}, after this "
            f"calibration's window ends ({window_end}); a forecast from {window_end} may not "
            "borrow from later data"
        )
    return BorrowedYearLevel(record, path)


def year_level_blocks(own: float, national: float, source: str) -> list[dict[str, Any]]:
    """The [[onzekerheid]] blocks of the year-level deviation: the own part unshared, the
    national part shared by every gemeente of a run; both a factor 1 + z on the year's inflow."""
    return [
        {
            "verdeling": "normaal",
            "sleutels": [INFLOW_KEY],
            "covariantie": [[own]],
            "bron": f"eigen deel van de afwijking op jaarniveau ({source})",
        },
        {
            "verdeling": "normaal",
            "gedeeld": NATIONAL,
            "sleutels": [INFLOW_KEY],
            "covariantie": [[national]],
            "bron": "landelijk deel van de afwijking op jaarniveau: één trekking per replicatie "
            f"voor alle gemeenten samen ({source})",
        },
    ]
