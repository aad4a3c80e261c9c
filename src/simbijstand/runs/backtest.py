"""`simbijstand backtest`: fit on the data before each origin, forecast with the engine, score.

For each origin:

1. calibrate on [van, origin): van is the config's waarneming.van, or, when [backtest] sets
   venster_maanden, that many months before the origin (but not before eerste_van);
2. start the engine on the origin with the caseload the fit ends in (the stock observed on the
   origin, split over klantgroepen and duration bands by the fitted model), without any
   scenario shock, for the longest horizon; replications draw their parameters from the fit's
   uncertainty when [backtest] parameteronzekerheid is true (the default), and their own path
   of inflow deviation when the fit wrote an [instroom.schommeling];
3. compare with the target series (the [backtest] doel, summed over its gemeenten) at every
   observed date in (origin, origin + horizon]: the forecast is the mean over replications, its
   80% and 90% bands the 10-90 and 5-95 percentiles; a shorter horizon is scored on the first
   months of the same run;
4. score the baselines (`dated_baselines`) on the target's history in the same window, and the
   municipality's own forecast where the config names one made before the origin.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simbijstand.domain.calendar import add_months
from simbijstand.engine import compile_model
from simbijstand.engine.draws import replication_models
from simbijstand.estimation.backtest.baselines import Forecast
from simbijstand.estimation.backtest.dated_baselines import dated_baselines, naive_scale
from simbijstand.estimation.backtest.metrics import coverage, mae, mape
from simbijstand.estimation.backtest.own_forecast import own_forecast
from simbijstand.estimation.calibrate import (
    Calibration,
    calibrate,
    caseload_at_end,
    parameter_file_data,
)
from simbijstand.estimation.config.config import CalibrationConfig, load_config
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.readers import read_observations
from simbijstand.projections import Projections
from simbijstand.runs.execution import plan_chunks, run_chunks
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialCounts
from simbijstand.scenario.schema import ParameterFile, ScenarioFile
from simbijstand.scenario.toml_io import MergedToml

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


def backtest(
    config: CalibrationConfig | str | Path,
    origins: list[dt.date],
    horizons: list[int],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
) -> list[OriginResult]:
    """Results per origin and horizon (see the module docstring)."""
    if not isinstance(config, CalibrationConfig):
        config = load_config(config)
    if config.spec.backtest is None:
        raise EstimationError(
            f"{config.path}: no [backtest] table; add one naming the doel (the stock series to "
            'forecast), e.g. [backtest] doel = "bestand"'
        )
    target = _target_series(config)
    results = []
    for origin in origins:
        results += _one_origin(
            config, target, origin, sorted(horizons), replications, seed, workers
        )
    return results


def _target_series(config: CalibrationConfig) -> dict[dt.date, float]:
    """The doel: its stocks summed over its gemeenten, on the dates all of them are observed."""
    name = config.spec.backtest.doel
    stocks = [s for s in read_observations(config).stocks if s.origin.reeks == name]
    per_date: dict[dt.date, dict[str, float]] = {}
    for stock in stocks:
        day = per_date.setdefault(stock.date, {})
        day[stock.gemeente] = day.get(stock.gemeente, 0.0) + stock.count
    gemeenten = {s.gemeente for s in stocks}
    return {d: sum(v.values()) for d, v in sorted(per_date.items()) if set(v) == gemeenten}


def _one_origin(
    config, target, origin, horizons, replications, seed, workers
) -> list[OriginResult]:
    spec = config.spec.backtest
    van = config.spec.waarneming.van
    if spec.venster_maanden is not None:
        van = add_months(origin, -spec.venster_maanden)
        if spec.eerste_van is not None:
            van = max(van, spec.eerste_van)
    started = time.perf_counter()
    calibration = calibrate(config, van=van, tot=origin)
    fitted = time.perf_counter()
    horizon = horizons[-1]
    paths = _simulate(
        calibration,
        origin,
        horizon,
        replications or spec.replicaties,
        spec.seed if seed is None else seed,
        workers,
    )
    simulated = time.perf_counter()
    seconds = {"fit": fitted - started, "simulate": simulated - fitted}
    history = [(d, v) for d, v in target.items() if van <= d <= origin]
    return [_score_horizon(config, target, history, paths, origin, h, seconds) for h in horizons]


def _simulate(
    calibration: Calibration, origin, months, replications, seed, workers
) -> dict[dt.date, np.ndarray]:
    """Total caseload [replication] of the doel's klantgroepen at every month start."""
    config = calibration.config
    parameters, initial = {}, {}
    for gemeente in config.gemeenten:
        data = parameter_file_data(calibration, gemeente, config.path)
        parameters[gemeente] = ParameterFile.model_validate(data)
        initial[gemeente] = InitialCounts(
            {(g, b): n for (g, b), n in caseload_at_end(calibration, gemeente).items()}
        )
    spec = config.spec.backtest
    data = {
        "naam": f"backtest-{config.spec.naam}",
        "simulatie": {
            "start": origin,
            "horizon_maanden": months,
            "replicaties": replications,
            "seed": seed,
            "parameteronzekerheid": spec.parameteronzekerheid,
        },
        "gemeenten": {
            g: {"parameters": f"kalibratie:{g}", "beginstand": {"aantallen": {}}}
            for g in config.gemeenten
        },
        "kosten": {
            "prijsjaar": origin.year,
            "per_maand": {group.regeling: 0.0 for group in config.spec.klantgroepen.values()},
        },
    }
    scenario_spec = ScenarioFile.model_validate(data)
    source = MergedToml(data=data, origins={}, files=(config.path,))
    name = scenario_spec.naam or "backtest"
    scenario = Scenario(name, config.path, scenario_spec, parameters, (), source)
    model = compile_model(scenario, initial)
    draws = replication_models(scenario, initial, seed, draw=spec.parameteronzekerheid)
    chunks = plan_chunks(replications, model.expected_initial_size(), own_models=draws is not None)
    with tempfile.TemporaryDirectory() as folder:
        results = run_chunks(model, seed, chunks, Path(folder), 0, workers, draws=draws)
    caseload = Projections.concat([r.projections for r in results]).caseload  # [R, M+1, C]
    cells = _doel_cells(config, model)
    totals = caseload[:, :, cells].sum(axis=2)
    return {d: totals[:, i] for i, d in enumerate(model.dates)}


def _doel_cells(config: CalibrationConfig, model) -> np.ndarray:
    reeks = config.reeks(config.spec.backtest.doel)
    groups = set(reeks.klantgroepen or config.buig_groups)
    gemeenten = (
        set(reeks.gemeenten or config.gemeenten) if reeks.gemeente is None else {reeks.gemeente}
    )
    return np.array(
        [
            model.gemeenten[model.cell_gemeente[c]] in gemeenten
            and model.cell_klantgroep[c] in groups
            for c in range(model.cells)
        ]
    )


def _score_horizon(config, target, history, paths, origin, horizon, seconds) -> OriginResult:
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
