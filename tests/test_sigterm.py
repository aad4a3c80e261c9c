"""SIGTERM (what a job scheduler sends) stops `simbijstand run` like Ctrl-C: within seconds, with
exit code 143, the finished chunks kept, the resume hint printed and no helper left; `--resume`
then completes the run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from scaled import scaled_scenario
from simbijstand.store.rundir import CHECKPOINTS_DIR, MANIFEST

STOPS_WITHIN_S = 10.0
CLI = (sys.executable, "-c", "from simbijstand.cli import main; main()")


def test_sigterm_stops_the_run_and_resume_finishes_it(tmp_path: Path) -> None:
    scenario = scaled_scenario(tmp_path, replications=200)
    run_dir = tmp_path / "run"
    process = subprocess.Popen(
        [*CLI, "run", str(scenario), "--out", str(run_dir), "--workers", "2", "--no-report"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_a_checkpoint(process, run_dir / CHECKPOINTS_DIR)
    children = psutil.Process(process.pid).children(recursive=True)
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - sent < STOPS_WITHIN_S
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert "terminated (SIGTERM)" in stderr and "simbijstand run --resume" in stderr
    assert not (run_dir / MANIFEST).exists()
    kept = list((run_dir / CHECKPOINTS_DIR).glob("*.npz"))
    assert kept
    _, alive = psutil.wait_procs(children, timeout=STOPS_WITHIN_S)
    assert not alive, [" ".join(c.cmdline()) for c in alive]

    resumed = subprocess.run(
        [*CLI, "run", "--resume", str(run_dir), "--workers", "1", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    verified = subprocess.run([*CLI, "verify", str(run_dir)], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout


def wait_for_a_checkpoint(process: subprocess.Popen[str], folder: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if folder.is_dir() and any(folder.glob("*.npz")):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("no checkpoint within 120 s")
