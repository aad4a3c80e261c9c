"""The run manifest: what went in (hashes), how it ran (seed, version, timings) and what came out
(files with checksums). It is written last; a run directory without one is incomplete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simbijstand.errors import RunDirectoryError
from simbijstand.store.files import write_json_atomic
from simbijstand.store.manifest_shape import manifest_problems
from simbijstand.store.rundir import MANIFEST
from simbijstand.store.signing import sign, signing_key

MANIFEST_VERSION = 1


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest last, signed when a signing key is set (see store/signing.py)."""
    data = {"manifest_version": MANIFEST_VERSION, **manifest}
    key = signing_key(run_dir)
    write_json_atomic(run_dir / MANIFEST, data if key is None else sign(data, key))


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
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise RunDirectoryError(f"{path}: unreadable manifest ({exc})") from None
    problems = manifest_problems(data)
    if problems:
        shown = "; ".join(problems[:3]) + (
            f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        )
        raise RunDirectoryError(
            f"{path}: not a manifest simbijstand wrote ({shown}); the file was edited or "
            "damaged: restore it, or run the scenario again"
        )
    return dict(data)
