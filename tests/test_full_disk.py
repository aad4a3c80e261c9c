"""A full disk: the run stops with an error naming the file it could not write and saying that
`--resume` finishes the run once there is space; the resumed run equals an uninterrupted one.

The disk fills at the write function (an injected ENOSPC at the n-th write), and, where the
tests run as root, on a real 300 kB tmpfs through the command line."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import simbijstand
from fuzzing import write_valid
from simbijstand.errors import DiskWriteError
from simbijstand.runs.resume import resume
from simbijstand.store import files

CLI = (sys.executable, "-c", "from simbijstand.cli import main; main()")


def full_after(writes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk is full from the (writes + 1)-th file written on."""
    real = files._fsync
    done = {"n": 0}

    def fsync(path: Path) -> None:
        done["n"] += 1
        if done["n"] > writes:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path)

    monkeypatch.setattr(files, "_fsync", fsync)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("whole")
    write_valid(folder)
    result = simbijstand.run(folder / "scenario.toml", out=folder / "run", workers=1, report=False)
    return dict(result.manifest["outputs"])


@pytest.mark.parametrize("writes", [0, 1, 2, 4])  # run.json, the segment, its checkpoint, outputs
def test_a_full_disk_names_the_file_and_resume_finishes_the_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    uninterrupted: dict[str, str],
    writes: int,
) -> None:
    write_valid(tmp_path)
    run_dir = tmp_path / "run"
    with monkeypatch.context() as patch:
        full_after(writes, patch)
        with pytest.raises(DiskWriteError) as caught:
            simbijstand.run(tmp_path / "scenario.toml", out=run_dir, workers=1, report=False)
    message = str(caught.value)
    assert f"{run_dir}/" in message and "could not be written (No space left on device" in message
    assert not list(run_dir.rglob(".*.tmp"))  # nothing half-written left behind
    if writes == 0:  # not even run.json: nothing to resume
        assert "free space, then run again" in message
        return
    assert f"simbijstand run --resume {run_dir}" in message
    with monkeypatch.context() as patch:  # still full: resume says the same
        full_after(0, patch)
        with pytest.raises(DiskWriteError, match="--resume"):
            resume(run_dir, workers=1)
    assert resume(run_dir, workers=1).manifest["outputs"] == uninterrupted


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mount") is None, reason="mounting a tmpfs needs root"
)
def test_a_real_full_disk_through_the_command(tmp_path: Path) -> None:
    write_valid(tmp_path)
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(disk)])
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        filler = disk / "filler"
        filler.write_bytes(b"\0" * 250_000)
        run = [*CLI, "run", str(tmp_path / "scenario.toml"), "--out", str(disk / "run"), "-q"]
        result = subprocess.run(run, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith(f"error: {disk}/run/")
        assert "No space left on device" in result.stderr
        assert f"simbijstand run --resume {disk}/run" in result.stderr
        filler.unlink()
        resumed = subprocess.run([*CLI, "run", "--resume", str(disk / "run"), "-q"], timeout=60)
        assert resumed.returncode == 0
        assert (disk / "run" / "manifest.json").is_file()
    finally:
        subprocess.run(["umount", str(disk)], check=False)
