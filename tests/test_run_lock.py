"""One run at a time per run directory: of two runs on one --out, one runs and the other gets a
clear error; a resume takes the same lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import simbijstand
from conftest import one_group_parameters
from simbijstand.errors import RunDirectoryError
from simbijstand.runs.lock import run_directory_lock
from simbijstand.store.rundir import MANIFEST, RUN_RECORD

TRIALS = 5


@pytest.fixture
def single_group_scenario(make_scenario: Callable[..., Path]) -> Path:
    return make_scenario(one_group_parameters(inflow_per_year=50.0))


@pytest.mark.parametrize("trial", range(TRIALS))
def test_of_two_runs_started_at_once_on_one_directory_one_runs(
    single_group_scenario: Path, tmp_path: Path, trial: int
) -> None:
    out = tmp_path / "run"
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        start.wait()
        try:
            simbijstand.run(single_group_scenario, replications=4, out=out, workers=1)
            outcomes.append("ran")
        except RunDirectoryError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes.count("ran") == 1, outcomes
    refused = next(o for o in outcomes if o != "ran")
    assert str(out) in refused and "choose another --out" in refused
    assert (out / MANIFEST).is_file()


def test_a_resume_of_a_directory_in_use_is_refused(
    single_group_scenario: Path, tmp_path: Path
) -> None:
    """A resume of a directory that a live run holds is refused, not run beside it."""
    result = simbijstand.run(single_group_scenario, replications=4, out=tmp_path / "r", workers=1)
    (result.run_dir / MANIFEST).unlink()
    with run_directory_lock(result.run_dir), pytest.raises(RunDirectoryError, match="another run"):
        simbijstand.resume(result.run_dir, workers=1)
    assert (result.run_dir / RUN_RECORD).is_file()
    simbijstand.resume(result.run_dir, workers=1)  # once the lock is free
    assert (result.run_dir / MANIFEST).is_file()
