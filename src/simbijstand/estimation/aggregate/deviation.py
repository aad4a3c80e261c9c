"""Persistent deviation of inflow, estimated from the monthly stock residuals of a fit.

A parameter file's `[instroom.schommeling]` lets the engine multiply month t's inflow by
exp(eta_t - v_t / 2), eta an AR(1): eta_t = rho eta_(t-1) + eps_t, eps_t ~ N(0, sigma^2) (and by
the widening's wandering level, `engine.draws`). This
module estimates sigma (`sd_per_maand`) and rho (`persistentie`).

**The series.** The expected path is anchored to every observed stock (`path`), so a stock one
month after the previous one has the residual r_t = y_t - E[y_t | y_(t-1)]: the surprise of that
month's net flow, not an error accumulated since the window's start. A deviation eta_t of the
month's expected inflow mu_t moves the stock by mu_t (e^eta_t - 1), about mu_t eta_t (few new
cases leave in their first month). Per gemeente and month, summed over the klantgroepen
observed:

    x_t = r_t / mu_t = eta_t + e_t,    e_t ~ N(0, s_t^2),    s_t^2 = (mu_t + exits_t) / mu_t^2

e_t is the chance the engine simulates anyway: the Poisson inflow and the nearly Poisson exits
of the month, at the fit's expectations. A month has no value when its stock lies more than a
month after the previous one, when the observed inflow already explains it (`given_inflow`),
or when only the net doorstroom is compared.

**The estimator.** (x_t) is an AR(1) observed with known noise. Its Gaussian likelihood comes
from the Kalman filter, started diffuse at each series' first value (its level is not assumed
stationary, so rho = 1, a random walk, is allowed and not penalised). sigma and rho maximise it
(the profile over rho on a grid, then refined); intervals from the profile likelihood,
2 (l_max - l_profile) = chi2_1(level), reaching the boundary (0 or 1) when the drop stays below
that up to it. Several gemeenten: independent paths, one sigma and one rho.

**What these choices leave.**

- The known noise keeps chance out of sigma: without it sigma^2 would absorb Var(e_t); for the
  national stock that matters little (s_t ~ 0.02 against x's spread of ~ 0.2), for a gemeente
  with 50 new cases a month (s_t ~ 0.2) it would be all of sigma.
- No differencing: anchored residuals are already monthly changes; differencing the stock
  again would add a moving-average term that pulls rho down.
- The residuals are in-sample: level, season, trend and elasticity were fitted to the same
  months and absorb the slow part of any deviation, so sigma and above all rho are biased down,
  the more so in short windows (five years of a random walk look partly like a level and a
  trend); the small-sample bias of an AR(1) coefficient (about -(1 + 3 rho) / n) adds to it.
  Bands built on these estimates are therefore, if anything, still too narrow.
- All extra net change of a month counts as inflow deviation: a shift of exits, an
  administrative correction, a change of definition. For the width of the caseload's band that
  is what counts; for the split between inflow and outflow it is not.
- Linearised: x = eta for small deviations (e^0.2 - 1 = 0.22).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
from scipy import optimize, stats

from simbijstand.estimation.aggregate.aggregate import AggregateFitter
from simbijstand.estimation.aggregate.path import observed_values
from simbijstand.estimation.aggregate.path_terms import StockTerm
from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.config.schema import Verbreding
from simbijstand.estimation.errors import EstimationError

MIN_TERMS = 12  # likelihood terms (months after each series' first value) needed to estimate
SIGMA_RANGE = (1e-5, 1.0)  # sd_per_maand searched here; the file allows 0 to 1
GRID = 21


@dataclass(frozen=True, slots=True)
class DeviationSeries:
    """One gemeente's relative monthly surprises x_t and their chance variance s_t^2 (nan: no
    usable stock that month); `dates` are the stocks' dates (each month's end)."""

    gemeente: str
    dates: tuple[dt.date, ...]
    relative: np.ndarray
    noise: np.ndarray

    @property
    def terms(self) -> int:
        """Likelihood terms: observed months after the first."""
        return max(int(np.isfinite(self.relative).sum()) - 1, 0)


@dataclass(frozen=True, slots=True)
class DeviationEstimate:
    """sigma and rho for [instroom.schommeling]; an interval is None where the value is assumed
    (its source in `assumed`)."""

    sd_per_maand: float
    persistentie: float
    sd_interval: tuple[float, float] | None
    persistentie_interval: tuple[float, float] | None
    level: float
    series: tuple[DeviationSeries, ...]
    assumed: dict[str, str]
    # per gemeente: the filtered deviation at the window's end and its sd (empty: start at 0)
    starts: dict[str, tuple[float, float]] = field(default_factory=dict)
    inflation: Verbreding | None = None  # the config's, turned into the file's inflatie

    @property
    def terms(self) -> int:
        return sum(s.terms for s in self.series)


class DeviationFitter:
    """Maximum likelihood of sigma and rho from relative surprises (see the module docstring).

    Usage: `DeviationFitter(0.95, rho=0.9).fit(series).sigma_`; a value given to the
    constructor is held fixed.
    """

    def __init__(
        self, level: float, *, sigma: float | None = None, rho: float | None = None
    ) -> None:
        if sigma is not None and not 0 <= sigma <= SIGMA_RANGE[1]:
            raise EstimationError(f"sd_per_maand {sigma}: give a value from 0 to 1")
        if rho is not None and not 0 <= rho <= 1:
            raise EstimationError(f"persistentie {rho}: give a value from 0 to 1")
        self.level = level
        self.fixed_sigma, self.fixed_rho = sigma, rho

    def fit(self, series: Sequence[DeviationSeries]) -> Self:
        self.terms_ = sum(s.terms for s in series)
        if self.terms_ < MIN_TERMS:
            raise EstimationError(
                f"instroom.schommeling: {self.terms_} monthly stock residuals, at least "
                f"{MIN_TERMS} are needed (stocks on consecutive first days of months, without "
                "observed inflow); give sd_per_maand and persistentie as assumptions, "
                '{ waarde = ..., bron = "..." }'
            )
        self._data = [(s.relative.tolist(), s.noise.tolist()) for s in series]
        self.sigma_, self.rho_ = self._maximise()
        self.loglik_ = -self.negative_loglik(self.sigma_, self.rho_)
        critical = stats.chi2.ppf(self.level, 1) / 2
        self.sigma_interval_ = (
            None if self.fixed_sigma is not None else self._sigma_interval(critical)
        )
        self.rho_interval_ = None if self.fixed_rho is not None else self._rho_interval(critical)
        return self

    def negative_loglik(self, sigma: float, rho: float) -> float:
        """-log likelihood of every series by the Kalman filter, diffuse at its first value."""
        return sum(_series_negative_loglik(x, noise, sigma, rho) for x, noise in self._data)

    # --- maximising -------------------------------------------------------------------------

    def _maximise(self) -> tuple[float, float]:
        if self.fixed_rho is not None:
            return self._best_sigma(self.fixed_rho)[0], self.fixed_rho
        rho = _argmin(lambda r: self._best_sigma(r)[1], 0.0, 1.0)[0]
        return self._best_sigma(rho)[0], rho

    def _best_sigma(self, rho: float) -> tuple[float, float]:
        """(sigma, -l) maximising the likelihood at rho, or the fixed sigma."""
        if self.fixed_sigma is not None:
            return self.fixed_sigma, self.negative_loglik(self.fixed_sigma, rho)
        low, high = (math.log(v) for v in SIGMA_RANGE)
        log_sigma, value = _argmin(lambda s: self.negative_loglik(math.exp(s), rho), low, high)
        return math.exp(log_sigma), value

    def _best_rho(self, sigma: float) -> float:
        """-l at sigma, maximised over rho (or at the fixed rho)."""
        if self.fixed_rho is not None:
            return self.negative_loglik(sigma, self.fixed_rho)
        return _argmin(lambda r: self.negative_loglik(sigma, r), 0.0, 1.0)[1]

    # --- intervals ----------------------------------------------------------------------------

    def _sigma_interval(self, critical: float) -> tuple[float, float]:
        best = -self.loglik_
        low, high = (math.log(v) for v in SIGMA_RANGE)

        def drop(log_sigma: float) -> float:
            return self._best_rho(math.exp(log_sigma)) - best - critical

        centre = math.log(max(self.sigma_, SIGMA_RANGE[0]))
        lower, upper = _bounds(drop, centre, low, high)
        return (0.0 if lower == low else math.exp(lower)), math.exp(upper)

    def _rho_interval(self, critical: float) -> tuple[float, float]:
        best = -self.loglik_

        def drop(rho: float) -> float:
            return self._best_sigma(rho)[1] - best - critical

        return _bounds(drop, self.rho_, 0.0, 1.0)


def _series_negative_loglik(x: list[float], noise: list[float], sigma: float, rho: float) -> float:
    return _kalman(x, noise, sigma, rho)[0]


def _kalman(
    x: list[float], noise: list[float], sigma: float, rho: float
) -> tuple[float, float, float]:
    """(-log likelihood, filtered mean, filtered variance) of one series: the state at its last
    month given every value up to it (predicted through months without a value)."""
    total, mean, var = 0.0, math.nan, math.nan
    started = False
    for value, chance in zip(x, noise, strict=True):
        if not started:
            if math.isfinite(value):  # diffuse start: the state is the first value, +- chance
                mean, var, started = value, chance, True
            continue
        mean, var = rho * mean, rho * rho * var + sigma * sigma
        if not math.isfinite(value):
            continue
        spread = var + chance
        surprise = value - mean
        total += 0.5 * (math.log(2 * math.pi * spread) + surprise * surprise / spread)
        gain = var / spread
        mean += gain * surprise
        var *= 1 - gain
    return total, mean, var


def filtered_start(series: DeviationSeries, sigma: float, rho: float) -> tuple[float, float]:
    """(start, start_sd): the Kalman filter's estimate of eta at the series' last month and its
    standard deviation; what a forecast from the end of the window starts from."""
    _, mean, var = _kalman(series.relative.tolist(), series.noise.tolist(), sigma, rho)
    if not math.isfinite(mean):
        return 0.0, 0.0
    return mean, math.sqrt(max(var, 0.0))


def _argmin(function: Callable[[float], float], low: float, high: float) -> tuple[float, float]:
    """Minimum of a function of one variable on [low, high]: the best of a grid, refined between
    its neighbours (the grid guards against a second local minimum)."""
    grid = np.linspace(low, high, GRID)
    values = [function(float(v)) for v in grid]
    i = int(np.argmin(values))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, GRID - 1)]
    result = optimize.minimize_scalar(function, bounds=(a, b), method="bounded")
    if result.fun < values[i]:
        return float(result.x), float(result.fun)
    return float(grid[i]), float(values[i])


def _bounds(
    drop: Callable[[float], float], centre: float, low: float, high: float
) -> tuple[float, float]:
    """Where drop() crosses 0 below and above centre; the boundary where it does not."""
    lower = low if drop(low) <= 0 or centre <= low else optimize.brentq(drop, low, centre)
    upper = high if drop(high) <= 0 or centre >= high else optimize.brentq(drop, centre, high)
    return float(lower), float(upper)


# --- from a fit -----------------------------------------------------------------------------


def deviation_series(fitter: AggregateFitter) -> list[DeviationSeries]:
    """Per gemeente, the relative monthly surprises of the fitted stocks (module docstring)."""
    path, evaluation = fitter.path_, fitter.evaluation_
    assert evaluation.inflow is not None and evaluation.exits is not None
    observed, _ = observed_values(path)
    months = path.calendar.months
    result = []
    for k, gemeente in enumerate(path.gemeenten):
        residual, inflow, exits = np.zeros(months), np.zeros(months), np.zeros(months)
        for i, term in enumerate(path.stock_terms):
            if term.observation.gemeente != gemeente or not _one_month(term):
                continue
            m = term.month - 1
            residual[m] += observed[i] - evaluation.stock_mean[i]
            inflow[m] += evaluation.inflow[k, m, term.groups].sum()
            exits[m] += evaluation.exits[k, m, term.groups].sum()
        usable = inflow > 0
        safe = np.where(usable, inflow, 1.0)
        relative = np.where(usable, residual / safe, np.nan)
        noise = np.where(usable, (inflow + exits) / safe**2, np.nan)
        result.append(DeviationSeries(gemeente, path.calendar.dates[1:], relative, noise))
    return result


def _one_month(term: StockTerm) -> bool:
    """A plain stock one month after the previous stock of the same klantgroepen."""
    return (
        term.residual_of is None
        and term.given_inflow is None
        and term.previous_month is not None
        and term.previous_month == term.month - 1
    )


def estimate_deviation(
    config: CalibrationConfig, fitter: AggregateFitter
) -> DeviationEstimate | None:
    """The config's [instroom.schommeling]: estimated, assumed, or (without it) None; with
    `start = "filter"` (the default) also each gemeente's filtered deviation at the window's
    end, and the config's `inflatie` passed on as given."""
    spec = config.spec.instroom.schommeling
    if spec is None:
        return None
    sd, rho = spec.sd_per_maand, spec.persistentie
    assumed = {
        name: value.bron
        for name, value in (("sd_per_maand", sd), ("persistentie", rho))
        if value.waarde is not None
    }
    level = fitter.level
    both_assumed = sd.waarde is not None and rho.waarde is not None
    series = deviation_series(fitter) if spec.start == "filter" or not both_assumed else []
    if both_assumed:
        assert sd.waarde is not None and rho.waarde is not None
        sigma, persistence = sd.waarde, rho.waarde
        intervals: tuple[tuple[float, float] | None, ...] = (None, None)
    else:
        fit = DeviationFitter(level, sigma=sd.waarde, rho=rho.waarde).fit(series)
        sigma = 0.0 if fit.sigma_ <= 2 * SIGMA_RANGE[0] else fit.sigma_  # at the search's floor
        persistence = fit.rho_
        intervals = (fit.sigma_interval_, fit.rho_interval_)
    starts = {
        s.gemeente: _clipped(filtered_start(s, sigma, persistence))
        for s in series
        if spec.start == "filter"
    }
    return DeviationEstimate(
        sigma,
        persistence,
        intervals[0],
        intervals[1],
        level,
        () if both_assumed else tuple(series),
        assumed,
        starts,
        spec.inflatie,
    )


def _clipped(start: tuple[float, float]) -> tuple[float, float]:
    """Within the parameter file's range for start and start_sd (|value| <= 3)."""
    mean, sd = start
    return max(min(mean, 3.0), -3.0), min(sd, 3.0)


def cumulative_sd(sigma: float, rho: float, months: int) -> float:
    """Standard deviation of the mean of eta_1..eta_months (eta_0 = 0): how far the inflow of
    the first `months` months may lie from its expectation, as a share of it."""
    weights = np.array(
        [sum(rho ** (t - s) for t in range(s, months + 1)) for s in range(1, months + 1)]
    )
    return float(sigma * np.sqrt(np.sum(weights**2)) / months)
