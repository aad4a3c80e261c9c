"""Where the time of `simbijstand run scenarios/gemeenten-2017.toml` goes (every gemeente, 390
parameter files, parameter uncertainty on, one replication per chunk), and the whole command.

Phases, in this process, one worker: loading the scenario (390 parameter files), preparing it
(initial states, the compiled model, the finance plan), sending a chunk's job to a helper
process (pickling it there and back), and per replication: its own model (parameter draw and
compile), the simulation with the fold, the event segment (Parquet) and the checkpoint. Then the
command itself, launched as a user would (`--workers` default, all cores), timed from launch to
exit, with the phases its manifest records. Figures are seconds; CPU is this process's (or the
command's and its helpers') user + system time, which the other load of a shared machine
disturbs less than wall time; the load average is printed beside them. `max_rss_mb` is the peak
memory of the command's largest process.

    python benchmarks/gemeenten_run.py [--replications 200] [--phase-replications 10]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from simbijstand.engine import CompiledModel, simulate
from simbijstand.engine.draws import ReplicationModels
from simbijstand.projections import ProjectionFold
from simbijstand.runs.checkpoints import Checkpoint, save_checkpoint
from simbijstand.runs.chunks import Chunk, run_chunk
from simbijstand.runs.run import prepare
from simbijstand.scenario import load_scenario
from simbijstand.store.segments import SegmentWriter

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "gemeenten-2017.toml"
Value = TypeVar("Value")


class Clock:
    """Wall and CPU seconds per phase, summed over calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, dict[str, float]] = {}

    def time(self, phase: str, work: Callable[[], Value]) -> Value:
        wall, cpu = time.perf_counter(), time.process_time()
        value = work()
        spent = self.seconds.setdefault(phase, {"wall_s": 0.0, "cpu_s": 0.0})
        spent["wall_s"] += time.perf_counter() - wall
        spent["cpu_s"] += time.process_time() - cpu
        return value

    def per(self, count: int) -> dict[str, dict[str, float]]:
        return {p: {k: round(v / count, 4) for k, v in s.items()} for p, s in self.seconds.items()}


def phases(replications: int, folder: Path) -> dict[str, Any]:
    """Setup phases once, and each replication's phases averaged over `replications`."""
    _as_a_run_process()
    setup, each = Clock(), Clock()
    scenario = setup.time("load_scenario", lambda: load_scenario(SCENARIO))
    prepared = setup.time("prepare", lambda: prepare(scenario))
    draws = prepared.draws()
    assert draws is not None, "the scenario draws parameters"
    seed = prepared.scenario.spec.simulatie.seed
    job = (prepared.model, draws)
    setup.time("send_job_to_helper", lambda: pickle.loads(pickle.dumps(job)))
    for r in range(replications):
        _replication(each, prepared.model, draws, seed, r, folder)
    # the chunk as the run calls it, to check that the phases add up to it
    each.time(
        "run_chunk_total",
        lambda: [run_chunk(prepared.model, seed, Chunk(r, 1), folder / "again", r + 1, draws)
                 for r in range(replications)],
    )  # fmt: skip
    return {"setup": setup.per(1), "per_replication": each.per(replications)}


def _as_a_run_process() -> None:
    """Set up malloc as a run's simulating processes do (where the version has it)."""
    try:
        from simbijstand.runs.execution import keep_freed_memory  # type: ignore[attr-defined]
    except ImportError:  # versions before it
        return
    keep_freed_memory()


def _replication(
    each: Clock, base: CompiledModel, draws: ReplicationModels, seed: int, r: int, folder: Path
) -> None:
    """Replication r as `run_chunk` runs it, phase by phase."""
    model = each.time("replication_model", lambda: draws.model(r, base))
    fold = ProjectionFold(model, r, 1)
    writer = SegmentWriter(model, folder, r, r, r + 1)
    each.time("simulate_and_fold", lambda: simulate(model, seed, [r], _Both(fold, writer)))
    segment = each.time("event_segment", writer.close)
    assert segment is not None
    record = {"first": r, "count": 1, "events": segment.rows, "segment": segment.as_record()}
    each.time(
        "checkpoint", lambda: save_checkpoint(folder, r, r, Checkpoint(fold.result(), record))
    )


class _Both:
    def __init__(self, fold: ProjectionFold, writer: SegmentWriter) -> None:
        self.fold, self.writer = fold, writer

    def record(self, batch: Any) -> None:
        self.fold.record(batch)
        self.writer.record(batch)


def command(replications: int, folder: Path) -> dict[str, Any]:
    """The CLI run, launched as a user launches it; wall from launch to exit."""
    out = folder / "run"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from simbijstand.cli import main; main()", "run", str(SCENARIO),
         "-n", str(replications),
         "--out", str(out)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    manifest = json.loads((out / "manifest.json").read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "replications": replications,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "load_average_1min_at_start": load,
        "load_average_1min_at_end": os.getloadavg()[0],
        # the largest of the command's processes (the run's own or a helper), in MB
        "max_rss_mb": round(after.ru_maxrss / 1024),
        "manifest_timings": manifest["timings"],
        "workers": manifest["execution"]["workers"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200, help="of the command")
    parser.add_argument("--phase-replications", type=int, default=10)
    parser.add_argument("--skip-command", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gemeenten-run-"))
    try:
        result = {
            "scenario": str(SCENARIO.relative_to(REPO)),
            "cores": os.cpu_count(),
            "load_average_1min": os.getloadavg()[0],
            "phases": phases(args.phase_replications, folder),
        }
        if not args.skip_command:
            result["command"] = command(args.replications, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
