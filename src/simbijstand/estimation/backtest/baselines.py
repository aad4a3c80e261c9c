"""Simple benchmark forecasts from a monthly series, with normal prediction intervals.

From a history y_1..y_T, h = 1..H steps ahead, each method gives a point forecast and
sigma_h, the standard deviation of the h-step forecast distribution; the interval at level p
is forecast +/- z * sigma_h with z = norm.ppf((1 + p) / 2). As in Hyndman & Athanasopoulos,
Forecasting: Principles and Practice (3rd ed.), section 5.5, sigma is estimated from the
residuals e_t of the method's one-step fit, sigma^2 = sum e_t^2 / (N - K), N residuals, K
estimated parameters:

- naive (last value):  f_h = y_T;  e_t = y_t - y_{t-1};  sigma_h = sigma sqrt(h).
- drift (random walk with drift):  c = (y_T - y_1) / (T - 1);  f_h = y_T + h c;
  e_t = y_t - y_{t-1} - c, K = 1;  sigma_h = sigma sqrt(h (1 + h / (T - 1))).
  The drift is a mean of T - 1 differences, so Var(c) = sigma^2 / (T - 1) and
  Var(y_T+h - f_h) = sigma^2 (h + h^2 / (T - 1)); some texts write h / T, an O(1/T) difference.
- seasonal naive (period m, 12 for months):  f_h = y_{T + h - m (k + 1)}, k = floor((h - 1) / m);
  e_t = y_t - y_{t-m};  sigma_h = sigma sqrt(k + 1).

The intervals assume independent, normal, homoscedastic residuals; backtests score how honest
that is (see `backtest_metrics.coverage`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from simbijstand.estimation.backtest._arrays import ArrayLike, as_series
from simbijstand.estimation.errors import EstimationError

MONTHS_PER_YEAR = 12


@dataclass(frozen=True, slots=True)
class Forecast:
    """Point forecasts for h = 1..H and the standard deviation of each forecast distribution."""

    method: str
    mean: np.ndarray
    sigma_h: np.ndarray

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) of the central prediction interval at `level`, e.g. 0.8."""
        if not 0 < level < 1:
            raise EstimationError(
                f"interval level {level}: choose a number between 0 and 1, e.g. 0.8"
            )
        half_width = norm.ppf((1 + level) / 2) * self.sigma_h
        return self.mean - half_width, self.mean + half_width


def naive_forecast(history: ArrayLike, horizon: int) -> Forecast:
    """Last value carried forward."""
    y = as_series(history, "history", min_length=2)
    steps = _steps(horizon)
    sigma = _sigma(np.diff(y), parameters=0)
    return Forecast("naive", np.full(horizon, y[-1]), sigma * np.sqrt(steps))


def drift_forecast(history: ArrayLike, horizon: int) -> Forecast:
    """Random walk with drift: the line through the first and last value, extended."""
    y = as_series(history, "history", min_length=3)
    steps = _steps(horizon)
    differences = len(y) - 1
    drift = (y[-1] - y[0]) / differences
    sigma = _sigma(np.diff(y) - drift, parameters=1)
    return Forecast(
        "drift", y[-1] + steps * drift, sigma * np.sqrt(steps * (1 + steps / differences))
    )


def seasonal_naive_forecast(
    history: ArrayLike, horizon: int, *, period: int = MONTHS_PER_YEAR
) -> Forecast:
    """The value of the same month (season) in the last observed year."""
    if period < 2:
        raise EstimationError(
            f"period = {period}: a season needs at least 2 steps; use naive_forecast"
        )
    y = as_series(history, "history", min_length=period + 1)
    steps = _steps(horizon)
    full_seasons = (steps - 1) // period
    source = len(y) + steps - period * (full_seasons + 1) - 1  # 0-based index of y_{T+h-m(k+1)}
    sigma = _sigma(y[period:] - y[:-period], parameters=0)
    return Forecast("seasonal_naive", y[source], sigma * np.sqrt(full_seasons + 1))


def baseline_forecasts(
    history: ArrayLike, horizon: int, *, period: int = MONTHS_PER_YEAR
) -> dict[str, Forecast]:
    """All three baselines, keyed by method name."""
    return {
        "naive": naive_forecast(history, horizon),
        "drift": drift_forecast(history, horizon),
        "seasonal_naive": seasonal_naive_forecast(history, horizon, period=period),
    }


def _steps(horizon: int) -> np.ndarray:
    if horizon < 1:
        raise EstimationError(f"horizon = {horizon}: forecast at least 1 step ahead")
    return np.arange(1, horizon + 1)


def _sigma(residuals: np.ndarray, *, parameters: int) -> float:
    """Residual standard deviation: sqrt(sum e^2 / (N - K))."""
    return float(np.sqrt(np.sum(residuals**2) / (len(residuals) - parameters)))
