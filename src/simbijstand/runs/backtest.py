"""`simbijstand backtest`: fit on the data before each origin, forecast with the engine, score.

For each origin:

1. calibrate on [van, origin): van is the config's waarneming.van, or, when [backtest] sets
   venster_maanden, that many months before the origin (but not before eerste_van). The fits
   do not depend on each other: with several workers they run on their own processes, all at
   once, while step 2 simulates the origins already fitted;
2. origin by origin in date order, start the engine on the origin with the caseload the
   fit ends in (the stock observed on the origin, split over klantgroepen and duration bands by
   the fitted model), without any scenario shock, for the longest horizon; replications draw
   their parameters from the fit's uncertainty when [backtest] parameteronzekerheid is true
   (the default), and their own path of inflow deviation when the fit wrote an
   [instroom.schommeling], from its filtered start. That deviation's spread is widened by an
   `inflatie` calibrated (`estimation.bands`) on the months of earlier origins' forecasts
   that were observed by this origin, never on later ones, per quarter of the horizon
   ([backtest] inflatie = "genest", the default; "geen" leaves it out). The config's own
   [instroom.schommeling] inflatie is not used: it was calibrated on months after most origins.
   The engine runs in memory;
3. compare with the target series (the [backtest] doel, summed over its gemeenten) at every
   observed date in (origin, origin + horizon]: the forecast is the mean over replications, its
   80% and 90% bands the 10-90 and 5-95 percentiles; a shorter horizon is scored on the first
   months of the same run;
4. score the baselines (`dated_baselines`) on the target's history in the same window, and the
   municipality's own forecast where the config names one made before the origin.

An origin whose fit fails is reported with its error (`BacktestRun.failures`) and the others
still run. After the last origin, the inflation calibrated on every scored month is what a
forecast made after them would use (`BacktestRun.inflation`): the `inflatie` table to put in
the calibration config, with the coverage the nested calibration achieved.

Steps 3 and 4 and the result types are `simbijstand.estimation.backtest.results`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from simbijstand.domain.calendar import add_months
from simbijstand.engine import compile_model
from simbijstand.engine.draws import replication_models
from simbijstand.errors import SimbijstandError
from simbijstand.estimation.backtest.results import OriginResult, score_horizon
from simbijstand.estimation.bands import (
    ScoredMonth,
    band_buckets,
    calibrate_inflation,
    caseload_of,
    coverage_by_bucket,
    target_errors,
)
from simbijstand.estimation.calibrate import calibrate, caseload_at_end
from simbijstand.estimation.config.config import CalibrationConfig, load_config
from simbijstand.estimation.config.schema import Verbreding
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.readers import read_observations
from simbijstand.estimation.parameter_files import parameter_file_data
from simbijstand.projections import Projections
from simbijstand.runs.chunks import plan_chunks
from simbijstand.runs.execution import helper_pool, run_chunks
from simbijstand.runs.record import package_version
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialCounts
from simbijstand.scenario.schema import ParameterFile, ScenarioFile, Schommeling
from simbijstand.scenario.toml_io import MergedToml


@dataclass(frozen=True, slots=True)
class Fitted:
    """One origin's fit, as the simulation needs it: parameter-file data and the caseload the
    fit ends in, per gemeente (plain data, so a helper process can send it back)."""

    origin: dt.date
    van: dt.date
    parameters: dict[str, dict[str, Any]]
    initial: dict[str, dict[tuple[str, int], int]]
    seconds: float


@dataclass(frozen=True, slots=True)
class BacktestRun:
    """Every origin's results; the origins that failed, with their error; the target series
    (`target`: what was forecast); and the inflation for a forecast after every scored month
    (None when the config has no [instroom.schommeling] or nested inflation is off)."""

    results: list[OriginResult]
    target: str
    failures: dict[dt.date, str] = field(default_factory=dict)
    inflation: Verbreding | None = None


def backtest(
    config: CalibrationConfig | str | Path,
    origins: list[dt.date],
    horizons: list[int],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
) -> list[OriginResult]:
    """Results per origin and horizon (see the module docstring); the first failure raises."""
    found = backtest_run(
        config, origins, horizons, replications=replications, seed=seed, workers=workers
    )
    if found.failures:
        origin, message = next(iter(found.failures.items()))
        raise EstimationError(f"backtest origin {origin}: {message}")
    return found.results


def backtest_run(
    config: CalibrationConfig | str | Path,
    origins: list[dt.date],
    horizons: list[int],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
) -> BacktestRun:
    """Every origin's results, its failures and the inflation after them (module docstring)."""
    if not isinstance(config, CalibrationConfig):
        config = load_config(config)
    spec = config.spec.backtest
    if spec is None:
        raise EstimationError(
            f"{config.path}: no [backtest] table; add one naming the doel (the stock series to "
            'forecast), e.g. [backtest] doel = "bestand"'
        )
    target = _target_series(config)
    horizons = sorted(set(horizons))
    replications = replications or spec.replicaties
    seed = spec.seed if seed is None else seed
    nested = spec.inflatie == "genest" and config.spec.instroom.schommeling is not None
    buckets = band_buckets(horizons[-1])
    results: list[OriginResult] = []
    scored: list[ScoredMonth] = []
    inside: list[tuple[int, bool]] = []  # (horizon month, within our 80% band)
    failures: dict[dt.date, str] = {}
    fitted = 0
    for origin, fit in _fits_in_order(config, sorted(set(origins)), workers):
        if isinstance(fit, str):
            failures[origin] = fit
            continue
        fitted += 1
        inflation = _nested_inflation(fit, scored, buckets) if nested else {}
        started = time.perf_counter()
        paths = _simulate(config, fit, horizons[-1], replications, seed, workers)
        seconds = {"fit": fit.seconds, "simulate": time.perf_counter() - started}
        history = [(d, v) for d, v in target.items() if fit.van <= d <= fit.origin]
        for horizon in horizons:
            result = score_horizon(config, target, history, paths, fit.origin, horizon, seconds)
            results.append(_with_inflation(result, inflation))
        scored += _scored_months(fit, target, paths)
        inside += _inside(fit, target, paths)
    return BacktestRun(
        results,
        _target_text(config),
        failures,
        _final_inflation(scored, inside, buckets) if nested and fitted else None,
    )


# --- fitting --------------------------------------------------------------------------------


def _fits_in_order(
    config: CalibrationConfig, origins: list[dt.date], workers: int
) -> Iterator[tuple[dt.date, Fitted | str]]:
    """Every origin's fit (or its error message), in date order. With several workers the fits
    run on their own helper processes, all submitted at once, while the caller simulates the
    origins already fitted: fitting and simulating overlap, the results do not depend on it."""
    job = partial(_fit_one, config)  # the loaded config, not its path: one reading of it
    if workers <= 1 or len(origins) <= 1:
        yield from map(job, origins)
        return
    pool = helper_pool(min(workers, len(origins)))
    try:
        futures = [pool.submit(job, origin) for origin in origins]
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _fit_one(config: CalibrationConfig, origin: dt.date) -> tuple[dt.date, Fitted | str]:
    """One origin's fit; a SimbijstandError is returned as its message, not raised, so the
    other origins still run."""
    try:
        return origin, _fit(config, origin)
    except SimbijstandError as error:
        return origin, str(error)


def _fit(config: CalibrationConfig, origin: dt.date) -> Fitted:
    spec = config.spec.backtest
    assert spec is not None
    van = config.spec.waarneming.van
    if spec.venster_maanden is not None:
        van = add_months(origin, -spec.venster_maanden)
        if spec.eerste_van is not None:
            van = max(van, spec.eerste_van)
    started = time.perf_counter()
    calibration = calibrate(config, van=van, tot=origin)
    version = package_version("simbijstand")
    parameters, initial = {}, {}
    for gemeente in config.gemeenten:
        # the config's own widening was calibrated after most origins: never in a backtest
        data = parameter_file_data(calibration, gemeente, config.path, version=version, widen=False)
        parameters[gemeente] = data
        initial[gemeente] = caseload_at_end(calibration, gemeente)
    return Fitted(origin, van, parameters, initial, time.perf_counter() - started)


# --- bands ----------------------------------------------------------------------------------


def _deviations(fit: Fitted) -> dict[str, Schommeling]:
    return {
        g: Schommeling.model_validate(data["instroom"]["schommeling"])
        for g, data in fit.parameters.items()
        if "schommeling" in data["instroom"]
    }


def _nested_inflation(
    fit: Fitted, scored: list[ScoredMonth], horizons: list[int]
) -> dict[str, Schommeling]:
    """Each gemeente's widened deviation at this origin, from the months scored by then (on
    or before the origin), set into the fit's parameter data; with no months yet, none."""
    found = {}
    if not any(m.date <= fit.origin for m in scored):
        return found
    for gemeente, deviation in _deviations(fit).items():
        level = sum(fit.initial[gemeente].values())
        caseload = caseload_of(fit.parameters[gemeente], level)
        wider = calibrate_inflation(deviation, scored, horizons, caseload, before=fit.origin)
        assert wider.inflatie is not None
        data = fit.parameters[gemeente]["instroom"]["schommeling"]
        data["inflatie"] = wider.inflatie.model_dump(exclude_defaults=True)
        found[gemeente] = wider
    return found


def _with_inflation(result: OriginResult, inflation: dict[str, Schommeling]) -> OriginResult:
    if not inflation:
        return result
    first = next(iter(inflation.values()))
    assert first.inflatie is not None
    data = {
        "horizon_maanden": first.inflatie.horizon_maanden,
        "factor": first.inflatie.factor,
        "wandeling_sd_per_maand": first.inflatie.wandeling_sd_per_maand,
        "punten": first.inflatie.punten,
        "oorsprongen": [str(o) for o in first.inflatie.oorsprongen],
    }
    return dataclasses.replace(result, inflation=data)


def _scored_months(
    fit: Fitted, target: dict[dt.date, float], paths: dict[dt.date, np.ndarray]
) -> list[ScoredMonth]:
    """The forecast's months with an observed target: the outcome and our forecast."""
    return [
        ScoredMonth(fit.origin, day, target[day], float(paths[day].astype(float).mean()))
        for t, day in enumerate(sorted(paths))
        if t > 0 and day in target
    ]


def _inside(
    fit: Fitted, target: dict[dt.date, float], paths: dict[dt.date, np.ndarray]
) -> list[tuple[int, bool]]:
    """(horizon month, whether the outcome lay in our 80% band) for every observed month."""
    found = []
    for t, day in enumerate(sorted(paths)):
        if t > 0 and day in target:
            low, high = np.quantile(paths[day].astype(float), [0.1, 0.9])
            found.append((t, bool(low <= target[day] <= high)))
    return found


def _final_inflation(
    scored: list[ScoredMonth], inside: list[tuple[int, bool]], horizons: list[int]
) -> Verbreding | None:
    """The band's reach for a forecast after every scored month, as the config's `inflatie`
    table: the 80% relative error per horizon (which the calibration turns into the file's
    factor and wandering level), the origins and months behind it, and the coverage the
    nested calibration achieved on these origins."""
    if not scored:
        return None
    errors, counts, origins = target_errors(scored, horizons)
    covered = coverage_by_bucket(inside, horizons)
    return Verbreding(
        horizon_maanden=horizons,
        relatieve_fout_80=[round(e if e is not None else 0.0, 5) for e in errors],
        methode=(
            "conformaal per horizon (estimation/bands.py): het 80%-kwantiel van "
            "|uitkomst - prognose| / prognose; dekking_80: wat de geneste kalibratie (elke "
            "oorsprong alleen op eerdere) haalde"
        ),
        oorsprongen=origins,
        punten=counts,
        dekking_80=[round(c, 4) if c == c else 0.0 for c in covered],
    )


# --- simulating -----------------------------------------------------------------------------


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


def _target_text(config: CalibrationConfig) -> str:
    """What was forecast, in words: the doel's series, file and column, over which gemeenten."""
    reeks = config.reeks(config.spec.backtest.doel)
    gemeenten = reeks.gemeente or ", ".join(reeks.gemeenten or config.gemeenten)
    column = f", kolom {reeks.kolom}" if getattr(reeks, "kolom", None) else ""
    return f"reeks '{reeks.naam}' ({Path(reeks.bestand).name}{column}), {gemeenten}"


def _simulate(
    config: CalibrationConfig, fit: Fitted, months, replications, seed, workers
) -> dict[dt.date, np.ndarray]:
    """Total caseload [replication] of the doel's klantgroepen at every month start."""
    parameters = {g: ParameterFile.model_validate(d) for g, d in fit.parameters.items()}
    initial = {g: InitialCounts(dict(n)) for g, n in fit.initial.items()}
    spec = config.spec.backtest
    origin = fit.origin
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
