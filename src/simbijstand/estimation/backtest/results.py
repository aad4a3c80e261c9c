"""The results of a backtest: forecasts and scores per origin and horizon, and their summary.

At every observed date of the target in (origin, origin + horizon] our forecast is the mean over
the engine's replications and its 80% and 90% bands the 10-90 and 5-95 percentiles; next to it
the baselines (`dated_baselines`) on the target's history before the origin, with normal bands,
and the municipality's own forecast (`own_forecast`) where the config names one made before the
origin. Each is scored with MAE, MAPE, MASE (scaled by the history's naive in-sample error) and
the coverage of its bands (`metrics`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from simbijstand.domain.calendar import add_months
from simbijstand.estimation.backtest.baselines import Forecast
from simbijstand.estimation.backtest.dated_baselines import dated_baselines, naive_scale
from simbijstand.estimation.backtest.metrics import coverage, mae, mape
from simbijstand.estimation.backtest.own_forecast import own_forecast
from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.errors import EstimationError

OURS = "simbijstand"
LEVELS = (0.8, 0.9)


@dataclass(frozen=True, slots=True)
class Band:
    """A forecast at the target dates: point and central bands at LEVELS (None: no band)."""

    mean: np.ndarray
    bands: dict[float, tuple[np.ndarray, np.ndarray]] | None


@dataclass(frozen=True, slots=True)
class Score:
    mae: float
    mape: float | None
    mase: float
    coverage: dict[float, float] | None


@dataclass(frozen=True, slots=True)
class OriginResult:
    origin: dt.date
    horizon: int
    dates: list[dt.date]
    actual: np.ndarray
    forecasts: dict[str, Band]
    scores: dict[str, Score]
    seconds: dict[str, float]


def score_horizon(
    config: CalibrationConfig,
    target: dict[dt.date, float],
    history: list[tuple[dt.date, float]],
    paths: dict[dt.date, np.ndarray],
    origin: dt.date,
    horizon: int,
    seconds: dict[str, float],
) -> OriginResult:
    """Our forecast (`paths`: the simulated total [replication] per date), the baselines and
    the own forecast, scored against the target at its dates in (origin, origin + horizon]."""
    end = add_months(origin, horizon)
    dates = [d for d in target if origin < d <= end and d in paths]
    if not dates:
        raise EstimationError(
            f"backtest origin {origin}: the doel has no observation in the {horizon} months after "
            "it; choose an earlier origin or a longer horizon"
        )
    actual = np.array([target[d] for d in dates])
    runs = np.stack([paths[d] for d in dates], axis=1).astype(float)  # [R, dates]
    forecasts = {
        OURS: Band(
            runs.mean(axis=0),
            {
                level: (
                    np.quantile(runs, (1 - level) / 2, axis=0),
                    np.quantile(runs, (1 + level) / 2, axis=0),
                )
                for level in LEVELS
            },
        )
    }
    history_dates = [d for d, _ in history]
    values = np.array([v for _, v in history])
    for name, forecast in dated_baselines(history_dates, values, dates).items():
        forecasts[name] = _band(forecast)
    own = own_forecast(config, origin, dates)
    if own is not None:
        forecasts["eigen_prognose"] = Band(own, None)
    scale = naive_scale(values)
    scores = {name: _score(actual, band, scale) for name, band in forecasts.items()}
    return OriginResult(origin, horizon, dates, actual, forecasts, scores, dict(seconds))


def _band(forecast: Forecast) -> Band:
    return Band(forecast.mean, {level: forecast.interval(level) for level in LEVELS})


def _score(actual: np.ndarray, band: Band, scale: float) -> Score:
    """Scores at the dates the forecast has a value for (all, except for an own forecast)."""
    known = ~np.isnan(band.mean)
    y, f = actual[known], band.mean[known]
    error = mae(y, f)
    return Score(
        mae=error,
        mape=mape(y, f) if np.all(y != 0) else None,
        mase=error / scale,
        coverage=None
        if band.bands is None
        else {level: coverage(actual, *band.bands[level]) for level in LEVELS},
    )


def summary(results: list[OriginResult]) -> dict[int, dict[str, dict[str, float]]]:
    """Per horizon and method: mean MAE, MAPE and MASE over origins, and the coverage of the
    bands over all scored dates."""
    table: dict[int, dict[str, dict[str, float]]] = {}
    for horizon in sorted({r.horizon for r in results}):
        rows = [r for r in results if r.horizon == horizon]
        methods = list(dict.fromkeys(m for r in rows for m in r.scores))
        table[horizon] = {m: _mean_scores([r for r in rows if m in r.scores], m) for m in methods}
    return table


def _mean_scores(rows: list[OriginResult], method: str) -> dict[str, float]:
    scores = [r.scores[method] for r in rows]
    result = {
        "origins": float(len(rows)),
        "mae": float(np.mean([s.mae for s in scores])),
        "mase": float(np.mean([s.mase for s in scores])),
    }
    if all(s.mape is not None for s in scores):
        result["mape"] = float(np.mean([s.mape for s in scores]))
    if all(s.coverage is not None for s in scores):
        weights = np.array([len(r.dates) for r in rows], dtype=float)
        for level in LEVELS:
            covered = np.array([s.coverage[level] for s in scores])
            result[f"dekking_{round(100 * level)}"] = float(
                np.sum(covered * weights) / weights.sum()
            )
    return result
