"""Completing a run that was interrupted: `simbijstand run --resume RUN_DIR`.

A run directory without a manifest is unfinished. Its `run.json` says how the run began; the
chunks with a checkpoint are loaded, the others are simulated, and the outputs and manifest are
written as an uninterrupted run would have written them, byte for byte.
"""

from __future__ import annotations

import time
from pathlib import Path

from simbijstand.runs.admission import admit, default_workers, estimate
from simbijstand.runs.execution import Progress
from simbijstand.runs.lock import run_directory_lock
from simbijstand.runs.record import check_same_inputs, check_unchanged, read_run_record
from simbijstand.runs.run import RunResult, finish, prepare
from simbijstand.scenario import load_scenario
from simbijstand.store.files import remove_orphans


def resume(
    run_dir: str | Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: Progress | None = None,
    max_memory: int | None = None,
) -> RunResult:
    """Finish an interrupted run with the settings it started with.

    Raises RunDirectoryError when the run is complete, was never started, or its input files or
    the pinned package versions changed since it started.
    """
    started = time.perf_counter()
    run_dir = Path(run_dir)
    read_run_record(run_dir)  # a clear error for a directory that is not a resumable run
    with run_directory_lock(run_dir):
        return _resume(run_dir, workers, dask, progress, started, max_memory)


def _resume(
    run_dir: Path,
    workers: int | None,
    dask: str | None,
    progress: Progress | None,
    started: float,
    max_memory: int | None,
) -> RunResult:
    record = read_run_record(run_dir)  # again: a run may have finished it before our lock
    check_unchanged(record, run_dir)
    scenario = load_scenario(record.scenario).with_overrides(
        replications=record.replications, seed=record.seed
    )
    prepared = prepare(scenario)
    check_same_inputs(record, run_dir, prepared.input_files)
    # the same admission as a new run, on this machine with these workers, for its own chunks
    size = estimate(
        prepared.model, record.replications, record.chunks[0][1], workers or default_workers()
    )
    admit(str(record.scenario), size, max_memory)
    # the killed attempt's half-written files; its own workers died with it
    remove_orphans(run_dir)
    return finish(prepared, run_dir, record, workers, dask, progress, started)
