"""The pipeline of one run: scenario -> model -> engine -> event log + projections -> outputs.

This is the Python API the CLI wraps; a notebook can call `run` directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import platform
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from simbijstand.engine import CompiledModel, compile_model
from simbijstand.engine.draws import ReplicationModels, is_active, replication_models
from simbijstand.errors import DiskWriteError, InputDataError, RunDirectoryError
from simbijstand.finance.cost import expenditure_frame
from simbijstand.finance.ledger import FinancePlan, finance_frame, plan_finance
from simbijstand.finance.summary import finance_summary
from simbijstand.projections import Projections, caseload_frame, flows_frame, summary_frame
from simbijstand.projections.measures import measures_frame
from simbijstand.runs.admission import check_capacity, default_workers
from simbijstand.runs.chunks import Chunk, ChunkResult
from simbijstand.runs.execution import Progress, run_chunks
from simbijstand.runs.first_year import FirstYearMove, first_year_moves
from simbijstand.runs.lock import run_directory_lock
from simbijstand.runs.record import RunRecord, new_run_record, package_version, write_run_record
from simbijstand.scenario import Scenario, load_scenario
from simbijstand.scenario.history import read_history_csv
from simbijstand.scenario.initial_state import InitialState, counts_from_table, read_counts_csv
from simbijstand.scenario.rules import rules_in_force
from simbijstand.store.csv_tables import write_csv
from simbijstand.store.files import sha256_of, write_atomic
from simbijstand.store.manifest import write_manifest
from simbijstand.store.replay import cases_at, event_files, read_events
from simbijstand.store.rundir import (
    CASELOAD,
    CHECKPOINTS_DIR,
    FINANCE,
    FINANCE_SUMMARY,
    FLOWS,
    HISTORY,
    MANIFEST,
    REPORT,
    RUN_RECORD,
    SUMMARY,
    TRAJECTEN,
)
from simbijstand.store.schema import EVENT_SCHEMA_VERSION

OUTPUTS = "outputs"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A scenario with its initial states read and compiled, ready to simulate."""

    scenario: Scenario
    model: CompiledModel
    input_files: tuple[Path, ...]
    history: pl.DataFrame | None  # observed caseload: date, gemeente, count
    finance: FinancePlan
    initial: dict[str, InitialState]
    # klantgroepen that the beginstand and the rates move by more than a fifth in the first year
    first_year: tuple[FirstYearMove, ...] = ()

    def draws(self) -> ReplicationModels | None:
        """Per-replication models when the scenario asks for parameter uncertainty or a
        parameter file has an [instroom.schommeling]; None when one model serves all."""
        sim = self.scenario.spec.simulatie
        return replication_models(
            self.scenario, self.initial, sim.seed, draw=sim.parameteronzekerheid
        )


@dataclass(frozen=True, slots=True)
class RunResult:
    run_dir: Path
    scenario: Scenario
    caseload: pl.DataFrame
    flows: pl.DataFrame
    finance: pl.DataFrame
    summary: pl.DataFrame
    history: pl.DataFrame | None
    measures: pl.DataFrame | None  # trajecten.parquet, when the scenario has measures
    manifest: dict[str, Any]
    finance_summary: pl.DataFrame
    first_year: tuple[FirstYearMove, ...] = ()  # see Prepared.first_year


def prepare(scenario: Scenario | str | Path) -> Prepared:
    """Load (if needed) and check everything a run needs, without simulating."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    initial: dict[str, InitialState] = {}
    files = list(scenario.files)
    for gemeente in scenario.gemeenten:
        try:
            initial[gemeente], used = _initial_state(scenario, gemeente)
        except InputDataError as exc:
            raise InputDataError(
                f"{scenario.path}: gemeenten.{gemeente}.beginstand: {exc}"
            ) from None
        files += [f for f in used if f not in files]
    history = None
    if scenario.spec.historie is not None:
        path = Path(scenario.spec.historie.bestand)
        try:
            history = read_history_csv(path, scenario.gemeenten)
        except InputDataError as exc:
            raise InputDataError(f"{scenario.path}: historie.bestand: {exc}") from None
        files.append(path)
    finance = plan_finance(scenario)
    moves = tuple(first_year_moves(scenario, initial))
    return Prepared(
        scenario, compile_model(scenario, initial), tuple(files), history, finance, initial, moves
    )


def run(
    scenario: Scenario | str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    keep_events: int | None = None,
    progress: Progress | None = None,
    report: bool = True,
    dask: str | None = None,
    max_memory: int | None = None,
) -> RunResult:
    """Simulate a scenario and write its run directory.

    Args:
        replications, seed: override the scenario's values.
        out: the run directory (new or empty); default outputs/<scenario>-<timestamp>.
        workers: processes that simulate (this one and workers - 1 helpers); default all
            cores. Results do not depend on it.
        keep_events: store the event log of the first N replications only (default all);
            projections always cover all replications.
        progress: called with (replications done, replications in all).
        report: write report.html (about a second); batch users may skip it and make it
            later with `simbijstand report RUN_DIR`.
        dask: run the chunks on a Dask cluster: its scheduler's address, or "local" for a
            LocalCluster of `workers` processes. Results do not depend on it.
        max_memory: bytes the run may use; a run estimated to need more is refused
            (CapacityError) before it starts. Default 80% of the machine's memory.

    A run killed half-way can be completed with `simbijstand.resume(run_dir)`.
    """
    started = time.perf_counter()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    prepared = prepare(scenario.with_overrides(replications=replications, seed=seed))
    chunks = admitted_chunks(prepared, workers, max_memory)  # before the run directory exists
    was_there = out is not None and Path(out).is_dir()
    run_dir = new_run_dir(out, prepared.scenario.name)
    with run_directory_lock(run_dir):
        _check_still_empty(run_dir)
        record = _new_record(prepared, chunks, keep_events, report)
        try:  # before any chunk, so every later state can resume
            write_run_record(run_dir, record)
        except Exception as exc:  # a full disk, an unusable signing key: nothing is there yet
            _discard_unless_resumable(run_dir, keep_folder=was_there)
            if isinstance(exc, DiskWriteError):
                raise DiskWriteError(f"{exc}; free space, then run again") from None
            raise
        try:
            return finish(prepared, run_dir, record, workers, dask, progress, started)
        except DiskWriteError:
            raise  # its message sends the user to --resume, which needs the directory
        except Exception:
            # only here is the directory this run's own: not when another run holds the lock
            _discard_unless_resumable(run_dir, keep_folder=was_there)
            raise


def admitted_chunks(
    prepared: Prepared, workers: int | None = None, max_memory: int | None = None
) -> list[Chunk]:
    """The run's chunks, after admission control: CapacityError if its estimated peak memory
    exceeds `max_memory` (see runs/admission.py). `validate` applies the same check."""
    sim = prepared.scenario.spec.simulatie
    chunks, _ = check_capacity(
        prepared.model,
        str(prepared.scenario.path),
        sim.replicaties,
        own_models=prepared.draws() is not None,
        workers=workers,
        max_memory=max_memory,
    )
    return chunks


def _new_record(
    prepared: Prepared, chunks: list[Chunk], keep_events: int | None, report: bool
) -> RunRecord:
    sim = prepared.scenario.spec.simulatie
    keep = sim.replicaties if keep_events is None else min(keep_events, sim.replicaties)
    return new_run_record(
        prepared.scenario.path,
        prepared.input_files,
        sim.seed,
        sim.replicaties,
        keep,
        [(c.first, c.count) for c in chunks],
        report,
    )


def finish(
    prepared: Prepared,
    run_dir: Path,
    record: RunRecord,
    workers: int | None,
    dask: str | None,
    progress: Progress | None,
    started: float,
) -> RunResult:
    """Run the chunks that have no checkpoint yet, then write the outputs and the manifest.

    A file that cannot be written (a full disk) stops the run with DiskWriteError naming it;
    what was written is complete, so `--resume` finishes the run once there is space."""
    try:
        return _finish(prepared, run_dir, record, workers, dask, progress, started)
    except DiskWriteError as exc:
        raise DiskWriteError(
            f"{exc}; the chunks finished so far are kept: once there is space, finish the run "
            f"with: simbijstand run --resume {run_dir}"
        ) from None


def _finish(
    prepared: Prepared,
    run_dir: Path,
    record: RunRecord,
    workers: int | None,
    dask: str | None,
    progress: Progress | None,
    started: float,
) -> RunResult:
    scenario = prepared.scenario
    keep = record.keep_events
    chunks = [Chunk(first, count) for first, count in record.chunks]
    workers = workers or default_workers()
    if record.report:
        _import_report_meanwhile()
    prepared_at = time.perf_counter()
    results = run_chunks(
        prepared.model,
        record.seed,
        chunks,
        run_dir,
        keep,
        workers,
        progress,
        dask,
        prepared.draws(),
    )
    simulated_at = time.perf_counter()
    projections = Projections.concat([r.projections for r in results])
    frames = output_frames(prepared, projections)
    if prepared.history is not None:
        frames["history"] = prepared.history
    outputs = write_outputs(run_dir, frames)
    timings = {
        "prepare_s": prepared_at - started,
        "simulate_s": simulated_at - prepared_at,
        "write_s": time.perf_counter() - simulated_at,
    }
    manifest = _manifest(prepared, results, outputs, keep, workers, timings)
    manifest["execution"]["dask"] = dask
    manifest["checkpoints"] = [
        {"file": r.checkpoint, "sha256": sha256_of(run_dir / r.checkpoint)} for r in results
    ]
    if record.report:
        _write_report(run_dir, manifest)
    write_manifest(run_dir, manifest)
    return RunResult(
        run_dir,
        scenario,
        frames["caseload"],
        frames["flows"],
        frames["finance"],
        frames["summary"],
        prepared.history,
        frames.get("measures"),
        manifest,
        frames["finance_summary"],
        prepared.first_year,
    )


def _initial_state(scenario: Scenario, gemeente: str) -> tuple[InitialState, list[Path]]:
    spec = scenario.spec.gemeenten[gemeente].beginstand
    params = scenario.parameters[gemeente]
    if spec.aantallen is not None:
        return counts_from_table(spec.aantallen), []
    if spec.bestand is not None:
        path = Path(spec.bestand)
        return read_counts_csv(path, params.duurbanden_maanden, set(params.klantgroepen)), [path]
    source = Path(str(spec.eventlog))
    cases = cases_at(read_events(source), gemeente, scenario.start, source)
    unknown = sorted(set(cases.klantgroep) - set(params.klantgroepen))
    if unknown:
        raise InputDataError(
            f"{source}: klantgroep(en) {', '.join(unknown)} of {gemeente} "
            "are not in its parameter file"
        )
    return cases, event_files(source)


def output_frames(prepared: Prepared, projections: Projections) -> dict[str, pl.DataFrame]:
    """The output tables of a run from its projections (verify recomputes them the same way)."""
    model = prepared.model
    expenditure = expenditure_frame(model, prepared.scenario.spec.kosten, projections)
    finance = finance_frame(prepared.finance, expenditure)
    frames = {
        "caseload": caseload_frame(model, projections),
        "flows": flows_frame(model, projections),
        "finance": finance,
        "finance_summary": finance_summary(prepared.finance, finance),
        "summary": summary_frame(model, projections),
    }
    if model.modifiers.measures:
        frames["measures"] = measures_frame(model, projections)
    return frames


def write_outputs(run_dir: Path, frames: dict[str, pl.DataFrame]) -> dict[str, str]:
    """Write the output tables into `run_dir`; return their SHA-256 by file name."""
    files = {
        CASELOAD: lambda p: frames["caseload"].write_parquet(p),
        FLOWS: lambda p: frames["flows"].write_parquet(p),
        FINANCE: lambda p: frames["finance"].write_parquet(p),
        SUMMARY: lambda p: write_csv(frames["summary"], p),
        FINANCE_SUMMARY: lambda p: write_csv(frames["finance_summary"], p),
    }
    if "history" in frames:
        files[HISTORY] = lambda p: frames["history"].write_parquet(p)
    if "measures" in frames:
        files[TRAJECTEN] = lambda p: frames["measures"].write_parquet(p)
    for name, write in files.items():
        write_atomic(run_dir / name, write)
    return {name: sha256_of(run_dir / name) for name in files}


def _import_report_meanwhile() -> None:
    """Import the report (matplotlib: most of a second) on a thread while the chunks run, so
    the report does not wait for it afterwards. A failure here is left to the import in
    `_write_report`, which reports it where it belongs."""

    def load() -> None:
        with contextlib.suppress(Exception):
            import simbijstand.reporting.report  # noqa: F401

    threading.Thread(target=load, name="import-report", daemon=True).start()


def _write_report(run_dir: Path, manifest: dict[str, Any]) -> None:
    """report.html before the manifest, so the manifest's checksums cover it too."""
    # Imported here, not at the top: worker processes are spawned and import this module, and
    # matplotlib would add about a second to each of them.
    from simbijstand.reporting.report import write_report

    started = time.perf_counter()
    write_report(run_dir, manifest)
    manifest["outputs"][REPORT] = sha256_of(run_dir / REPORT)
    timings = manifest["timings"]
    timings["report_s"] = round(time.perf_counter() - started, 3)
    timings["total_s"] = round(timings["total_s"] + timings["report_s"], 3)


def _manifest(
    prepared: Prepared,
    results: list[ChunkResult],
    outputs: dict[str, str],
    keep: int,
    workers: int,
    timings: dict[str, float],
) -> dict[str, Any]:
    scenario = prepared.scenario
    sim = scenario.spec.simulatie
    segments = [r.segment for r in results if r.segment is not None]
    events = sum(r.events for r in results)
    return {
        "simbijstand_version": package_version("simbijstand"),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": {
            "name": scenario.name,
            "file": str(scenario.path),
            "description": scenario.spec.beschrijving,
        },
        "inputs": [{"file": str(f), "sha256": sha256_of(f)} for f in prepared.input_files],
        "seed": sim.seed,
        "replications": sim.replicaties,
        "uncertainty": uncertainty_description(
            sim.parameteronzekerheid, inflow_deviations(scenario)
        ),
        "horizon": {
            "start": str(scenario.start),
            "end": str(scenario.end),
            "months": scenario.months,
        },
        "gemeenten": scenario.gemeenten,
        "regels": rules_in_force(scenario),
        "klantgroepen": [
            {"gemeente": prepared.model.gemeenten[g], "klantgroep": k, "buig": bool(b)}
            for g, k, b in zip(
                prepared.model.cell_gemeente,
                prepared.model.cell_klantgroep,
                prepared.model.cell_buig,
                strict=True,
            )
        ],
        "events": {
            "schema_version": EVENT_SCHEMA_VERSION,
            "kept_replications": keep,
            "total_events": events,
            "segments": [s.as_record() for s in segments],
        },
        "outputs": outputs,
        "timings": {
            **{k: round(v, 3) for k, v in timings.items()},
            "total_s": round(sum(timings.values()), 3),
        },
        "execution": {
            "workers": workers,
            "chunks": len(results),
            "chunks_resumed": sum(r.reused for r in results),
        },
        "environment": {
            "python": platform.python_version(),
            **{p: package_version(p) for p in ("numpy", "polars", "simpy", "scipy")},
        },
    }


def uncertainty_description(
    parameters: bool, deviations: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What the bands of a run show, for the manifest and the summary; `deviations` holds the
    [instroom.schommeling] of each parameter file that has an active one."""
    shown = ["toeval"]
    result: dict[str, Any] = {}
    if parameters:
        shown.append("parameteronzekerheid")
        result["parameter_draws"] = (
            "replication r draws its parameters from the parameter files' [[onzekerheid]] with "
            "SeedSequence(seed, spawn_key=(r, 1)); a shared component (gedeeld = name) from "
            "SeedSequence(seed, spawn_key=(r, 4, h)), h the first 8 bytes of SHA-256(name), "
            "the same for every file that declares it"
        )
    else:
        result["parameter_draws"] = (
            "none: every replication uses the point estimates of the parameter files"
        )
    if deviations:
        shown.append("schommeling van de instroom")
        result["inflow_deviation"] = {
            "files": deviations,
            "model": "log inflow multiplier eta_t = persistentie^t start + g_t u_t, u_t = "
            "persistentie u_(t-1) + N(0, sd_per_maand^2), u_0 ~ N(0, start_sd^2), g_t the "
            "inflatie factor of month t (1 without), w_t the wandering level (a random walk "
            "with the inflatie wandeling_sd_per_maand); month t's inflow x exp(eta_t - "
            "Var(eta_t) / 2) x max(1 + w_t, 0) / E[max(1 + w_t, 0)] (expected inflow kept, "
            "moved by the start)",
            "draws": "replication r draws the path of the scenario's k-th parameter file with "
            "SeedSequence(seed, spawn_key=(r, 2, k)); with parameter draws, sd_per_maand and "
            "persistentie first from their [intervallen] with SeedSequence(seed, "
            "spawn_key=(r, 3, k))",
        }
    return {"bands": _joined(shown), **result}


def inflow_deviations(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """sd_per_maand, persistentie, start and inflatie (how the bands were calibrated: method,
    origins, coverage) of every parameter file with an active schommeling."""
    found = {}
    for gemeente in scenario.gemeenten:
        deviation = scenario.parameters[gemeente].instroom.schommeling
        if deviation is not None and is_active(deviation):
            found[scenario.spec.gemeenten[gemeente].parameters] = deviation.model_dump(
                mode="json", exclude={"bron"}, exclude_defaults=True
            )
    return found


def _joined(parts: list[str]) -> str:
    """'a', 'a en b', 'a, b en c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def new_run_dir(out: str | Path | None, name: str) -> Path:
    if out is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = Path(OUTPUTS) / f"{name}-{stamp}"
        run_dir, suffix = base, 1
        while run_dir.exists():
            suffix += 1
            run_dir = base.with_name(f"{base.name}-{suffix}")
    else:
        run_dir = Path(out)
        if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())):
            unfinished = (run_dir / RUN_RECORD).is_file() and not (run_dir / MANIFEST).exists()
            hint = f"finish it with --resume {run_dir}, or " if unfinished else ""
            raise RunDirectoryError(
                f"{run_dir}: exists and is not an empty directory; "
                f"{hint}choose another --out or remove it"
            )
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunDirectoryError(
            f"{run_dir}: cannot create the run directory ({exc.strerror})"
        ) from None
    return run_dir


def _discard_unless_resumable(run_dir: Path, keep_folder: bool) -> None:
    """After a failed run: remove its directory when no chunk was finished, so the next attempt
    with the same --out starts afresh instead of failing with "exists". The directory was new or
    empty when the run took it, so all in it is this run's. With a finished chunk it stays, for
    `--resume`. (An interrupt, Ctrl-C or a kill, always leaves it: that is what resume is for.)
    A folder the user made beforehand (`keep_folder`) is emptied, not removed."""
    checkpoints = run_dir / CHECKPOINTS_DIR
    if (checkpoints.is_dir() and any(checkpoints.glob("*.npz"))) or (run_dir / MANIFEST).exists():
        return
    if not keep_folder:
        shutil.rmtree(run_dir, ignore_errors=True)
        return
    for child in run_dir.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _check_still_empty(run_dir: Path) -> None:
    """Another run may have taken the directory between our check and our lock, and finished."""
    if any(run_dir.iterdir()):
        raise RunDirectoryError(
            f"{run_dir}: another run wrote this directory meanwhile; choose another --out"
        )
