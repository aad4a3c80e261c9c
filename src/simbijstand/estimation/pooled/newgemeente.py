"""The pool's rates for a gemeente that was not in the fit, from its covariates alone.

Prediction: a new gemeente's log rate is x' beta + u, u ~ N(0, tau^2) (`shrinkage`): mean
x' beta, variance tau^2 + x' Cov(beta) x, with x its covariates centred as in the fit.
Covariates (`covariates`): log inhabitants (15 to the state-pension age), log of (persons + 5)
per inhabitant, and the log change of the stock over the last year (0 when it is not known:
a stable caseload).

Steady state (`at_steady_state`): a planner's beginstand with the predicted rates would still
drift toward inflow / hazard, which the pool does not know for this gemeente. Assuming the
caseload is stable (the same assumption as a change of 0 above), the two log rates are moved
as little as their predictive variances allow, so that inflow = hazard x beginstand:
minimise (u - m_u)^2 / v_u + (w - m_w)^2 / v_w over w (log counted hazard) with
u = log((e^w + a) S / c), a the uncounted exits, S the beginstand in benefits and c the
inhabitants per benefit of inflow. The moved rates' variances are the linearised conditional
ones: the two now move together (k = e^w / (e^w + a)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.pooled.covariates import SMOOTH
from simbijstand.estimation.pooled.record import PoolRecord, StoredPool
from simbijstand.estimation.pooled.yearlevel import MAX_FACTOR_VARIANCE


@dataclass(frozen=True, slots=True)
class NewGemeente:
    """What the pool needs to know of a gemeente, in the units of its data (CBS persons)."""

    inwoners: float  # inhabitants from 15 to the state-pension age
    persons: float  # persons with bijstand at the start
    change: float = 0.0  # log((S + 5) / (S_year_before + 5)); 0: a stable caseload


@dataclass(frozen=True, slots=True)
class LogPrediction:
    mean: float
    variance: float

    @property
    def value(self) -> float:
        return math.exp(self.mean)


@dataclass(frozen=True, slots=True)
class Prediction:
    inflow: LogPrediction  # per inhabitant (15 to AOW age) per year
    exit: LogPrediction  # counted exit hazard per year


def covariates(gemeente: NewGemeente) -> dict[str, float]:
    if not 0 < gemeente.persons < gemeente.inwoners:
        raise EstimationError(
            f"pooled prediction: needs 0 < persons ({gemeente.persons:g}) < inhabitants "
            f"({gemeente.inwoners:g})"
        )
    return {
        "grootte": math.log(gemeente.inwoners),
        "dichtheid": math.log((gemeente.persons + SMOOTH) / gemeente.inwoners),
        "verandering": gemeente.change,
    }


def predict(record: PoolRecord, gemeente: NewGemeente) -> Prediction:
    """The pool's predictive distribution of both log rates (module docstring)."""
    values = covariates(gemeente)
    return Prediction(_predict(record.inflow, values), _predict(record.exit, values))


def _predict(pool: StoredPool, values: dict[str, float]) -> LogPrediction:
    x = np.array([1.0, *(values[n] - pool.centre[n] for n in pool.covariates)])
    return LogPrediction(float(x @ pool.beta), float(pool.tau2 + x @ pool.beta_cov @ x))


@dataclass(frozen=True, slots=True)
class SteadyRates:
    """Rates moved so the beginstand is their steady state (module docstring), in benefits."""

    inflow_per_year: float  # benefits a year
    counted_hazard: float
    uncounted: float
    inflow_log_variance: float
    exit_log_variance: float  # of the log counted hazard
    covariance: float  # between the two logs
    predicted: Prediction  # before the move
    predicted_inflow_per_year: float  # benefits a year, before the move

    @property
    def hazard(self) -> float:
        return self.counted_hazard + self.uncounted


def at_steady_state(
    prediction: Prediction, stock: float, inhabitants_per_benefit: float, uncounted: float
) -> SteadyRates:
    """`stock` benefits at the steady state of rates moved least (module docstring);
    `inhabitants_per_benefit` turns inflow per inhabitant into benefits (inhabitants / persons
    per benefit), `uncounted` is the uncounted exit hazard of the start year."""
    if stock <= 0 or inhabitants_per_benefit <= 0 or uncounted < 0:
        raise EstimationError(f"steady state: needs a positive stock, not {stock:g}")
    m_u, v_u = prediction.inflow.mean, prediction.inflow.variance
    m_w, v_w = prediction.exit.mean, prediction.exit.variance
    scale = stock / inhabitants_per_benefit

    def log_inflow(w: float) -> float:
        return math.log((math.exp(w) + uncounted) * scale)

    def loss(w: float) -> float:
        return (log_inflow(w) - m_u) ** 2 / v_u + (w - m_w) ** 2 / v_w

    w = float(optimize.minimize_scalar(loss, bounds=(m_w - 10, m_w + 10), method="bounded").x)
    k = math.exp(w) / (math.exp(w) + uncounted)
    var_w = 1 / (1 / v_w + k * k / v_u)
    return SteadyRates(
        inflow_per_year=math.exp(log_inflow(w)) * inhabitants_per_benefit,
        counted_hazard=math.exp(w),
        uncounted=uncounted,
        inflow_log_variance=k * k * var_w,
        exit_log_variance=var_w,
        covariance=k * var_w,
        predicted=prediction,
        predicted_inflow_per_year=prediction.inflow.value * inhabitants_per_benefit,
    )


def level_factor_variance(record: PoolRecord, hazard: float, persons: float) -> float:
    """Variance of the factor 1 + z on the year's inflow for the year-level deviation (own plus
    common, `yearlevel.level_factor_variance`) of a gemeente of `persons` (CBS persons, the unit
    the own variance v(S) was fitted in) at its steady state: there dS/dz = S (1 - e^(-H)), so
    the variance is (v(S) / S^2 + common) / (1 - e^(-H))^2."""
    share = 1 - math.exp(-hazard)
    return min(_relative(record, persons) / share**2, MAX_FACTOR_VARIANCE)


def national_factor_variance(record: PoolRecord, hazard: float, persons: float) -> float:
    """The national part of `level_factor_variance` (in proportion, as `yearlevel.level_parts`
    splits it): drawn in the block shared with every other gemeente of a run."""
    both = _relative(record, persons)
    share = record.common_variance / both if both > 0 else 0.0
    return level_factor_variance(record, hazard, persons) * share


def own_relative_variance(record: PoolRecord, persons: float) -> float:
    """The own year-level variance of a gemeente of `persons`, relative to its stock squared."""
    return float(record.own_variance.variance(persons)) / persons**2


def _relative(record: PoolRecord, persons: float) -> float:
    return own_relative_variance(record, persons) + record.common_variance
