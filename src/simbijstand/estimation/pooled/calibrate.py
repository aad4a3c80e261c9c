"""Calibrating every gemeente at once, on all data up to an origin (a 1 January).

The last year before the origin gives each gemeente's rates (its own data shrunk toward the
pool, `fit`), the uncounted exits (from its start and end stocks) and the gemeenten's start
counts; the year before it, forecast for that last year, gives the own year-level variance
(`crossfit.own_variance`, the spread around the common shift, its form chosen out of sample
over those gemeenten); the national series up to the
origin gives the common one (`yearlevel.common_variance`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.pooled import Floats
from simbijstand.estimation.pooled.crossfit import own_variance
from simbijstand.estimation.pooled.fit import GemeenteRates, Pool, fit_pool
from simbijstand.estimation.pooled.national import last_growth, year_end_stocks
from simbijstand.estimation.pooled.ownvariance import OwnVarianceFit
from simbijstand.estimation.pooled.panel import read_years
from simbijstand.estimation.pooled.rates import uncounted_from_growth, uncounted_from_stocks
from simbijstand.estimation.pooled.yearlevel import LevelParts, common_variance, level_parts


@dataclass(frozen=True, slots=True)
class PooledCalibration:
    origin: dt.date
    pool: Pool
    rates: GemeenteRates
    own_variance: OwnVarianceFit  # v(S), of the end stock, and how its form was chosen
    common_variance: float  # relative to the start stock squared
    level: LevelParts  # per gemeente, of the log factors on the year's inflow (own, national)

    @property
    def level_variance(self) -> Floats:
        """Per gemeente, the variance of both inflow factors together."""
        return self.level.total


def calibrate_gemeenten(
    data: Path, herindelingen: Path, national: Path, origin: dt.date, leeftijd_code: int = 90100
) -> PooledCalibration:
    years = read_years(data, herindelingen, leeftijd_code)
    last, before = origin.year - 1, origin.year - 2
    if last not in years or before not in years:
        raise EstimationError(
            f"{data}: a pooled calibration with origin {origin} needs the years {before} and "
            f"{last}; the file has {', '.join(map(str, sorted(years)))}"
        )
    if max(years) > last:
        years = {j: y for j, y in years.items() if j <= last}  # nothing after the origin
    stocks = year_end_stocks(national, origin)
    year = years[last]
    uncounted = uncounted_from_stocks(year)
    pool = fit_pool(year, uncounted)
    rates = pool.apply(year)
    earlier = years[before]
    earlier_uncounted = uncounted_from_growth(earlier, last_growth(stocks[:-1]))
    own = own_variance(fit_pool(earlier, earlier_uncounted).apply(earlier), year.stock)
    common = common_variance(stocks)
    level = level_parts(own.model, common, rates, year.stock)
    return PooledCalibration(origin, pool, rates, own, common, level)
