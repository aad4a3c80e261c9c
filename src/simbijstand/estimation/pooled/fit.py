"""The pool: inflow per inhabitant and counted exit hazard shrunk toward what gemeenten like it
have, the share of exits to work, and the exits the flows do not count.

`fit_pool` fits on one year of some gemeenten; `Pool.apply` gives the rates of any gemeenten
of that year (those of the fit, or held-out ones when cross-fitting). A gemeente's rates for
the next year are its posterior rates of this year: the variation from year to year is not in
them but in the year-level deviation (`yearlevel`).

Exit to work: the share W/O shrunk toward the national share p as (W + k p) / (O + k), k =
WORK_PRIOR exits (an assumption: it decides only how exits split over routes, not the stock).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbijstand.estimation.pooled import Floats
from simbijstand.estimation.pooled.covariates import centres, choose, covariate_values, design
from simbijstand.estimation.pooled.panel import Year
from simbijstand.estimation.pooled.rates import LogRate, exit_rate, inflow_rate
from simbijstand.estimation.pooled.shrinkage import Shrinkage, fit_shrinkage

WORK_PRIOR = 20.0
FOLDS = 5


@dataclass(frozen=True, slots=True)
class RatePool:
    """One rate's pool: its covariates (chosen out of sample) and their centre, and the fit."""

    covariates: tuple[str, ...]
    centre: dict[str, float]
    shrinkage: Shrinkage


@dataclass(frozen=True, slots=True)
class GemeenteRates:
    """Per gemeente (aligned with the year's gemeenten): posterior rates and how they came."""

    year: Year
    uncounted: float  # a, per person-year
    inflow_log: Floats  # posterior mean of log inflow per inhabitant
    inflow_log_variance: Floats
    inflow_own_weight: Floats
    exit_log: Floats  # posterior mean of log counted exit hazard
    exit_log_variance: Floats
    exit_own_weight: Floats
    work_share: Floats

    @property
    def inflow_per_year(self) -> Floats:
        return np.exp(self.inflow_log) * self.year.inwoners

    @property
    def counted_hazard(self) -> Floats:
        return np.exp(self.exit_log)

    @property
    def hazard(self) -> Floats:
        """Total exit hazard per year: counted plus uncounted."""
        return self.counted_hazard + self.uncounted


@dataclass(frozen=True, slots=True)
class Pool:
    uncounted: float
    inflow: RatePool
    exit: RatePool
    work_share: float

    def apply(self, year: Year) -> GemeenteRates:
        values = covariate_values(year, self.uncounted)
        i_mean, i_var, i_weight = _posterior(self.inflow, inflow_rate(year), values)
        e_mean, e_var, e_weight = _posterior(self.exit, exit_rate(year, self.uncounted), values)
        share = (year.to_work + WORK_PRIOR * self.work_share) / (year.outflow + WORK_PRIOR)
        return GemeenteRates(
            year, self.uncounted, i_mean, i_var, i_weight, e_mean, e_var, e_weight,
            np.clip(share, 0.0, 1.0),
        )  # fmt: skip


def fit_pool(year: Year, uncounted: float, *, seed: int = 0) -> Pool:
    """Fit both rates' pools on the gemeenten of `year` (covariates chosen by K-fold)."""
    values = covariate_values(year, uncounted)
    return Pool(
        uncounted=uncounted,
        inflow=_rate_pool(inflow_rate(year), values, seed),
        exit=_rate_pool(exit_rate(year, uncounted), values, seed + 1),
        work_share=float(year.to_work.sum() / year.outflow.sum()),
    )


def _rate_pool(rate: LogRate, values: dict[str, Floats], seed: int) -> RatePool:
    names = choose(rate, values, FOLDS, seed)
    centre = centres(values)
    return RatePool(names, centre, fit_shrinkage(rate.y, rate.v, design(values, names, centre)))


def _posterior(
    pool: RatePool, rate: LogRate, values: dict[str, Floats]
) -> tuple[Floats, Floats, Floats]:
    return pool.shrinkage.posterior(rate.y, rate.v, design(values, pool.covariates, pool.centre))


def expected_stock(start: Floats, inflow: Floats, hazard: Floats, years: float = 1.0) -> Floats:
    """E[stock] after `years` at constant rates: S e^(-Ht) + lambda (1 - e^(-Ht)) / H."""
    survive = np.exp(-hazard * years)
    return start * survive + inflow * (1 - survive) / hazard
