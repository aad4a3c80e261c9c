"""Cross-fitting: every gemeente's rates and year-level variance from a pool that never saw it.

Gemeenten are split in K folds (seeded). For fold k the pool is fitted on the other folds'
year T; those gemeenten are forecast for year T + 1 and their errors give the own year-level
variance (`ownvariance.fit_own_variance`: its form chosen by an inner K-fold over those
gemeenten alone, then fitted on them; the spread around the common shift, never its level);
the held-out fold gets rates from that pool and bands from that variance. So no band width nor
variance form is chosen on the gemeenten it is scored on, and no gemeente's forecast uses
anything of year T + 1 but the spread of other gemeenten's errors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbijstand.estimation.pooled import Floats
from simbijstand.estimation.pooled.fit import GemeenteRates, fit_pool
from simbijstand.estimation.pooled.ownvariance import OwnVarianceFit, fit_own_variance
from simbijstand.estimation.pooled.panel import Year
from simbijstand.estimation.pooled.yearlevel import LevelParts, level_parts, residuals


@dataclass(frozen=True, slots=True)
class Fold:
    rows: np.ndarray  # indices into the year's gemeenten
    rates: GemeenteRates  # of the held-out gemeenten
    own_variance: OwnVarianceFit  # from the other folds
    level: LevelParts


def crossfit(
    year: Year, following: Year, uncounted: float, common: float, *, folds: int = 5, seed: int = 0
) -> list[Fold]:
    """K folds over the gemeenten of `year` (both years on the same boundaries)."""
    fold_of = np.random.default_rng(seed).permutation(len(year.gemeenten)) % folds
    result = []
    for k in range(folds):
        train, test = np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)
        fitted = year.subset(train)
        pool = fit_pool(fitted, uncounted, seed=seed)
        own = own_variance(pool.apply(fitted), following.stock[train], seed)
        rates = pool.apply(year.subset(test))
        level = level_parts(own.model, common, rates, rates.year.stock)
        result.append(Fold(test, rates, own, level))
    return result


def own_variance(rates: GemeenteRates, observed: Floats, seed: int = 0) -> OwnVarianceFit:
    """The own variance (form chosen and fitted) from a year forecast with `rates` and the
    stocks observed at its end."""
    return fit_own_variance(residuals(rates, observed), seed=seed)
