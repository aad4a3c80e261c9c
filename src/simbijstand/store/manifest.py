"""The run manifest: what went in (hashes), how it ran (seed, version, timings) and what came out
(files with checksums). It is written last; a run directory without one is incomplete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simbijstand.errors import RunDirectoryError
from simbijstand.store.files import write_json_atomic
from simbijstand.store.rundir import MANIFEST

MANIFEST_VERSION = 1


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    write_json_atomic(run_dir / MANIFEST, {"manifest_version": MANIFEST_VERSION, **manifest})


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """The manifest of a complete run; a clear error for anything else."""
    if not run_dir.is_dir():
        raise RunDirectoryError(f"{run_dir}: no such run directory")
    path = run_dir / MANIFEST
    if not path.is_file():
        raise RunDirectoryError(
            f"{run_dir}: has no {MANIFEST}; the run did not finish (or this is not a run "
            f"directory); finish it with: simbijstand run --resume {run_dir}"
        )
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunDirectoryError(f"{path}: unreadable manifest ({exc})") from None
    return data
