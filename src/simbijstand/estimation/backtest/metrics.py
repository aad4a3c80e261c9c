"""Accuracy of a forecast against what happened: MAE, MAPE, MASE and interval coverage.

With actuals y_1..y_n, forecasts f_1..f_n and errors e_i = y_i - f_i:

    MAE      = mean |e_i|
    MAPE     = 100 * mean |e_i / y_i|             (percent; undefined when some y_i = 0)
    MASE     = MAE / Q,  Q = mean_{t=m+1..T} |h_t - h_{t-m}|
    coverage = share of i with lower_i <= y_i <= upper_i

MASE (Hyndman & Koehler 2006) scales by Q, the in-sample mean absolute error of the naive
forecast on the history h_1..h_T the forecast was made from: one-step naive for period m = 1
(the default), seasonal naive for m = 12. MASE < 1: better than that naive method in-sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbijstand.estimation.backtest._arrays import ArrayLike, as_series, same_length
from simbijstand.estimation.backtest.baselines import Forecast
from simbijstand.estimation.errors import EstimationError

DEFAULT_LEVELS = (0.8, 0.9)


def mae(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Mean absolute error."""
    y, f = _pair(actual, forecast)
    return float(np.mean(np.abs(y - f)))


def mape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Mean absolute percentage error, in percent."""
    y, f = _pair(actual, forecast)
    zero = np.flatnonzero(y == 0)
    if zero.size:
        raise EstimationError(
            f"actual[{zero[0]}] is 0, so MAPE is undefined; use MAE or MASE for this series"
        )
    return float(100 * np.mean(np.abs((y - f) / y)))


def mase(actual: ArrayLike, forecast: ArrayLike, history: ArrayLike, *, period: int = 1) -> float:
    """Mean absolute scaled error: MAE over the in-sample MAE of the (seasonal) naive forecast."""
    if period < 1:
        raise EstimationError(
            f"period = {period}: use 1 (naive scaling) or the season length, e.g. 12"
        )
    past = as_series(history, "history", min_length=period + 1)
    scale = float(np.mean(np.abs(past[period:] - past[:-period])))
    if scale == 0:
        raise EstimationError(
            f"the history does not change over {period} step(s), so MASE is undefined; use MAE"
        )
    return mae(actual, forecast) / scale


def coverage(actual: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of actuals inside [lower, upper], bounds included."""
    y = as_series(actual, "actual")
    lo, hi = as_series(lower, "lower"), as_series(upper, "upper")
    same_length(actual=y, lower=lo, upper=hi)
    if np.any(lo > hi):
        raise EstimationError("lower is above upper somewhere; pass the bounds in that order")
    return float(np.mean((lo <= y) & (y <= hi)))


@dataclass(frozen=True, slots=True)
class ForecastScores:
    """All metrics of one forecast; `coverage` maps an interval level (0.8) to its coverage."""

    mae: float
    mape: float | None  # None when some actual is 0
    mase: float
    coverage: dict[float, float]


def score_forecast(
    actual: ArrayLike,
    forecast: Forecast,
    history: ArrayLike,
    *,
    period: int = 1,
    levels: tuple[float, ...] = DEFAULT_LEVELS,
) -> ForecastScores:
    """Score `forecast` against `actual`, with the coverage of its intervals at `levels`."""
    y = as_series(actual, "actual")
    return ForecastScores(
        mae=mae(y, forecast.mean),
        mape=mape(y, forecast.mean) if np.all(y != 0) else None,
        mase=mase(y, forecast.mean, history, period=period),
        coverage={level: coverage(y, *forecast.interval(level)) for level in levels},
    )


def _pair(actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y, f = as_series(actual, "actual"), as_series(forecast, "forecast")
    same_length(actual=y, forecast=f)
    return y, f
