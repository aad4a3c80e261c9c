"""Load test: a national-size run must finish within 5 minutes and 4 GB on a 2-core machine.

    python benchmarks/load.py                  # local pool and a two-worker LocalCluster
    python benchmarks/load.py --mode local     # one of them
    python benchmarks/load.py --replications 10 --json

The workload (benchmarks/engine.py `write_workload`) is Steenwijkerland's real rates with
400,000 benefits at the start and 100,000 new ones a year, 60 months, 100 replications, the event
log kept for one replication (`--keep-events 1`). Each mode runs `simbijstand run` as a fresh
process; its wall time is measured from launch to exit, and its memory over the whole process
tree (the run and every worker, including a LocalCluster's scheduler, nannies and workers):

- peak_rss_mb: the largest sum of the tree's resident memory, sampled every 0.1 s;
- peak_rss_bound_mb: the sum of every process's own peak (VmHWM), an upper bound that no short
  spike between two samples can escape.

The machine may be shared: cpu_seconds (user + system time of the whole tree) and the load
average before and after tell how much of the wall time was waiting for a core; cpu_seconds / 2
is about the wall time on an idle 2-core machine.

Exit code 1 when a mode exceeds a limit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from engine import NATIONAL_CASES, NATIONAL_INFLOW, write_workload

LIMIT_SECONDS = 300.0
LIMIT_MB = 4096.0
SAMPLE_EVERY_S = 0.1
MODES = {"local": [], "dask-local": ["--dask", "local"]}


class TreeMemory:
    """Samples the resident memory of a process and all its descendants in a thread."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak_sum = 0
        self.peaks: dict[int, int] = {}  # pid -> its own peak resident memory (VmHWM)
        self.cpu: dict[int, float] = {}  # pid -> its user + system seconds, as last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            for process in self._tree():
                try:
                    total += process.memory_info().rss
                    self.peaks[process.pid] = max(self.peaks.get(process.pid, 0), _hwm(process))
                    times = process.cpu_times()
                    self.cpu[process.pid] = times.user + times.system
                except (psutil.NoSuchProcess, psutil.AccessDenied, OSError):
                    continue
            self.peak_sum = max(self.peak_sum, total)
            self._stop.wait(SAMPLE_EVERY_S)

    def _tree(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []


def _hwm(process: psutil.Process) -> int:
    """The process's peak resident memory in bytes (Linux /proc/PID/status VmHWM)."""
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return process.memory_info().rss


def measure(scenario: Path, out: Path, replications: int, workers: int, mode: str) -> dict:
    command = [
        sys.executable,
        "-c",
        "from simbijstand.cli import main; main()",
        "run",
        str(scenario),
        "-n",
        str(replications),
        "--keep-events",
        "1",
        "--workers",
        str(workers),
        "--out",
        str(out),
        "-q",
        *MODES[mode],
    ]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with TreeMemory(process.pid) as memory:
        _, errors = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{mode}: simbijstand run failed:\n{errors.decode()}")
    manifest = json.loads((out / "manifest.json").read_text())
    return {
        "mode": mode,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(memory.peak_sum / 2**20),
        "peak_rss_bound_mb": round(sum(memory.peaks.values()) / 2**20),
        "processes": len(memory.peaks),
        "cpu_seconds": round(sum(memory.cpu.values()), 1),
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "events": manifest["events"]["total_events"],
        "events_per_s": round(manifest["events"]["total_events"] / seconds),
        "chunks": manifest["execution"]["chunks"],
        "timings": manifest["timings"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=[*MODES, "all"], default="all")
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    modes = list(MODES) if args.mode == "all" else [args.mode]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenario = write_workload(folder, NATIONAL_CASES, NATIONAL_INFLOW)
        results = [
            measure(scenario, folder / f"run-{mode}", args.replications, args.workers, mode)
            for mode in modes
        ]
    failed = [
        r["mode"]
        for r in results
        if r["seconds"] > LIMIT_SECONDS or r["peak_rss_bound_mb"] > LIMIT_MB
    ]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(
                f"{r['mode']:11s} {r['seconds']:7.1f} s  peak {r['peak_rss_mb']:6,} MB "
                f"(bound {r['peak_rss_bound_mb']:,} MB, {r['processes']} processes)  "
                f"cpu {r['cpu_seconds']:,} s, load {r['load_average_before_after']}  "
                f"{r['events']:,} events, {r['events_per_s']:,}/s"
            )
        print(f"limits: {LIMIT_SECONDS:.0f} s, {LIMIT_MB:.0f} MB: {'FAILED' if failed else 'met'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
