"""The baselines of `baselines` for a history observed at dates that need not be monthly.

Time t is counted in months. From the history (t_1, y_1) .. (t_T, y_T), h = tau - t_T months
ahead of the last observation, with differences dy_i = y_i - y_{i-1} over dt_i months:

- naive: f = y_T; a random walk with per-month variance s^2 = mean(dy_i^2 / dt_i);
  sigma_h = s sqrt(h);
- drift: c = (y_T - y_1) / (t_T - t_1) per month, f = y_T + c h;
  s^2 = sum((dy_i - c dt_i)^2 / dt_i) / (N - 1); sigma_h = s sqrt(h (1 + h / (t_T - t_1)));
- seasonal naive: only for a monthly history (`baselines.seasonal_naive_forecast`).

For a monthly history (dt_i = 1) these are exactly `naive_forecast` and `drift_forecast`. The
MASE scale is the in-sample mean |dy_i| of the one-step naive forecast on the history's own grid.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from simbijstand.domain.calendar import months_between
from simbijstand.estimation.backtest.baselines import Forecast, seasonal_naive_forecast
from simbijstand.estimation.errors import EstimationError

SEASON = 12


def dated_baselines(
    dates: list[dt.date], history: np.ndarray, targets: list[dt.date]
) -> dict[str, Forecast]:
    """Naive, drift and (for a monthly history of 13 or more) seasonal naive forecasts."""
    if len(history) < 3:
        raise EstimationError(
            f"a history of {len(history)} observation(s) before the origin; baselines need 3"
        )
    t = np.array([months_between(dates[0], d) for d in dates], dtype=float)
    ahead = np.array([months_between(dates[-1], d) for d in targets], dtype=float)
    step, change = np.diff(t), np.diff(history)
    naive_sd = np.sqrt(np.mean(change**2 / step))
    drift = (history[-1] - history[0]) / (t[-1] - t[0])
    drift_sd = np.sqrt(np.sum((change - drift * step) ** 2 / step) / (len(step) - 1))
    result = {
        "naive": Forecast("naive", np.full(len(targets), history[-1]), naive_sd * np.sqrt(ahead)),
        "drift": Forecast(
            "drift",
            history[-1] + drift * ahead,
            drift_sd * np.sqrt(ahead * (1 + ahead / (t[-1] - t[0]))),
        ),
    }
    if np.all(step == 1) and len(history) > SEASON and len(targets):
        full = seasonal_naive_forecast(history, int(ahead.max()), period=SEASON)
        picked = ahead.astype(int) - 1
        result["seasonal_naive"] = Forecast(
            "seasonal_naive", full.mean[picked], full.sigma_h[picked]
        )
    return result


def naive_scale(history: np.ndarray) -> float:
    """Mean absolute one-step change of the history: the MASE denominator."""
    scale = float(np.mean(np.abs(np.diff(history))))
    if scale == 0:
        raise EstimationError("the history does not change, so MASE is undefined; use MAE")
    return scale
