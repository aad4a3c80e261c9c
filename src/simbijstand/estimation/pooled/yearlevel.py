"""What remains from year to year: the variance a run must draw beyond chance and estimation.

A gemeente's stock after a year, given its rates, varies by chance (binomial survival of the
start stock, Poisson inflow), by the estimation error of its rates, by CBS rounding of the
start and of the figure it is scored on, and by a year-level deviation: this year's rates are
not last year's. That deviation, relative to the start stock, has two parts:

- common to all gemeenten (the national economy): its variance is the mean square error of a
  drift forecast of the national stock's yearly log growth, from the national monthly series
  up to the origin (`common_variance`);
- the gemeente's own (`ownvariance`): maximum likelihood over gemeenten of
  r_g ~ N(c S_g, base_g + v(S_g)), r_g = observed - expected end stock of a year forecast
  from the year before, base_g the chance, estimation and rounding variance (`chance_variance`),
  v a function of the start stock whose form (one relative variance for every size, or one
  that shrinks with size) is chosen by held-out predictive density. c, the year's common
  shift, is profiled out: only the spread around it is learned, never its level.

A run draws the deviation as a factor 1 + z on the year's inflow, z normal with mean 0
(`verdeling = "normaal"` in the parameter file's [[onzekerheid]], `level_factor_variance`):
this year's rate differs from last year's by an unknown share, centred on it. The stock after a
year is linear in that factor, so its deviation is normal like the residuals it was fitted on,
with mean and median at the expected stock; a lognormal factor of the same spread keeps only
one of the two (median 1: the mean caseload rises; mean 1: the median falls). The two parts
(`LevelParts`) add, as in the fit: the own part in an unshared block, the national part in a
block shared by every gemeente (`gedeeld = NATIONAL`), so within a replication all gemeenten
have the same national year and the national total's band is that of a sum with one common
shock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.pooled import Floats
from simbijstand.estimation.pooled.fit import GemeenteRates, expected_stock
from simbijstand.estimation.pooled.ownvariance import OwnVariance, Residuals

# a factor with sd 1 is already cut at zero one replication in six: beyond it the stock of a
# gemeente with hardly any inflow would be explained by absurd inflow
MAX_FACTOR_VARIANCE = 1.0
# the shared component of the parameter files that carries the national part
NATIONAL = "landelijk"


@dataclass(frozen=True, slots=True)
class LevelParts:
    """Per gemeente, the log variance of the year's inflow factor (`total`, capped at
    MAX_FACTOR_VARIANCE) and the national part's share of it (per gemeente: the own part's
    relative size depends on the gemeente's size); the own part is the rest. A cap scales both
    parts alike, so own + national is the total a single factor had."""

    total: Floats
    national_share: Floats

    @property
    def own(self) -> Floats:
        own: Floats = self.total * (1 - self.national_share)
        return own

    @property
    def national(self) -> Floats:
        national: Floats = self.total * self.national_share
        return national


def chance_variance(rates: GemeenteRates, start: Floats, start_rounding: Floats) -> Floats:
    """Variance of the end-of-year stock from chance, estimation error and CBS rounding."""
    inflow, hazard = rates.inflow_per_year, rates.hazard
    survive = np.exp(-hazard)
    chance = start * survive * (1 - survive) + inflow * (1 - survive) / hazard
    d_inflow = inflow * (1 - survive) / hazard  # dS/dlog(lambda)
    step = 1e-4
    shifted = rates.counted_hazard * np.exp(step) + rates.uncounted
    d_exit = (expected_stock(start, inflow, shifted) - expected_stock(start, inflow, hazard)) / step
    estimation = d_inflow**2 * rates.inflow_log_variance + d_exit**2 * rates.exit_log_variance
    return chance + estimation + start_rounding + rates.year.rounding_variance


def common_variance(year_end_stocks: Floats) -> float:
    """Mean square error of a drift forecast of yearly log growth (at least three years)."""
    growth = np.diff(np.log(year_end_stocks))
    if len(growth) < 3:
        raise EstimationError("common year-level variance: needs four or more year-end stocks")
    return float(np.mean(np.diff(growth) ** 2))


def residuals(rates: GemeenteRates, observed: Floats) -> Residuals:
    """A year forecast with `rates` against the stocks observed at its end (module docstring)."""
    year = rates.year
    expected = expected_stock(year.stock, rates.inflow_per_year, rates.hazard)
    base = chance_variance(rates, year.stock, year.rounding_variance)
    return Residuals(observed - expected, base, year.stock)


def level_parts(own: OwnVariance, common: float, rates: GemeenteRates, start: Floats) -> LevelParts:
    """The own (v(S)) and common (common x S^2) year-level variances of the end stock as the
    variances of two parts of the inflow factor (`level_factor_variance` of their sum, split
    in their proportion per gemeente)."""
    own_part, common_part = own.variance(start), common * start**2
    both = own_part + common_part
    share = np.divide(common_part, both, out=np.zeros_like(both), where=both > 0)
    return LevelParts(level_factor_variance(both, rates), share)


def level_factor_variance(variance: Floats, rates: GemeenteRates) -> Floats:
    """Variance of a factor 1 + z on the year's inflow that gives the stock after twelve months
    the variance `variance`: dS/dz = lambda (1 - e^(-H)) / H, the year's entrants still there."""
    hazard = rates.hazard
    slope = rates.inflow_per_year * (1 - np.exp(-hazard)) / hazard
    return np.minimum(variance / np.maximum(slope, 1e-9) ** 2, MAX_FACTOR_VARIANCE)
