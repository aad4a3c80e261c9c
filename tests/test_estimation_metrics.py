"""Backtest metrics and baseline forecasts, checked against a toy series computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from simbijstand.estimation.backtest.baselines import (
    baseline_forecasts,
    drift_forecast,
    naive_forecast,
    seasonal_naive_forecast,
)
from simbijstand.estimation.backtest.metrics import coverage, mae, mape, mase, score_forecast
from simbijstand.estimation.errors import EstimationError

# Toy series, by hand:
# history y = 10, 12, 11, 13, 14 (T = 5); actuals that followed: 15, 13, 18.
#
# naive: forecast 14, 14, 14; errors 1, -1, 4
#   MAE  = (1 + 1 + 4) / 3 = 2
#   MAPE = 100 * (1/15 + 1/13 + 4/18) / 3 = 100 * (0.066667 + 0.076923 + 0.222222) / 3 = 12.1937
#   MASE: in-sample one-step naive errors |12-10|, |11-12|, |13-11|, |14-13| = 2, 1, 2, 1,
#         mean 1.5, so MASE = 2 / 1.5 = 1.3333
#   sigma^2 = (2^2 + 1^2 + 2^2 + 1^2) / 4 = 2.5; sigma_h = sqrt(2.5 h) = 1.5811, 2.2361, 2.7386
#   80% (z = 1.28155): 14 +/- 2.0263, 2.8657, 3.5097 -> 15 in, 13 in, 18 out: coverage 2/3
#   90% (z = 1.64485): h = 3: 14 +/- 4.5046 = [9.495, 18.505] -> 18 in: coverage 1
# drift: c = (14 - 10) / 4 = 1; forecast 15, 16, 17; residuals 2-1, -1-1, 2-1, 1-1 = 1, -2, 1, 0
#   sigma^2 = 6 / (4 - 1) = 2; sigma_h = sqrt(2 h (1 + h / 4)) = sqrt(2.5), sqrt(6), sqrt(10.5)
#   errors 0, -3, 1: MAE = 4/3
HISTORY = [10.0, 12.0, 11.0, 13.0, 14.0]
ACTUAL = [15.0, 13.0, 18.0]


def test_metrics_of_the_naive_forecast() -> None:
    forecast = naive_forecast(HISTORY, 3)
    np.testing.assert_allclose(forecast.mean, [14, 14, 14])
    np.testing.assert_allclose(forecast.sigma_h, np.sqrt(2.5 * np.array([1, 2, 3])))
    assert mae(ACTUAL, forecast.mean) == pytest.approx(2.0)
    assert mape(ACTUAL, forecast.mean) == pytest.approx(100 * (1 / 15 + 1 / 13 + 4 / 18) / 3)
    assert mape(ACTUAL, forecast.mean) == pytest.approx(12.1937, abs=1e-4)
    assert mase(ACTUAL, forecast.mean, HISTORY) == pytest.approx(4 / 3)
    lower, upper = forecast.interval(0.8)
    np.testing.assert_allclose(upper - 14, [2.0263, 2.8657, 3.5097], atol=1e-4)
    assert coverage(ACTUAL, lower, upper) == pytest.approx(2 / 3)
    assert coverage(ACTUAL, *forecast.interval(0.9)) == 1.0


def test_score_forecast_bundles_the_metrics() -> None:
    scores = score_forecast(ACTUAL, naive_forecast(HISTORY, 3), HISTORY)
    assert scores.mae == pytest.approx(2.0)
    assert scores.mase == pytest.approx(4 / 3)
    assert scores.coverage == pytest.approx({0.8: 2 / 3, 0.9: 1.0})
    assert score_forecast([0.0, 1.0, 2.0], naive_forecast(HISTORY, 3), HISTORY).mape is None


def test_drift_forecast() -> None:
    forecast = drift_forecast(HISTORY, 3)
    np.testing.assert_allclose(forecast.mean, [15, 16, 17])
    np.testing.assert_allclose(forecast.sigma_h, np.sqrt([2.5, 6.0, 10.5]))
    assert mae(ACTUAL, forecast.mean) == pytest.approx(4 / 3)


def test_seasonal_naive_forecast_and_seasonal_mase() -> None:
    # Period 4: history 1 2 3 4 | 2 3 4 5. Forecasts repeat the last season: 2 3 4 5 2.
    # Residuals y_t - y_{t-4} = 1, 1, 1, 1: sigma = sqrt(4 / 4) = 1; h = 5 is in the second
    # season ahead (k = 1): sigma_5 = sqrt(2). Seasonal MASE scale: mean |y_t - y_{t-4}| = 1.
    history = [1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 4.0, 5.0]
    forecast = seasonal_naive_forecast(history, 5, period=4)
    np.testing.assert_allclose(forecast.mean, [2, 3, 4, 5, 2])
    np.testing.assert_allclose(forecast.sigma_h, [1, 1, 1, 1, np.sqrt(2)])
    actual = [3.0, 3.0, 4.0, 5.0, 4.0]  # errors 1, 0, 0, 0, 2: MAE 0.6
    assert mase(actual, forecast.mean, history, period=4) == pytest.approx(0.6)


def test_baselines_on_a_monthly_series() -> None:
    months = np.arange(36)
    history = 100 + months + 5 * np.sin(2 * np.pi * months / 12)
    forecasts = baseline_forecasts(history, 12)
    assert set(forecasts) == {"naive", "drift", "seasonal_naive"}
    np.testing.assert_allclose(forecasts["seasonal_naive"].mean, history[24:36])
    assert all(len(f.mean) == 12 for f in forecasts.values())


@pytest.mark.parametrize(
    ("call", "keywords"),
    [
        (lambda: mae([1.0, 2.0], [1.0]), "different lengths"),
        (lambda: mae([1.0, float("nan")], [1.0, 2.0]), r"actual\[1\] = nan"),
        (lambda: mape([0.0, 2.0], [1.0, 2.0]), "MAPE is undefined"),
        (lambda: mase([1.0], [1.0], [5.0, 5.0, 5.0]), "MASE is undefined"),
        (lambda: mase([1.0], [1.0], [5.0], period=1), "at least 2 needed"),
        (lambda: coverage([1.0], [2.0], [0.0]), "lower is above upper"),
        (lambda: naive_forecast(HISTORY, 0), "horizon = 0"),
        (lambda: drift_forecast([1.0, 2.0], 3), "at least 3 needed"),
        (lambda: seasonal_naive_forecast(HISTORY, 3), "at least 13 needed"),
        (lambda: naive_forecast(HISTORY, 3).interval(80), "level 80"),
    ],
)
def test_unusable_input_is_refused(call, keywords: str) -> None:
    with pytest.raises(EstimationError, match=keywords):
        call()
