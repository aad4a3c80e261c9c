"""How strongly the bijstand caseload follows unemployment, fitted on the national CBS series.

Stock-flow model, monthly: N(t+1) = N(t) + I(t) - mu(t) N(t), with
    I(t)  = I0 exp(g t) x(t - L) ** theta       (inflow, with a structural trend g)
    mu(t) = mu0 x(t - L) ** -theta              (exits)
where x is unemployment (a trailing 12-month mean, free of seasonality) relative to its first
value, mu0 the stated yearly exit rate / 12, and I0 = mu0 N(0). theta and g are fitted by least
squares on the yearly changes of log mean caseload, so the level and slow structural drift do not
count; the lag L is chosen by the fit. The stock series alone cannot tell an inflow elasticity
from an exit elasticity, so both are taken equal and opposite (a stated assumption).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares


@dataclass(frozen=True, slots=True)
class ElasticityFit:
    theta: float
    standard_error: float
    trend_per_year: float
    lag_months: int
    rmse: float  # of the yearly log changes


def fit_unemployment_elasticity(
    caseload: np.ndarray,
    unemployment: np.ndarray,
    years: np.ndarray,
    exit_rate_per_year: float = 0.25,
    lags: tuple[int, ...] = (0, 3, 6, 9, 12),
) -> ElasticityFit:
    """Fit theta on monthly series (equal length, `years` the calendar year of each month)."""
    smooth = np.convolve(unemployment, np.ones(12) / 12, mode="full")[: len(unemployment)]
    smooth[:11] = unemployment[:11]
    observed = _yearly_log_changes(caseload, years)
    fits = []
    for lag in lags:

        def residuals(p: np.ndarray, lag: int = lag) -> np.ndarray:
            path = _simulate(
                caseload[0], smooth / smooth[0], p[0], p[1], lag, exit_rate_per_year / 12
            )
            return _yearly_log_changes(path, years) - observed

        fits.append((least_squares(residuals, x0=[0.3, 0.0]), lag))
    best, lag = min(fits, key=lambda fit: fit[0].cost)
    dof = len(observed) - 2
    covariance = np.linalg.inv(best.jac.T @ best.jac) * (2 * best.cost / dof)
    return ElasticityFit(
        theta=float(best.x[0]),
        standard_error=float(np.sqrt(covariance[0, 0])),
        trend_per_year=float(best.x[1]),
        lag_months=lag,
        rmse=float(np.sqrt(2 * best.cost / len(observed))),
    )


def _simulate(
    n0: float, x: np.ndarray, theta: float, trend: float, lag: int, mu0: float
) -> np.ndarray:
    n = np.empty(len(x))
    n[0] = n0
    inflow0 = mu0 * n0
    for t in range(len(x) - 1):
        level = x[max(t - lag, 0)]
        inflow = inflow0 * np.exp(trend * t / 12) * level**theta
        n[t + 1] = n[t] + inflow - mu0 * level ** (-theta) * n[t]
    return n


def _yearly_log_changes(series: np.ndarray, years: np.ndarray) -> np.ndarray:
    means = np.array([series[years == y].mean() for y in np.unique(years)])
    return np.diff(np.log(means))
