"""Maximum likelihood on aggregate counts: stocks at dates and flows over periods.

With the expected path of `path` (the engine's expected flows, anchored to observed stocks) the
negative log (extended quasi-)likelihood of theta is

    -l(theta) = sum_stocks [ (y - mu)^2 / (2 phi V) + log(2 pi phi V) / 2 ]
              + sum_flows  [ d(y, mu) / (2 phi) + log(2 pi phi max(y, 1/6)) / 2 ]

with mu the expected value, V the stock term's variance (see `path`), and
d(y, mu) = 2 (y log(y / mu) - (y - mu)) the Poisson deviance. With phi = 1 (no overdispersion,
an assumption the config states) the flow part is the Poisson log likelihood up to a constant;
with phi estimated it is Nelder and Pregibon's extended quasi-likelihood, which lets the data
say how much more they vary than the model's chance alone.

theta-hat minimises -l (BFGS from moment-based starting values; with phi estimated, first with
phi = 1, then with phi free). Intervals: on each parameter's own scale (log for rates),
theta-hat +/- z se, se from the inverse observed information, the central-difference Hessian of
-l at theta-hat (`intervallen = "informatie"`); or the profile likelihood, the values where
2 (l(theta-hat) - max l with that parameter fixed) = chi2_1(level) (`intervallen = "profiel"`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Self

import numpy as np
import polars as pl
from scipy import optimize, stats

from simbijstand.estimation.aggregate.identifiability import Identifiability, assess
from simbijstand.estimation.aggregate.meanfield import whole_month_edges
from simbijstand.estimation.aggregate.parametrisation import Calendar, Parametrisation
from simbijstand.estimation.aggregate.path import Evaluation, ExpectedPath, observed_values
from simbijstand.estimation.aggregate.starts import starting_values
from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.observations import Observations
from simbijstand.estimation.observations.unemployment import Unemployment, unemployment_for

HESSIAN_STEP = 1e-4
LARGE = 1e100


@dataclass(frozen=True, slots=True)
class Terms:
    """Observed values of the likelihood terms, in the path's order."""

    stocks: np.ndarray
    flows: np.ndarray


class AggregateFitter:
    """Fit a calibration config's free parameters to aggregate counts.

    Usage: `AggregateFitter(config).fit(observations).params_`.
    """

    def __init__(
        self, config: CalibrationConfig, *, van: dt.date | None = None, tot: dt.date | None = None
    ) -> None:
        window = config.spec.waarneming
        self.config = config
        self.van, self.tot = van or window.van, tot or window.tot
        if self.van >= self.tot or self.van.day != 1 or self.tot.day != 1:
            raise EstimationError(
                f"observation window {self.van} to {self.tot}: give first days of months, van "
                "before tot"
            )
        self.level = config.spec.model.niveau
        self.edges = whole_month_edges(config.spec.model.duurbanden_maanden)

    def fit(self, observations: Observations, compositions: dict[str, dict[str, float]]) -> Self:
        """Estimate from `observations` (already inside the window); `compositions` gives the
        caseload's klantgroepen on van per gemeente where the config names one."""
        calendar = Calendar.of(self.van, self.tot)
        werkloosheid = self.config.spec.instroom.werkloosheid
        self.unemployment_: Unemployment | None = (
            unemployment_for(werkloosheid, calendar.dates) if werkloosheid else None
        )
        ratio = self.unemployment_.ratio if self.unemployment_ else None
        self.param_ = Parametrisation(
            self.config, starting_values(self.config, observations, calendar)
        )
        self.path_ = ExpectedPath(
            self.param_, observations, calendar, self.edges, ratio, compositions
        )
        stocks, flows = observed_values(self.path_)
        self._terms = Terms(stocks, flows)
        if len(stocks) + len(flows) == 0:
            raise EstimationError(
                f"no observations to fit inside {self.van} to {self.tot}: add [[reeks]] entries "
                "with stocks or flows in the window"
            )
        self.theta_ = self._maximise()
        self.loglik_ = -self.objective(self.theta_)
        self.hessian_ = hessian(self.objective, self.theta_)
        self.identifiability_: Identifiability = assess(self.param_.parameters, self.hessian_)
        self.covariance_ = self.identifiability_.covariance
        self.evaluation_ = self.path_.evaluate(self.theta_, keep_states=True)
        self.dispersion_ = self.param_.dispersion(self.theta_)
        self.params_ = self._parameter_table()
        return self

    # --- likelihood ---------------------------------------------------------------------------

    def objective(self, theta: np.ndarray) -> float:
        """-l(theta), see the module docstring; a huge value where the model breaks down."""
        with np.errstate(all="ignore"):
            try:
                evaluation = self.path_.evaluate(theta)
            except (FloatingPointError, np.linalg.LinAlgError, OverflowError):
                return LARGE
            value = negative_loglik(self._terms, evaluation, self.param_.dispersion(theta))
        return value if np.isfinite(value) else LARGE

    def _maximise(self) -> np.ndarray:
        theta = self.param_.start()
        if self.config.spec.model.overdispersie.schatten:
            # phi starts at the mean squared Pearson residual of the start values: with phi
            # held at 1 instead, badly overdispersed data would pull the gross flows up (a
            # larger model variance makes large residuals cheaper)
            evaluation = self.path_.evaluate(theta)
            theta[-1] = np.log(max(pearson(self._terms, evaluation, 1.0).mean(), 1.0))
        return _minimise(self.objective, theta, self)

    # --- results ------------------------------------------------------------------------------

    def _parameter_table(self) -> pl.DataFrame:
        z = stats.norm.ppf((1 + self.level) / 2)
        se = np.sqrt(np.clip(np.diag(self.covariance_), 0, None))
        lower, upper = self.theta_ - z * se, self.theta_ + z * se
        method = "waargenomen informatie (Wald)"
        if self.config.spec.model.intervallen == "profiel":
            lower, upper = profile_intervals(self, stats.chi2.ppf(self.level, 1), se)
            method = "profiel-likelihood"
        return pl.DataFrame(
            {
                "parameter": [p.name for p in self.param_.parameters],
                "schaal": [p.kind for p in self.param_.parameters],
                "theta": self.theta_,
                "se": se,
                "theta_laag": lower,
                "theta_hoog": upper,
                "status": self.identifiability_.status,
                "methode": method,
            }
        )

    def fitted(self) -> pl.DataFrame:
        """Observed against fitted for every likelihood term, with (Pearson) residuals."""
        ev, terms, phi = self.evaluation_, self._terms, self.dispersion_
        rows = []
        for i, term in enumerate(self.path_.stock_terms):
            kind = "bestand (netto doorstroom)" if term.residual_of else "bestand"
            rows.append(
                _row(
                    term.observation,
                    kind,
                    terms.stocks[i],
                    ev.stock_mean[i],
                    np.sqrt(phi * ev.stock_variance[i]),
                )
            )
        for i, term in enumerate(self.path_.flow_terms):
            flow = term.observation
            routes = "" if flow.routes is None else f" ({'+'.join(flow.routes)})"
            rows.append(
                _row(
                    flow,
                    flow.kind + routes,
                    terms.flows[i],
                    ev.flow_mean[i],
                    np.sqrt(phi * max(ev.flow_mean[i], 1e-12)),
                )
            )
        return pl.DataFrame(rows, orient="row", schema=FITTED_SCHEMA)

    def observation_count(self) -> int:
        return len(self._terms.stocks) + len(self._terms.flows)


FITTED_SCHEMA = {
    "reeks": pl.String,
    "bestand": pl.String,
    "rij": pl.Int64,
    "gemeente": pl.String,
    "soort": pl.String,
    "van": pl.Date,
    "tot": pl.Date,
    "waargenomen": pl.Float64,
    "verwacht": pl.Float64,
    "residu": pl.Float64,
    "pearson": pl.Float64,
}


def _row(observation, kind: str, observed: float, expected: float, sd: float) -> tuple:
    origin = observation.origin
    if hasattr(observation, "date"):
        gemeente, start, end = observation.gemeente, observation.date, observation.date
    else:
        gemeente, start, end = "+".join(observation.gemeenten), observation.start, observation.end
    residual = observed - expected
    return (
        origin.reeks,
        str(origin.file.name),
        origin.row,
        gemeente,
        kind,
        start,
        end,
        observed,
        expected,
        residual,
        residual / sd if sd > 0 else float("nan"),
    )


def negative_loglik(terms: Terms, evaluation: Evaluation, phi: float) -> float:
    variance = phi * evaluation.stock_variance
    residual = terms.stocks - evaluation.stock_mean
    single = np.ones(len(residual), dtype=bool)
    stock_part = 0.0
    by_size: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for indices, covariance in evaluation.blocks:
        single[indices] = False
        by_size.setdefault(len(indices), []).append((indices, covariance))
    for blocks in by_size.values():
        stock_part += _joint_normal(
            np.stack([residual[i] for i, _ in blocks]), phi * np.stack([c for _, c in blocks])
        )
    stock_part += 0.5 * np.sum(
        residual[single] ** 2 / variance[single] + np.log(2 * np.pi * variance[single])
    )
    mu = np.maximum(evaluation.flow_mean, 1e-300)
    y = terms.flows
    deviance = 2 * (np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0) - (y - mu))
    flow_part = np.sum(deviance / (2 * phi) + 0.5 * np.log(2 * np.pi * phi * np.maximum(y, 1 / 6)))
    return float(stock_part + flow_part)


def _joint_normal(residual: np.ndarray, covariance: np.ndarray) -> float:
    """-log density of normal vectors [n, k] with covariances [n, k, k] that may be singular
    (net doorstroom into all klantgroepen sums to zero): on the subspace of positive
    eigenvalues."""
    eigenvalues, vectors = np.linalg.eigh(covariance)
    keep = eigenvalues > 1e-9 * np.maximum(eigenvalues.max(axis=1, keepdims=True), 1e-300)
    projected = np.einsum("nkj,nk->nj", vectors, residual)
    safe = np.where(keep, eigenvalues, 1.0)
    return float(0.5 * np.sum(np.where(keep, projected**2 / safe + np.log(2 * np.pi * safe), 0)))


def pearson(terms: Terms, evaluation: Evaluation, phi: float) -> np.ndarray:
    """Squared Pearson residuals of every term."""
    stocks = (terms.stocks - evaluation.stock_mean) ** 2 / (phi * evaluation.stock_variance)
    mu = np.maximum(evaluation.flow_mean, 1e-12)
    flows = (terms.flows - mu) ** 2 / (phi * mu)
    return np.concatenate([stocks, flows])


def _minimise(function, start: np.ndarray, fitter: AggregateFitter) -> np.ndarray:
    if start.size == 0:
        return start
    result = optimize.minimize(
        function, start, method="BFGS", options={"gtol": 1e-6, "maxiter": 2000}
    )
    if not np.isfinite(result.fun) or result.fun >= LARGE:
        raise EstimationError(
            f"calibration {fitter.config.spec.naam}: the likelihood cannot be evaluated near the "
            "start values; check that the window's stocks and flows are of the same gemeenten"
        )
    gradient = optimize.approx_fprime(result.x, function, 1e-6)
    if np.max(np.abs(gradient)) > 1e-2 * max(1.0, abs(result.fun)) ** 0.5:
        raise EstimationError(
            f"calibration {fitter.config.spec.naam}: the fit did not converge ({result.message}); "
            "fix weakly identified parameters as assumptions ({ waarde = ..., bron = ... })"
        )
    return result.x


def hessian(function, theta: np.ndarray, step: float = HESSIAN_STEP) -> np.ndarray:
    """Central-difference Hessian of `function` at theta."""
    size = len(theta)
    h = step * np.maximum(1.0, np.abs(theta))
    result = np.zeros((size, size))
    f0 = function(theta)
    for i in range(size):
        e_i = np.zeros(size)
        e_i[i] = h[i]
        result[i, i] = (function(theta + 2 * e_i) - 2 * f0 + function(theta - 2 * e_i)) / (
            4 * h[i] ** 2
        )
        for j in range(i):
            e_j = np.zeros(size)
            e_j[j] = h[j]
            value = (
                function(theta + e_i + e_j)
                - function(theta + e_i - e_j)
                - function(theta - e_i + e_j)
                + function(theta - e_i - e_j)
            ) / (4 * h[i] * h[j])
            result[i, j] = result[j, i] = value
    return result


def profile_intervals(
    fitter: AggregateFitter, critical: float, se: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where twice the drop of the profile log likelihood reaches `critical`, per parameter."""
    theta, best = fitter.theta_, fitter.objective(fitter.theta_)
    lower, upper = np.full(len(theta), np.nan), np.full(len(theta), np.nan)
    for i in range(len(theta)):
        width = se[i] if np.isfinite(se[i]) and se[i] > 0 else 1.0
        others = np.delete(theta, i)

        def drop(value: float, i: int = i) -> float:
            nonlocal others

            def partial(rest: np.ndarray) -> float:
                return fitter.objective(np.insert(rest, i, value))

            result = optimize.minimize(partial, others, method="BFGS", options={"gtol": 1e-5})
            others = result.x
            return 2 * (result.fun - best) - critical

        lower[i] = _bound(drop, theta[i], -width)
        others = np.delete(theta, i)
        upper[i] = _bound(drop, theta[i], width)
    return lower, upper


def _bound(drop, centre: float, step: float) -> float:
    """The root of drop() beyond `centre` in the direction of `step`, widening the bracket."""
    inner = centre
    for _ in range(12):
        outer = inner + step
        if drop(outer) > 0:
            return optimize.brentq(drop, inner, outer, xtol=1e-4)
        inner, step = outer, step * 2
    return np.inf if step > 0 else -np.inf
