"""A run that dies leaves no process behind: its helpers and multiprocessing's resource tracker
exit within seconds, however and whenever the run's own process dies.

Only the run's process is killed here (a job scheduler may do just that), at moments spread over
the helpers' start-up, when the parent-death signal cannot reach them yet, and after it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from scaled import scaled_scenario

GONE_WITHIN_S = 10.0


def start_run(scenario: Path, run_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            *(sys.executable, "-c", "from simbijstand.cli import main; main()", "run"),
            *(str(scenario), "--out", str(run_dir), "--workers", "2", "-q", "--no-report"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def descendants_once_started(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The run's child processes, as soon as its helper exists (resource tracker included)."""
    run = psutil.Process(process.pid)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = run.children(recursive=True)
        if any("spawn_main" in " ".join(c.cmdline()) for c in children if c.is_running()):
            return children
        assert process.poll() is None, "the run ended before it started a helper"
        time.sleep(0.01)
    raise AssertionError("no helper process within 30 s")


@pytest.mark.parametrize("delay", [0.0, 1.0])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_helpers_exit_when_the_run_dies(tmp_path: Path, delay: float, sig: signal.Signals) -> None:
    scenario = scaled_scenario(tmp_path, replications=400)
    process = start_run(scenario, tmp_path / "run")
    children = descendants_once_started(process)
    time.sleep(delay)
    process.send_signal(sig)
    process.wait(timeout=30)
    _, alive = psutil.wait_procs(children, timeout=GONE_WITHIN_S)
    for child in alive:
        child.kill()
    assert not alive, [" ".join(c.cmdline()) for c in alive]
