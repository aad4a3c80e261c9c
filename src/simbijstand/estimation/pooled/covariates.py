"""Covariates that may explain differences between gemeenten, and choosing them out of sample.

Candidates (each centred over the gemeenten of the fit's year):
- `grootte`: log inhabitants;
- `dichtheid`: log of (stock + 5) per inhabitant, the bijstand density;
- `verandering`: log of the stock's change over the year, (S_end + 5) / (S_start + 5); where the
  start is unknown, the start the year's flows imply.

A set is kept only if it predicts the own log rates of gemeenten left out of the fit better:
K-fold over gemeenten, the pool fitted on the other folds, scored by the predictive log density
of the held-out rates (`Shrinkage.log_likelihood`).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from simbijstand.estimation.pooled import Floats
from simbijstand.estimation.pooled.panel import Year
from simbijstand.estimation.pooled.rates import LogRate, exposure
from simbijstand.estimation.pooled.shrinkage import fit_shrinkage

CANDIDATES = ("grootte", "dichtheid", "verandering")
SMOOTH = 5.0  # persons added to stocks so a gemeente with none keeps a finite log


def covariate_values(year: Year, uncounted: float) -> dict[str, Floats]:
    start = year.start
    if start is None:
        start = year.stock - year.inflow + year.outflow + uncounted * exposure(year, uncounted)
    return {
        "grootte": np.log(year.inwoners),
        "dichtheid": np.log((year.stock + SMOOTH) / year.inwoners),
        "verandering": np.log((year.stock + SMOOTH) / (np.maximum(start, 0) + SMOOTH)),
    }


def centres(values: dict[str, Floats]) -> dict[str, float]:
    """Each covariate's mean over the gemeenten of the fit's year, where `design` centres it."""
    return {n: float(np.mean(v)) for n, v in values.items()}


def design(values: dict[str, Floats], names: tuple[str, ...], centre: dict[str, float]) -> Floats:
    """Intercept and the named covariates, centred at `centre` (the fit year's means)."""
    columns = [np.ones(len(next(iter(values.values()))))]
    columns += [values[n] - centre[n] for n in names]
    return np.column_stack(columns)


def choose(rate: LogRate, values: dict[str, Floats], folds: int, seed: int) -> tuple[str, ...]:
    """The candidate set with the best held-out predictive log density (module docstring)."""
    fold = np.random.default_rng(seed).permutation(len(rate.y)) % folds
    centre = centres(values)
    best: tuple[float, tuple[str, ...]] | None = None
    for size in range(len(CANDIDATES) + 1):
        for names in combinations(CANDIDATES, size):
            x = design(values, names, centre)
            score = sum(_held_out(rate, x, fold == k) for k in range(folds))
            if best is None or score > best[0] + 1e-9:
                best = (score, names)
    assert best is not None
    return best[1]


def _held_out(rate: LogRate, x: Floats, test: np.ndarray) -> float:
    pool = fit_shrinkage(rate.y[~test], rate.v[~test], x[~test])
    return pool.log_likelihood(rate.y[test], rate.v[test], x[test])
