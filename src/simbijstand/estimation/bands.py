"""Bands that hold: the inflow deviation's widening, calibrated on out-of-sample errors.

The engine's bands come from the simulation itself: chance, the parameters' estimation error and
the persistent deviation of inflow ([instroom.schommeling]: an AR(1) on log inflow, started at
its filtered value, sigma and rho drawn from their intervals). What they still miss (slow shifts
that a short window's residuals cannot show, the unemployment path held at its last level, a
level that wanders) is put into that deviation, by horizon: `inflatie` in the parameter file, a
factor g on the AR(1) and a random walk w with monthly sd tau_t (`engine.draws`). The width is
never rescaled after the simulation: the caseload stays the fold of the event log, and a
tekort's chance is read from the same replications.

**The deviation's own width.** The caseload at month h carries the inflow deviations of months
1..h, each still present as far as its new cases have not left: D_h = mu sum_(t<=h) S(h - t)
eta_t, mu the mean monthly inflow, S(d) = exp(-x d / 12) with x the entry-weighted exit hazard
per year. Its sd without any widening is mu sqrt(w' C w) (`deviation_sd`), C the AR(1)'s
covariance (u_t = rho u_(t-1) + eps_t, from u_0 ~ N(0, start_sd^2)), w_t = S(h - t).

**Calibration (conformal, per horizon bucket).** Every forecast month already scored gives a
ratio: |outcome - forecast| / (z_0.9 x that sd at its horizon month), z_0.9 = 1.2816, so a ratio
below E says an 80% band E times the deviation's width would have held it. In each bucket
(months (H_(i-1), H_i]) the target E_i is the conformal quantile of the ratios, the
ceil((n + 1) 0.8)-th smallest of n (the largest when n is too small): with that widening, a new
month's outcome lies inside the band with probability >= 80% if the ratios are exchangeable.
The ratio does not depend on the widening the earlier forecasts had, so calibrating on them
cannot feed back into itself. Only months on or before the new forecast's origin are used
(`before`): in a rolling backtest each origin is calibrated on the errors of earlier origins
whose months it has seen, never on its own or later ones.

**Target to the file's widening** (`widened`). Errors grow faster with the horizon than an AR(1)
that settles lets them: the level wanders. So E_1 < 1 shrinks the AR(1) (g = E_1, no walk);
otherwise g = 1 and a random walk takes the rest, its sd tau_i constant within bucket i, solved
bucket by bucket so that Var(D_(H_i)) = E_i^2 mu^2 w' C w with the walk's covariance
Cov(w_s, w_t) = sum_(r <= min(s, t)) tau_r^2 (0 where the earlier buckets already give more).

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
Z_80 = 1.2815515655446004  # the standard normal's 90th percentile: an 80% band's half-width
TARGET_RANGE = (0.1, 50.0)
METHOD = (
    "conformaal per horizon: het 80%-kwantiel van |uitkomst - prognose| in sd's van de "
    "schommeling zonder verbreding, over eerdere oorsprongen; verbreding = factor op de AR(1) "
    "en een dwalend niveau (wandeling)"
)


@dataclass(frozen=True, slots=True)
class ScoredMonth:
    """One forecast month already observed: the outcome, the forecast (mean of replications)
    and the sd the deviation alone, without widening, gave the caseload there."""

    origin: dt.date
    date: dt.date
    actual: float
    forecast: float
    deviation_sd: float

    @property
    def months(self) -> int:
        return months_between(self.origin, self.date)

    def ratio(self) -> float:
        """|outcome - forecast| in 80% half-widths of the unwidened deviation."""
        distance = abs(self.actual - self.forecast)
        if self.deviation_sd <= 0:
            return 0.0 if distance == 0 else math.inf
        return distance / (Z_80 * self.deviation_sd)


def target_factors(
    scored: Sequence[ScoredMonth], horizons: Sequence[int], before: dt.date | None = None
) -> tuple[list[float], list[int], list[dt.date]]:
    """Per bucket (months (H_(i-1), H_i]; the last bucket takes every later month too): the
    conformal widening E_i, the number of scored months behind it, and the origins used. A
    bucket without months takes the previous bucket's (1 for the first)."""
    usable = [m for m in scored if before is None or m.date <= before]
    factors, counts = [], []
    for i, horizon in enumerate(horizons):
        low = horizons[i - 1] if i else 0
        last = i == len(horizons) - 1
        ratios = sorted(
            m.ratio() for m in usable if low < m.months and (m.months <= horizon or last)
        )
        counts.append(len(ratios))
        if not ratios:
            factors.append(factors[-1] if factors else 1.0)
            continue
        rank = min(math.ceil((len(ratios) + 1) * LEVEL), len(ratios))
        factors.append(float(np.clip(ratios[rank - 1], *TARGET_RANGE)))
    origins = sorted({m.origin for m in usable})
    return factors, counts, origins


def deviation_sd(
    deviation: Schommeling, inflow_per_month: float, exit_per_year: float, months: int
) -> np.ndarray:
    """The caseload's sd at h = 1..months from the deviation's AR(1) alone, no widening."""
    covariance = _covariance(deviation, months)
    return np.array(
        [
            inflow_per_month * math.sqrt(max(_quadratic(covariance, exit_per_year, h), 0.0))
            for h in range(1, months + 1)
        ]
    )


def widened(
    deviation: Schommeling, horizons: Sequence[int], targets: Sequence[float], exit_per_year: float
) -> Schommeling:
    """The deviation with the AR(1) factor and wandering level that widen the caseload's band
    by the targets at the horizons (module docstring); its other fields kept."""
    months = max(horizons)
    covariance = _covariance(deviation, months)
    g = min(targets[0], 1.0)
    walk = np.zeros(months)  # tau_t^2
    taus = []
    for i, (horizon, target) in enumerate(zip(horizons, targets, strict=True)):
        low = horizons[i - 1] if i else 0
        own = _quadratic(covariance, exit_per_year, horizon)
        wanted = (target**2 - g**2) * own - _quadratic(
            _walk_covariance(walk), exit_per_year, horizon
        )
        bucket = np.zeros(months)
        bucket[low:horizon] = 1.0
        per_unit = _quadratic(_walk_covariance(bucket), exit_per_year, horizon)
        tau2 = max(wanted, 0.0) / per_unit if per_unit > 0 else 0.0
        walk[low:horizon] = tau2
        taus.append(round(min(math.sqrt(tau2), 1.0), 8))
    inflation = Inflatie(
        horizon_maanden=list(horizons),
        factor=[round(max(g, 1e-3), 6)] * len(horizons),
        wandeling_sd_per_maand=taus,
    )
    return deviation.model_copy(update={"inflatie": inflation})


def effective_factors(deviation: Schommeling, exit_per_year: float, months: int) -> np.ndarray:
    """E_h for h = 1..months: how much wider the widening makes the caseload's band at h than
    the AR(1) alone (1 without widening)."""
    covariance = _covariance(deviation, months)
    inflation = deviation.inflatie
    g = np.ones(months) if inflation is None else np.array(inflation.month_factors(months))
    tau2 = np.zeros(months) if inflation is None else np.array(inflation.month_walk(months)) ** 2
    wide = covariance * np.outer(g, g) + _walk_covariance(tau2)
    return np.array(
        [
            math.sqrt(_quadratic(wide, exit_per_year, h) / _quadratic(covariance, exit_per_year, h))
            if _quadratic(covariance, exit_per_year, h) > 0
            else 1.0
            for h in range(1, months + 1)
        ]
    )


def calibrate_inflation(
    deviation: Schommeling,
    scored: Sequence[ScoredMonth],
    horizons: Sequence[int],
    exit_per_year: float,
    before: dt.date | None = None,
) -> Schommeling:
    """The deviation widened for a forecast from `before` (None: after every scored month),
    calibrated on `scored` (module docstring); its `inflatie` records the method, the origins
    and the scored months per horizon."""
    targets, counts, origins = target_factors(scored, horizons, before)
    found = widened(deviation, horizons, targets, exit_per_year)
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


def inflow_and_exit(parameters: dict[str, Any]) -> tuple[float, float]:
    """(mean monthly inflow, entry-weighted exit hazard per year) of parameter-file data: the
    mu and x of the deviation's width (duration dependence and doorstroom left out)."""
    inflow = parameters["instroom"]
    groups = parameters["klantgroepen"]
    shares = inflow["klantgroepen"]
    exit_rate = sum(share * groups[g]["uitstroom_per_jaar"] for g, share in shares.items())
    return inflow["per_jaar"] / 12, float(exit_rate)


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
