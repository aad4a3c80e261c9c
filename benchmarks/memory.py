"""Memory benchmark: the constants of admission control (src/simbijstand/runs/admission.py).

A run's peak memory has two parts that grow with its size:
  * per chunk, in each simulating process: the cases a chunk's replications hold (the initial
    caseload plus the expected inflow over the horizon, times the chunk's replications), with
    the events buffered for the chunk's segment;
  * in the run's own process: the folded projections of every replication (caseload, flows,
    benefit-months per month and cell) and the output tables made from them.
Each is measured in a fresh process as the rise of peak RSS (ru_maxrss) over the process's
RSS just before, on Steenwijkerland's real rates; the time per case comes with the first.

    python benchmarks/memory.py            # a readable table
    python benchmarks/memory.py --json     # the figures as JSON
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import tomllib
from pathlib import Path

import tomli_w

from isolated import in_subprocess

REPO = Path(__file__).resolve().parents[1]
PARAMETERS = REPO / "calibration" / "steenwijkerland" / "parameters.toml"
BEGINSTAND = REPO / "calibration" / "steenwijkerland" / "beginstand-2020.csv"
MONTHS = 60
CHUNK_CASES = (50_000, 200_000, 400_000)  # initial caseload of one replication
MANY_REPLICATIONS = (1_000, 4_000)  # of a caseload of 100, for the per-replication part


def write_workload(folder: Path, cases: int, replications: int) -> Path:
    """Steenwijkerland's rates with `cases` initial benefits and inflow scaled alike."""
    params = tomllib.loads(PARAMETERS.read_text())
    rows = [line.split(",") for line in BEGINSTAND.read_text().splitlines()[1:]]
    total = sum(int(n) for _, n in rows)
    params["instroom"]["per_jaar"] *= cases / total
    (folder / "parameters.toml").write_text(tomli_w.dumps(params))
    counts = {group: max(1, round(int(n) * cases / total)) for group, n in rows}
    scenario = {
        "naam": f"memory-{cases}",
        "simulatie": {
            "start": dt.date(2020, 7, 1),
            "horizon_maanden": MONTHS,
            "replicaties": replications,
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


def measure_chunk(scenario: str, out: str) -> dict[str, float]:
    """In this process: one replication as one chunk, with its event segment and checkpoint."""
    import time

    from simbijstand.runs.admission import cases_per_replication
    from simbijstand.runs.chunks import Chunk, run_chunk
    from simbijstand.runs.run import prepare

    prepared = prepare(scenario)
    Path(out).mkdir()
    before = _rss_mb()
    started = time.perf_counter()
    result = run_chunk(prepared.model, 1, Chunk(0, 1), Path(out), 1)
    return {
        "cases": cases_per_replication(prepared.model),
        "events": result.events,
        "seconds": time.perf_counter() - started,
        "before_mb": before,
    }


def measure_run(scenario: str, out: str) -> dict[str, float]:
    """In this process, one worker: a whole run of many small replications, no event log."""
    import simbijstand
    from simbijstand.runs.admission import values_per_replication
    from simbijstand.runs.run import prepare

    prepared = prepare(scenario)
    before = _rss_mb()
    simbijstand.run(prepared.scenario, out=out, workers=1, keep_events=0, report=False)
    return {
        "values": values_per_replication(prepared.model),
        "replications": prepared.scenario.spec.simulatie.replicaties,
        "before_mb": before,
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def rise_mb(measured: dict[str, float]) -> float:
    """How far a measurement's peak RSS rose above the process's RSS just before it."""
    return measured["peak_memory_mb"] - measured["before_mb"]


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y on x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    chunks, runs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for cases in CHUNK_CASES:
            folder = Path(tmp) / f"chunk-{cases}"
            folder.mkdir()
            scenario = str(write_workload(folder, cases, 1))
            chunks.append(in_subprocess("memory", "measure_chunk", scenario, str(folder / "run")))
        for replications in MANY_REPLICATIONS:
            folder = Path(tmp) / f"run-{replications}"
            folder.mkdir()
            scenario = str(write_workload(folder, 100, replications))
            runs.append(in_subprocess("memory", "measure_run", scenario, str(folder / "run")))
    per_case = slope([(c["cases"], rise_mb(c) * 2**20) for c in chunks])
    seconds = slope([(c["cases"], c["seconds"]) for c in chunks])
    per_value = slope([(r["values"] * r["replications"], rise_mb(r) * 2**20) for r in runs])
    figures = {
        "bytes_per_case": round(per_case),
        "seconds_per_case": seconds,
        "bytes_per_output_value": round(per_value, 1),
        "process_mb": round(min(c["before_mb"] for c in chunks)),
        "chunks": chunks,
        "runs": runs,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{'cases':>10} {'events':>10} {'seconds':>8} {'rise MB':>8}")
    for c in chunks:
        print(f"{c['cases']:>10,.0f} {c['events']:>10,} {c['seconds']:>8.2f} {rise_mb(c):>8.0f}")
    print(f"per case: {per_case:,.0f} bytes, {seconds * 1e6:.2f} µs")
    print(f"{'replications':>12} {'values':>12} {'rise MB':>8}")
    for r in runs:
        print(f"{r['replications']:>12,} {r['values']:>12,} {rise_mb(r):>8.0f}")
    print(f"per output value (replication x month x cell x quantity): {per_value:.1f} bytes")
    print(f"a process after imports and the model: {figures['process_mb']} MB")


if __name__ == "__main__":
    main()
