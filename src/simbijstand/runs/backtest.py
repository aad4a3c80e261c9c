"""`simbijstand backtest`: fit on the data before each origin, forecast with the engine, score.

For each origin:

1. calibrate on [van, origin): van is the config's waarneming.van, or, when [backtest] sets
   venster_maanden, that many months before the origin (but not before eerste_van);
2. start the engine on the origin with the caseload the fit ends in (the stock observed on the
   origin, split over klantgroepen and duration bands by the fitted model), without any
   scenario shock, for the longest horizon; replications draw their parameters from the fit's
   uncertainty when [backtest] parameteronzekerheid is true (the default), and their own path
   of inflow deviation when the fit wrote an [instroom.schommeling]; the engine runs in memory
   (no run directory, nothing written);
3. compare with the target series (the [backtest] doel, summed over its gemeenten) at every
   observed date in (origin, origin + horizon]: the forecast is the mean over replications, its
   80% and 90% bands the 10-90 and 5-95 percentiles; a shorter horizon is scored on the first
   months of the same run;
4. score the baselines (`dated_baselines`) on the target's history in the same window, and the
   municipality's own forecast where the config names one made before the origin.

Steps 3 and 4 and the result types are `simbijstand.estimation.backtest.results`.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np

from simbijstand.domain.calendar import add_months
from simbijstand.engine import compile_model
from simbijstand.engine.draws import replication_models
from simbijstand.estimation.backtest.results import OriginResult, score_horizon
from simbijstand.estimation.calibrate import Calibration, calibrate, caseload_at_end
from simbijstand.estimation.config.config import CalibrationConfig, load_config
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.readers import read_observations
from simbijstand.estimation.parameter_files import parameter_file_data
from simbijstand.projections import Projections
from simbijstand.runs.chunks import plan_chunks
from simbijstand.runs.execution import run_chunks
from simbijstand.runs.record import package_version
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialCounts
from simbijstand.scenario.schema import ParameterFile, ScenarioFile
from simbijstand.scenario.toml_io import MergedToml


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
    return [score_horizon(config, target, history, paths, origin, h, seconds) for h in horizons]


def _simulate(
    calibration: Calibration, origin, months, replications, seed, workers
) -> dict[dt.date, np.ndarray]:
    """Total caseload [replication] of the doel's klantgroepen at every month start."""
    config = calibration.config
    parameters, initial = {}, {}
    version = package_version("simbijstand")
    for gemeente in config.gemeenten:
        data = parameter_file_data(calibration, gemeente, config.path, version=version)
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
    results = run_chunks(model, seed, chunks, None, 0, workers, draws=draws)  # in memory
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
