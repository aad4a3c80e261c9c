"""SIGKILL at random moments: the run directory is visibly incomplete (no manifest), no file that
looks complete is partial, and `run --resume` gives the uninterrupted run's outputs byte for byte.

The whole process group is killed, as a job scheduler or an out-of-memory killer would (local
workers also die with their parent). Kill moments are drawn per seed from the span between the
moment the run has recorded its settings (run.json) and its uninterrupted end, one seed per
stretch of that span (stratified), so they fall in the simulation and in the write phase; one
more kill comes before run.json exists.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from scaled import run_files, scaled_scenario

KILL_SEEDS = [1, 2, 3]


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from simbijstand.cli import main; main()", *args]


def start_run(scenario: Path, run_dir: Path, workers: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command("run", str(scenario), "--out", str(run_dir), "--workers", str(workers), "-q"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, killed as a whole
    )


def wait_for_record(run_dir: Path, process: subprocess.Popen[bytes]) -> float:
    """Wait until the run has written run.json; return when that was (time.monotonic)."""
    while not (run_dir / "run.json").exists():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.005)
    return time.monotonic()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """The uninterrupted run, and how long it ran after recording its settings."""
    folder = tmp_path_factory.mktemp("crash")
    scenario = scaled_scenario(folder, replications=40)
    process = start_run(scenario, folder / "reference", workers=1)
    recorded = wait_for_record(folder / "reference", process)
    assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    return scenario, folder / "reference", time.monotonic() - recorded


def assert_nothing_partial_looks_complete(run_dir: Path) -> None:
    if (run_dir / "run.json").exists():
        json.loads((run_dir / "run.json").read_text())
    for path in run_dir.rglob("*"):
        if path.name.startswith(".") or not path.is_file():
            continue  # a temporary name: never taken for a finished file
        if path.suffix == ".parquet":
            pl.read_parquet(path)
        elif path.suffix == ".npz":
            with np.load(path) as data:
                assert {"caseload", "flows", "benefit_months", "digest"} <= set(data.files)
        elif path.suffix == ".csv":
            pl.read_csv(path)


def kill_and_resume(scenario: Path, run_dir: Path, moment: float, workers: int) -> str:
    """Kill a run `moment` seconds after it wrote run.json, then finish it with --resume;
    return what was done."""
    process = start_run(scenario, run_dir, workers)
    wait_for_record(run_dir, process)
    time.sleep(moment)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    if (run_dir / "manifest.json").exists():
        return "nothing: the manifest was written before the kill"  # its files are compared
    assert_nothing_partial_looks_complete(run_dir)
    args = command("run", "--resume", str(run_dir), "--workers", str(workers), "-q")
    finished = subprocess.run(args, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()
    return "resumed"


@pytest.mark.parametrize("seed", KILL_SEEDS)
def test_a_killed_run_resumes_to_the_same_bytes(
    reference: tuple[Path, Path, float], tmp_path: Path, seed: int
) -> None:
    scenario, reference_dir, duration = reference
    stretch = 1.05 * duration / len(KILL_SEEDS)
    moment = (KILL_SEEDS.index(seed) + random.Random(seed).random()) * stretch
    run_dir = tmp_path / "run"
    kill_and_resume(scenario, run_dir, moment, workers=1)
    assert run_files(run_dir) == run_files(reference_dir)


def test_a_run_killed_before_recording_its_settings_leaves_nothing_to_trust(
    reference: tuple[Path, Path, float], tmp_path: Path
) -> None:
    scenario, _, _ = reference
    run_dir = tmp_path / "run"
    process = start_run(scenario, run_dir, workers=1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    # nothing to resume, and nothing in the way of starting again with the same --out
    assert not run_dir.exists() or not any(run_dir.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("seed", [10])
def test_a_killed_pool_of_workers_resumes_to_the_same_bytes(
    reference: tuple[Path, Path, float], tmp_path: Path, seed: int
) -> None:
    scenario, reference_dir, duration = reference
    moment = random.Random(seed).uniform(0.0, 2.0) * duration  # workers take longer to start
    run_dir = tmp_path / "run"
    kill_and_resume(scenario, run_dir, moment, workers=2)
    assert run_files(run_dir) == run_files(reference_dir)
