"""The results of a backtest: forecasts and scores per origin and horizon, and their summary.

At every observed date of the target in (origin, origin + horizon] our forecast is the mean over
the engine's replications and its 80% and 90% bands the 10-90 and 5-95 percentiles; next to it
the baselines (`dated_baselines`) on the target's history before the origin, with normal bands,
and the municipality's own forecast (`own_forecast`) where the config names one made before the
origin. Each is scored with MAE, MAPE, MASE (scaled by the history's naive in-sample error) and
the coverage of its bands (`metrics`), on the same dates: every method at every target date;
the own forecast, which has values at a few dates only (year ends), is scored there, and so is
every other method once more on exactly those dates (`own_scores`), so no comparison mixes
dates. The summary averages over the origins every method was scored at, and says how many
scored months stand behind each coverage figure (`MIN_POINTS`: fewer is a warning).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simbijstand.domain.calendar import add_months
from simbijstand.estimation.backtest.baselines import Forecast
from simbijstand.estimation.backtest.dated_baselines import dated_baselines, naive_scale
from simbijstand.estimation.backtest.metrics import coverage, mae, mape
from simbijstand.estimation.backtest.own_forecast import own_forecast
from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.errors import EstimationError

OURS = "simbijstand"
OWN = "eigen_prognose"
LEVELS = (0.8, 0.9)
MIN_POINTS = 10  # scored months below which a coverage figure says little (1 month = 10%)


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
    points: int = 0  # the dates scored


@dataclass(frozen=True, slots=True)
class OriginResult:
    origin: dt.date
    horizon: int
    dates: list[dt.date]
    actual: np.ndarray
    forecasts: dict[str, Band]
    scores: dict[str, Score]
    seconds: dict[str, float]
    # every method on the own forecast's dates only (empty without an own forecast)
    own_scores: dict[str, Score] = field(default_factory=dict)
    # how our bands were widened at this origin (the `inflatie` table as data; None: not)
    inflation: dict[str, Any] | None = None


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
    scale = naive_scale(values)
    own = own_forecast(config, origin, dates)
    own_scores = {}
    if own is not None:
        known = ~np.isnan(own)
        own_scores = {
            name: _score(actual[known], _at(band, known), scale) for name, band in forecasts.items()
        }
        forecasts[OWN] = Band(own, None)
        own_scores[OWN] = _score(actual[known], Band(own[known], None), scale)
    scores = {name: _score(actual, band, scale) for name, band in forecasts.items()}
    return OriginResult(
        origin, horizon, dates, actual, forecasts, scores, dict(seconds), own_scores
    )


def _at(band: Band, keep: np.ndarray) -> Band:
    bands = (
        None
        if band.bands is None
        else {k: (lo[keep], hi[keep]) for k, (lo, hi) in band.bands.items()}
    )
    return Band(band.mean[keep], bands)


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
        points=int(known.sum()),
    )


def summary(
    results: list[OriginResult], *, own: bool = False
) -> dict[int, dict[str, dict[str, float]]]:
    """Per horizon and method: mean MAE, MAPE and MASE over origins, the coverage of the bands
    over all scored dates, and the number of origins and scored dates (`punten`). Only origins
    at which every method was scored count, so all methods stand on the same dates. `own`:
    every method on the own forecast's dates (`own_scores`), at the origins that have one."""
    table: dict[int, dict[str, dict[str, float]]] = {}
    for horizon in sorted({r.horizon for r in results}):
        rows = [(r, r.own_scores if own else _main(r.scores)) for r in results]
        rows = [(r, s) for r, s in rows if r.horizon == horizon and s]
        methods = list(dict.fromkeys(m for _, scores in rows for m in scores))
        common = [s for _, s in rows if all(m in s for m in methods)]
        if common:
            table[horizon] = {m: _mean_scores([s[m] for s in common]) for m in methods}
    return table


def _main(scores: dict[str, Score]) -> dict[str, Score]:
    return {m: s for m, s in scores.items() if m != OWN}


def _mean_scores(scores: list[Score]) -> dict[str, float]:
    result = {
        "origins": float(len(scores)),
        "punten": float(sum(s.points for s in scores)),
        "mae": float(np.mean([s.mae for s in scores])),
        "mase": float(np.mean([s.mase for s in scores])),
    }
    if all(s.mape is not None for s in scores):
        result["mape"] = float(np.mean([s.mape for s in scores]))
    if all(s.coverage is not None for s in scores):
        weights = np.array([s.points for s in scores], dtype=float)
        for level in LEVELS:
            covered = np.array([s.coverage[level] for s in scores])  # type: ignore[index]
            result[f"dekking_{round(100 * level)}"] = float(
                np.sum(covered * weights) / weights.sum()
            )
    return result
