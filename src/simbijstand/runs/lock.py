"""One run at a time in a run directory: an exclusive lock on the directory itself.

The lock is the kernel's (flock on the directory), so it goes with the process that holds it,
however that process ends: a killed run never leaves a stale lock for its `--resume`. It adds no
file to the directory. Spawned helpers do not inherit it, and need not: only the run's own
process writes run.json, the outputs and the manifest.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simbijstand.errors import RunDirectoryError


@contextmanager
def run_directory_lock(run_dir: Path) -> Iterator[None]:
    """Hold the run directory for this process; RunDirectoryError if another one holds it."""
    try:
        handle = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        message = f"{run_dir}: cannot open the run directory ({exc.strerror})"
        raise RunDirectoryError(message) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunDirectoryError(
                f"{run_dir}: another run (or --resume) is writing this directory right now; "
                "wait for it to finish, or choose another --out"
            ) from None
        yield
    finally:
        os.close(handle)
