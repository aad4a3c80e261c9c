"""Engine benchmark: events per second of the vectorised engine against a literal per-case simpy
model on the same workload, a national-size run's time and peak memory, and the time of
`simbijstand run scenarios/basis.toml --replications 1000`.

    python benchmarks/engine.py            # a readable table
    python benchmarks/engine.py --json     # the figures as JSON

The national workload uses Steenwijkerland's real rates (calibration/steenwijkerland) with the
initial caseload scaled to 400,000 benefits and inflow to 100,000 a year, 60 months, one
replication; the engine figure is the median of three runs. Events counted are those inside
the horizon (the initial caseload's instroom events, which lie before the start, are not
counted). Each measurement runs in a fresh process so peak memory (max RSS) is its own. The
basis figure is the median wall time of three runs of the command itself, from launch to exit.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import tomli_w

from isolated import in_subprocess

REPO = Path(__file__).resolve().parents[1]
PARAMETERS = REPO / "calibration" / "steenwijkerland" / "parameters.toml"
BEGINSTAND = REPO / "calibration" / "steenwijkerland" / "beginstand-2020.csv"
NATIONAL_CASES = 400_000
NATIONAL_INFLOW = 100_000.0
MONTHS = 60


def write_workload(folder: Path, cases: int, inflow: float) -> Path:
    """A scenario with Steenwijkerland's rates scaled to `cases` initial benefits."""
    params = tomllib.loads(PARAMETERS.read_text())
    params["instroom"]["per_jaar"] = inflow
    (folder / "parameters.toml").write_text(tomli_w.dumps(params))
    rows = [line.split(",") for line in BEGINSTAND.read_text().splitlines()[1:]]
    total = sum(int(n) for _, n in rows)
    counts = {group: round(int(n) * cases / total) for group, n in rows}
    scenario = {
        "naam": f"benchmark-{cases}",
        "simulatie": {
            "start": __import__("datetime").date(2020, 7, 1),
            "horizon_maanden": MONTHS,
            "replicaties": 1,
            "seed": 1,
        },
        "gemeenten": {
            "Nederland": {"parameters": "parameters.toml", "beginstand": {"aantallen": counts}}
        },
        "kosten": {"prijsjaar": 2020, "per_maand": {"participatiewet": 1215.0, "geplaatst": 607.0}},
    }
    path = folder / "scenario.toml"
    path.write_text(tomli_w.dumps(scenario))
    return path


def measure_engine(scenario: str) -> dict[str, float]:
    """In this process: simulate once, counting in-horizon events (engine only, no outputs)."""
    from simbijstand.engine import simulate
    from simbijstand.runs.run import prepare

    model = prepare(scenario).model

    class Count:
        events = 0

        def record(self, batch) -> None:
            self.events += int((batch.time_us >= model.boundaries_us[0]).sum())

    counter = Count()
    started = time.perf_counter()
    simulate(model, 1, [0], counter)
    seconds = time.perf_counter() - started
    return {"events": counter.events, "seconds": seconds}


def measure_reference(scenario: str) -> dict[str, float]:
    """In this process: the per-case simpy model on the same (smaller) workload."""
    from simbijstand.engine.reference import ReferenceRun
    from simbijstand.runs.run import prepare

    model = prepare(scenario).model
    started = time.perf_counter()
    run = ReferenceRun(model, 1).run()
    return {"events": run.events, "seconds": time.perf_counter() - started}


def measure_full_run(
    scenario: str, out: str, replications: int, keep: int | None
) -> dict[str, float]:
    import simbijstand

    started = time.perf_counter()
    simbijstand.run(scenario, replications=replications, out=out, keep_events=keep)
    return {"seconds": time.perf_counter() - started}


def measure_command(out: Path) -> float:
    """Wall seconds of `simbijstand run scenarios/basis.toml --replications 1000`, from launch to
    exit: interpreter start, imports, workers, every output and the report."""
    command = [sys.executable, "-c", "from simbijstand.cli import main; main()"]
    arguments = ["run", str(REPO / "scenarios" / "basis.toml"), "--replications", "1000"]
    started = time.perf_counter()
    run = [*command, *arguments, "--out", str(out), "--quiet"]
    subprocess.run(run, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "national").mkdir()
        (folder / "small").mkdir()
        national = str(write_workload(folder / "national", NATIONAL_CASES, NATIONAL_INFLOW))
        small = str(write_workload(folder / "small", 4_000, 1_000.0))
        # the machine is shared and noisy: take the median of three fresh processes
        engine = sorted(
            (in_subprocess("engine", "measure_engine", national) for _ in range(3)),
            key=lambda r: r["seconds"],
        )[1]
        reference = in_subprocess("engine", "measure_reference", small)
        full = in_subprocess(
            "engine", "measure_full_run", national, str(folder / "national-run"), 1, 1
        )
        basis = sorted(measure_command(folder / f"basis-{i}") for i in range(3))[1]
    engine_rate = engine["events"] / engine["seconds"]
    reference_rate = reference["events"] / reference["seconds"]
    figures = {
        "engine_events_per_s": round(engine_rate),
        "engine_events": engine["events"],
        "engine_seconds": round(engine["seconds"], 3),
        "simpy_per_person_events_per_s": round(reference_rate),
        "ratio": round(engine_rate / reference_rate, 1),
        "national_seconds": round(full["seconds"], 3),
        "national_peak_memory_mb": round(full["peak_memory_mb"], 1),
        "basis_1000_replications_seconds": round(basis, 3),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        print(f"{key:35s} {value:>14,}")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
