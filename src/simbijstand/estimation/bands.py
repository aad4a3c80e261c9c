"""Bands that hold: the inflation of the inflow deviation, calibrated on out-of-sample errors.

The engine's bands come from the simulation itself: chance, the parameters' estimation error and
the persistent deviation of inflow ([instroom.schommeling]: an AR(1) on log inflow, started at
its filtered value, sigma and rho drawn from their intervals). What they still miss (slow shifts
that a short window's residuals cannot show, the unemployment path held at its last level, a
level that wanders) is taken up by widening the spread of that deviation by horizon:
`inflatie` in the parameter file, g_t for forecast month t (`engine.draws`). The width is never
rescaled after the simulation: the caseload stays the fold of the event log, and a tekort's
chance is read from the same replications.

**Calibration (conformal, per horizon bucket).** Every forecast month already scored gives a
ratio: how far the outcome lay from the replications' median, in units of the 80% band's
half-width on that side (lower half-width below the median, upper above it), times the
effective inflation E_h that forecast already had at that month (see below), so the ratio is
that of the uninflated model. In each bucket (months (H_(i-1), H_i] after the origin) the
target factor is the conformal quantile of the ratios, the ceil((n + 1) 0.8)-th smallest of n
(the largest when n is too small): with that factor, a new month's outcome lies inside the band
with probability >= 80% if the ratios are exchangeable. Only months on or before the new
forecast's origin are used (`before`): in a rolling backtest each origin is calibrated on the
errors of earlier origins whose scored months it has seen, never on its own or later ones.

**Target to factor.** The caseload at month h carries the inflow deviations of months 1..h, so a
factor g_i on bucket i's months alone widens the caseload's band at H_i by less than g_i. With
the deviation's AR(1) covariance (u_t = rho u_(t-1) + eps_t, from u_0 ~ N(0, start_sd^2)),
E_h^2 = Var(sum_(t<=h) g_t u_t) / Var(sum_(t<=h) u_t); the factors are solved bucket by bucket so
that E at each H_i is the target (a quadratic in g_i). The inflow's survival in the stock
(national exits ~2% a month) is ignored: weights 1.

**What this leaves.** The ratios treat the whole band as the deviation's: chance and parameter
uncertainty do not widen with g, so where they are a large share of the band (a small gemeente)
the factor is too small and the achieved coverage says so. Few scored months behind a bucket
make a coarse quantile; `punten` records how many.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simbijstand.domain.calendar import months_between
from simbijstand.scenario.schema import Inflatie, Schommeling

LEVEL = 0.8
FACTOR_RANGE = (0.25, 20.0)  # the parameter file allows (0, 20]
METHOD = (
    "conformaal per horizon: het 80%-kwantiel van de uitkomsten buiten de mediaan, in "
    "halve bandbreedtes van het model zonder inflatie, over eerdere oorsprongen"
)


@dataclass(frozen=True, slots=True)
class ScoredMonth:
    """One forecast month already observed: the outcome, the replications' median and 80% band
    (10th and 90th percentile), and the effective inflation E_h that forecast had there."""

    origin: dt.date
    date: dt.date
    actual: float
    median: float
    low: float
    high: float
    effective: float = 1.0

    @property
    def months(self) -> int:
        return months_between(self.origin, self.date)

    def ratio(self) -> float:
        """|outcome - median| in half-widths of the uninflated model's band on that side."""
        half = self.high - self.median if self.actual >= self.median else self.median - self.low
        distance = abs(self.actual - self.median)
        if half <= 0:
            return 0.0 if distance == 0 else math.inf
        return distance / half * self.effective


def target_factors(
    scored: Sequence[ScoredMonth], horizons: Sequence[int], before: dt.date | None = None
) -> tuple[list[float], list[int], list[dt.date]]:
    """Per bucket (months (H_(i-1), H_i]; the last bucket takes every later month too): the
    conformal factor E_i the caseload's band needs, the number of scored months behind it, and
    the origins used. A bucket without months takes the previous bucket's factor (1 for the
    first)."""
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
        factors.append(_clip(ratios[rank - 1]))
    origins = sorted({m.origin for m in usable})
    return factors, counts, origins


def path_factors(
    deviation: Schommeling, horizons: Sequence[int], targets: Sequence[float]
) -> list[float]:
    """The factors g_i per bucket that make the caseload's effective inflation E at each H_i
    equal the target (module docstring)."""
    months = max(horizons)
    covariance = _covariance(deviation, months)
    g = np.ones(months)
    factors = []
    for i, (horizon, target) in enumerate(zip(horizons, targets, strict=True)):
        low = horizons[i - 1] if i else 0
        before, bucket = np.zeros(months), np.zeros(months)
        before[:low] = g[:low]
        bucket[low:horizon] = 1.0
        plain = np.zeros(months)
        plain[:horizon] = 1.0
        a = bucket @ covariance @ bucket
        b = 2 * before @ covariance @ bucket
        c = before @ covariance @ before - target**2 * (plain @ covariance @ plain)
        factor = target if a <= 0 else (-b + math.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a)
        factor = _clip(factor)
        g[low:horizon] = factor
        factors.append(factor)
    return factors


def effective_factors(deviation: Schommeling, months: int) -> np.ndarray:
    """E_h for h = 1..months: how much wider the inflation makes the caseload's band at h
    (1 without inflation)."""
    covariance = _covariance(deviation, months)
    g = _month_factors(deviation.inflatie, months)
    weighted = np.cumsum(np.cumsum(covariance * np.outer(g, g), axis=0), axis=1).diagonal()
    plain = np.cumsum(np.cumsum(covariance, axis=0), axis=1).diagonal()
    return np.sqrt(np.where(plain > 0, weighted / np.where(plain > 0, plain, 1.0), 1.0))


def calibrate_inflation(
    deviation: Schommeling,
    scored: Sequence[ScoredMonth],
    horizons: Sequence[int],
    before: dt.date | None = None,
) -> Inflatie:
    """The `inflatie` table for a forecast from `before` (None: after every scored month) with
    this deviation's sigma, rho and start_sd, calibrated on `scored` (module docstring)."""
    targets, counts, origins = target_factors(scored, horizons, before)
    return Inflatie(
        horizon_maanden=list(horizons),
        factor=[round(f, 4) for f in path_factors(deviation, horizons, targets)],
        methode=METHOD,
        oorsprongen=origins,
        punten=counts,
    )


def coverage_by_bucket(scored: Sequence[ScoredMonth], horizons: Sequence[int]) -> list[float]:
    """The share of scored months inside their 80% band, per bucket (nan: no months)."""
    result = []
    for i, horizon in enumerate(horizons):
        low = horizons[i - 1] if i else 0
        last = i == len(horizons) - 1
        inside = [
            m.low <= m.actual <= m.high
            for m in scored
            if low < m.months and (m.months <= horizon or last)
        ]
        result.append(float(np.mean(inside)) if inside else math.nan)
    return result


def _covariance(deviation: Schommeling, months: int) -> np.ndarray:
    """Cov(u_s, u_t), s, t = 1..months: rho^|t-s| Var(u_min(s,t))."""
    rho, sigma = deviation.persistentie, deviation.sd_per_maand
    t = np.arange(1, months + 1)
    variance = sigma**2 * np.cumsum(rho ** (2.0 * (t - 1))) + deviation.start_sd**2 * rho ** (
        2.0 * t
    )
    lag = np.abs(t[:, None] - t[None, :])
    return rho**lag * variance[np.minimum.outer(t, t) - 1]


def _month_factors(inflation: Inflatie | None, months: int) -> np.ndarray:
    return np.ones(months) if inflation is None else np.array(inflation.month_factors(months))


def _clip(factor: float) -> float:
    return float(min(max(factor, FACTOR_RANGE[0]), FACTOR_RANGE[1]))
