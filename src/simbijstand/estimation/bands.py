"""Bands that hold: the inflow deviation's widening, calibrated on out-of-sample errors.

The engine's bands come from the simulation itself: chance, the parameters' estimation error and
the persistent deviation of inflow ([instroom.schommeling]: an AR(1) on log inflow, started at
its filtered value, sigma and rho drawn from their intervals). What they still miss (slow shifts
that a short window's residuals cannot show, the unemployment path held at its last level, a
level that wanders) is put into that deviation, by horizon: `inflatie` in the parameter file, a
factor g on the AR(1) and a random walk w with monthly sd tau_t (`engine.draws`). The width is
never rescaled after the simulation: the caseload stays the fold of the event log, and a
tekort's chance is read from the same replications.

**Calibration (conformal, per horizon bucket).** Every forecast month already scored gives its
relative error |outcome - forecast| / forecast. In each bucket (months (H_(i-1), H_i]) the
target q_i is the conformal quantile of those errors, the ceil((n + 1) 0.8)-th smallest of n
(the largest when n is too small): an 80% band of +- q_i around a forecast holds a new month's
outcome with probability >= 80% if the errors are exchangeable. Relative errors are comparable
across origins and calibrations whatever their own sigma and rho, and they do not depend on the
widening earlier forecasts had, so calibrating on them cannot feed back into itself. Only months
on or before the new forecast's origin are used (`before`): in a rolling backtest each origin is
calibrated on the errors of earlier origins whose months it has seen, never on later ones.

**Target to the file's widening** (`widened`). The caseload at month h carries the inflow
deviations of months 1..h, each as far as its new cases have not left: D_h = mu sum_(t<=h)
S(h - t) eta_t, mu the mean monthly inflow, S(d) = exp(-x d / 12) with x the entry-weighted exit
hazard per year; Var(D_h) = mu^2 w' C w (`deviation_sd`), C the covariance of eta. The band
needs sd q_i L / z_0.9 at H_i (L the caseload at the origin, z_0.9 = 1.2816). Errors grow
faster with the horizon than an AR(1) that settles lets them: the level wanders. So where the
AR(1) alone is wider than the first bucket needs, it is narrowed (g < 1, no walk); otherwise
g = 1 and a random walk (sd tau_i within bucket i, Cov(w_s, w_t) = sum_(r <= min(s, t))
tau_r^2) takes the rest, solved bucket by bucket (0 where the earlier buckets give enough).

**What this leaves.** The ratio counts the whole error against the deviation's width: chance and
parameter uncertainty are in the band too, so it is if anything a little wide where they matter
(a small gemeente); the achieved coverage says how it came out. Few scored months behind a bucket
make a coarse quantile; `punten` records how many.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simbijstand.domain.calendar import months_between
from simbijstand.scenario.schema import Inflatie, Schommeling

LEVEL = 0.8
BUCKET_MONTHS = 3  # errors grow within a year: one reach per quarter of the horizon
Z_80 = 1.2815515655446004  # the standard normal's 90th percentile: an 80% band's half-width
MAX_ERROR = 1.0  # a relative error above 100% says the forecast broke, not how wide to be
MIN_FACTOR = 0.1
METHOD = (
    "conformaal per horizon: het 80%-kwantiel van |uitkomst - prognose| / prognose over "
    "eerdere oorsprongen, omgezet in een factor op de AR(1) en een dwalend niveau (wandeling)"
)


@dataclass(frozen=True, slots=True)
class ScoredMonth:
    """One forecast month already observed: the outcome and the forecast (mean of
    replications)."""

    origin: dt.date
    date: dt.date
    actual: float
    forecast: float

    @property
    def months(self) -> int:
        return months_between(self.origin, self.date)

    def error(self) -> float:
        """|outcome - forecast| / forecast."""
        distance = abs(self.actual - self.forecast)
        if self.forecast <= 0:
            return 0.0 if distance == 0 else math.inf
        return distance / self.forecast


def band_buckets(horizon: int) -> list[int]:
    """The horizons H_i of the buckets a reach is calibrated for: every quarter up to
    `horizon` (which is the last)."""
    return [*range(BUCKET_MONTHS, horizon, BUCKET_MONTHS), horizon]


def target_errors(
    scored: Sequence[ScoredMonth], horizons: Sequence[int], before: dt.date | None = None
) -> tuple[list[float | None], list[int], list[dt.date]]:
    """Per bucket (months (H_(i-1), H_i]; the last bucket takes every later month too): the
    conformal 80% relative error q_i (None: no months), the number of scored months behind it,
    and the origins used."""
    usable = [m for m in scored if before is None or m.date <= before]
    errors: list[float | None] = []
    counts = []
    for i, horizon in enumerate(horizons):
        low = horizons[i - 1] if i else 0
        last = i == len(horizons) - 1
        found = sorted(
            m.error() for m in usable if low < m.months and (m.months <= horizon or last)
        )
        counts.append(len(found))
        if not found:
            errors.append(None)
            continue
        rank = min(math.ceil((len(found) + 1) * LEVEL), len(found))
        errors.append(min(found[rank - 1], MAX_ERROR))
    origins = sorted({m.origin for m in usable})
    return errors, counts, origins


def deviation_sd(
    deviation: Schommeling, inflow_per_month: float, exit_per_year: float, months: int
) -> np.ndarray:
    """The caseload's sd at h = 1..months from the deviation (its widening included)."""
    covariance = _covariance(deviation, months)
    inflation = deviation.inflatie
    if inflation is not None:
        g = np.array(inflation.month_factors(months))
        tau2 = np.array(inflation.month_walk(months)) ** 2
        covariance = covariance * np.outer(g, g) + _walk_covariance(tau2)
    return np.array(
        [
            inflow_per_month * math.sqrt(max(_quadratic(covariance, exit_per_year, h), 0.0))
            for h in range(1, months + 1)
        ]
    )


@dataclass(frozen=True, slots=True)
class Caseload:
    """What turns a relative error into the deviation's width: the caseload at the origin, its
    mean monthly inflow and its entry-weighted exit hazard per year."""

    level: float
    inflow_per_month: float
    exit_per_year: float


def widened(
    deviation: Schommeling,
    horizons: Sequence[int],
    errors: Sequence[float | None],
    caseload: Caseload,
) -> Schommeling:
    """The deviation with the AR(1) factor and wandering level that give an 80% band of
    +- errors[i] at each horizon (module docstring); its other fields kept."""
    months = max(horizons)
    covariance = _covariance(deviation, months)
    mu2, x = caseload.inflow_per_month**2, caseload.exit_per_year
    needed = [
        None if e is None else (e * caseload.level / Z_80) ** 2 / mu2 if mu2 > 0 else None
        for e in errors
    ]
    first = next((n for n in needed if n is not None), None)
    own_first = _quadratic(covariance, x, horizons[needed.index(first)]) if first else 0.0
    g = 1.0 if first is None or own_first <= 0 else min(math.sqrt(first / own_first), 1.0)
    g = max(g, MIN_FACTOR)
    walk = np.zeros(months)  # tau_t^2
    taus = []
    for i, (horizon, need) in enumerate(zip(horizons, needed, strict=True)):
        low = horizons[i - 1] if i else 0
        tau2 = 0.0
        if need is not None:
            have = g**2 * _quadratic(covariance, x, horizon)
            have += _quadratic(_walk_covariance(walk), x, horizon)
            bucket = np.zeros(months)
            bucket[low:horizon] = 1.0
            per_unit = _quadratic(_walk_covariance(bucket), x, horizon)
            tau2 = max(need - have, 0.0) / per_unit if per_unit > 0 else 0.0
        walk[low:horizon] = tau2
        taus.append(round(min(math.sqrt(tau2), 1.0), 8))
    inflation = Inflatie(
        horizon_maanden=list(horizons),
        factor=[round(g, 6)] * len(horizons),
        wandeling_sd_per_maand=taus,
    )
    return deviation.model_copy(update={"inflatie": inflation})


def calibrate_inflation(
    deviation: Schommeling,
    scored: Sequence[ScoredMonth],
    horizons: Sequence[int],
    caseload: Caseload,
    before: dt.date | None = None,
) -> Schommeling:
    """The deviation widened for a forecast from `before` (None: after every scored month),
    calibrated on `scored` (module docstring); its `inflatie` records the method, the origins
    and the scored months per horizon."""
    errors, counts, origins = target_errors(scored, horizons, before)
    found = widened(deviation, horizons, errors, caseload)
    assert found.inflatie is not None
    record = {"methode": METHOD, "oorsprongen": origins, "punten": counts}
    return found.model_copy(update={"inflatie": found.inflatie.model_copy(update=record)})


def coverage_by_bucket(inside: Sequence[tuple[int, bool]], horizons: Sequence[int]) -> list[float]:
    """The share of scored months inside their 80% band per bucket, from (horizon month,
    inside) pairs (nan: no months)."""
    result = []
    for i, horizon in enumerate(horizons):
        low = horizons[i - 1] if i else 0
        last = i == len(horizons) - 1
        found = [held for months, held in inside if low < months and (months <= horizon or last)]
        result.append(float(np.mean(found)) if found else math.nan)
    return result


def caseload_of(parameters: dict[str, Any], level: float) -> Caseload:
    """The `Caseload` of parameter-file data with `level` cases at the origin: mean monthly
    inflow and entry-weighted exit hazard (duration dependence and doorstroom left out)."""
    inflow = parameters["instroom"]
    groups = parameters["klantgroepen"]
    shares = inflow["klantgroepen"]
    exit_rate = sum(share * groups[g]["uitstroom_per_jaar"] for g, share in shares.items())
    return Caseload(level, inflow["per_jaar"] / 12, float(exit_rate))


def _covariance(deviation: Schommeling, months: int) -> np.ndarray:
    """Cov(u_s, u_t), s, t = 1..months: rho^|t-s| Var(u_min(s,t))."""
    rho, sigma = deviation.persistentie, deviation.sd_per_maand
    t = np.arange(1, months + 1)
    variance = sigma**2 * np.cumsum(rho ** (2.0 * (t - 1))) + deviation.start_sd**2 * rho ** (
        2.0 * t
    )
    lag = np.abs(t[:, None] - t[None, :])
    return rho**lag * variance[np.minimum.outer(t, t) - 1]


def _walk_covariance(tau2: np.ndarray) -> np.ndarray:
    """Cov(w_s, w_t) = sum_(r <= min(s, t)) tau_r^2."""
    cumulative = np.cumsum(tau2)
    t = np.arange(len(tau2))
    return cumulative[np.minimum.outer(t, t)]


def _quadratic(covariance: np.ndarray, exit_per_year: float, horizon: int) -> float:
    """w' C w over months 1..horizon, w_t = exp(-exit (horizon - t) / 12): the variance the
    deviation leaves in the caseload at `horizon`, per unit of monthly inflow squared."""
    weights = np.exp(-exit_per_year * (horizon - np.arange(1, horizon + 1)) / 12)
    block = covariance[:horizon, :horizon]
    return float(weights @ block @ weights)
