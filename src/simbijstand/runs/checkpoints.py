"""A finished chunk's folded projections, kept on disk so a resumed run need not recompute them.

One file per chunk, `chunks/chunk-<first>-<last>.npz`, written beside the chunk's event segment
(temporary name, then rename) after the segment itself: a checkpoint exists only for a chunk
whose segment is complete. It holds the projection arrays exactly (int32 and float64, so a
resumed run's outputs are byte-identical), the events of measures the fold keeps as they are
(one array per column), and a JSON record of the chunk (replications, events, segment with its
checksum), with a SHA-256 digest over all of it, checked on every load.

The digest finds damage, not edits: whoever edits a checkpoint can recompute it. With a signing
key set (store/signing.py), a checkpoint also holds a signature: the HMAC of its name, its digest
and run.json's signature, which ties it to this run. A checkpoint whose signature does not hold
is refused by name, not quietly run again: someone changed it, and the user should know.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simbijstand.engine import EventBatch
from simbijstand.errors import RunDirectoryError
from simbijstand.projections import Projections
from simbijstand.runs.record import record_signature
from simbijstand.store.files import sha256_of, write_atomic
from simbijstand.store.rundir import checkpoint_name
from simbijstand.store.signing import (
    KEY_VARIABLE,
    SIGNATURE,
    sign,
    signature_problem,
    signing_key,
)

CHECKPOINT_VERSION = 1
_ARRAYS = ("caseload", "flows", "benefit_months")
_EVENT_PREFIX = "measure_events."
_EVENT_ARRAYS = tuple(_EVENT_PREFIX + column for column in EventBatch.__slots__)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    projections: Projections
    record: dict[str, Any]  # first, count, events, segment (or None)


def save_checkpoint(run_dir: Path, first: int, last: int, checkpoint: Checkpoint) -> str:
    """Write the checkpoint atomically; return its file name relative to `run_dir`."""
    name = checkpoint_name(first, last)
    path = run_dir / name
    arrays = _arrays(checkpoint.projections)
    record = {"version": CHECKPOINT_VERSION, **checkpoint.record}
    text = json.dumps(record, sort_keys=True).encode()
    digest = _digest(text, arrays)
    contents = {
        **arrays,
        "record": np.frombuffer(text, dtype=np.uint8),
        "digest": np.frombuffer(digest.encode(), dtype=np.uint8),
    }
    key = signing_key(run_dir)
    if key is not None:
        signature = sign(_sealed(run_dir, name, digest), key)[SIGNATURE]
        contents[SIGNATURE] = np.frombuffer(json.dumps(signature).encode(), dtype=np.uint8)
    write_atomic(path, lambda p: _save_npz(p, contents))
    return name


def load_checkpoint(run_dir: Path, first: int, last: int) -> Checkpoint | None:
    """The chunk's checkpoint if it is present, intact and its segment still matches; else None.

    Anything less means the chunk is run again, which rewrites the same bytes. With a signing
    key set, a checkpoint whose signature does not hold is a RunDirectoryError naming it.
    """
    name = checkpoint_name(first, last)
    path = run_dir / name
    if not path.is_file():
        return None
    try:
        read = _read(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError):
        return None
    if read is None:
        return None
    checkpoint, digest, signature = read
    _check_signature(run_dir, name, digest, signature)
    if not _matches(checkpoint.record, first, last):
        return None
    if not _segment_intact(run_dir, checkpoint.record.get("segment")):
        return None
    return checkpoint


def _read(path: Path) -> tuple[Checkpoint, str, Any] | None:
    """The checkpoint, its digest and its signature (None if unsigned), or None if damaged."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {a: data[a] for a in (*_ARRAYS, *_EVENT_ARRAYS)}
        text = data["record"].tobytes()
        digest = data["digest"].tobytes().decode()
        signed = data[SIGNATURE].tobytes() if SIGNATURE in data.files else None
    if digest != _digest(text, arrays):
        return None
    record = json.loads(text)
    if record.pop("version", None) != CHECKPOINT_VERSION:
        return None
    events = EventBatch(*(arrays.pop(a) for a in _EVENT_ARRAYS))
    projections = Projections(record["first"], **arrays, measure_events=events)
    signature = None if signed is None else json.loads(signed)
    return Checkpoint(projections, record), digest, signature


def _sealed(run_dir: Path, name: str, digest: str) -> dict[str, Any]:
    """What a checkpoint's signature covers: which chunk, its contents, and which run."""
    return {"checkpoint": name, "digest": digest, "run": record_signature(run_dir)}


def _check_signature(run_dir: Path, name: str, digest: str, signature: Any) -> None:
    key = signing_key(run_dir)
    if key is None:
        return  # nothing to check with: the README says what that leaves open
    path = run_dir / name
    advice = (
        f"delete it (rm {path}) to have its chunk simulated again on --resume, or start a new run"
    )
    if signature is None:
        raise RunDirectoryError(
            f"{path}: checkpoint not signed, but a signing key is set: the process that wrote "
            f"it had no key (on a Dask cluster every worker needs {KEY_VARIABLE}); {advice}"
        )
    problem = signature_problem({**_sealed(run_dir, name, digest), SIGNATURE: signature}, key)
    if problem is not None:
        raise RunDirectoryError(
            f"{path}: {problem} (its numbers were edited, or it was written for another run); "
            f"{advice}"
        )


def _arrays(projections: Projections) -> dict[str, np.ndarray]:
    arrays = {a: getattr(projections, a) for a in _ARRAYS}
    for column in EventBatch.__slots__:
        arrays[_EVENT_PREFIX + column] = getattr(projections.measure_events, column)
    return arrays


def _matches(record: dict[str, Any], first: int, last: int) -> bool:
    return record.get("first") == first and record.get("first", 0) + record.get("count", 0) - 1 == (
        last
    )


def _segment_intact(run_dir: Path, segment: dict[str, Any] | None) -> bool:
    if segment is None:
        return True
    path = run_dir / segment["file"]
    return path.is_file() and sha256_of(path) == segment["sha256"]


def _digest(record: bytes, arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256(record)
    for name in (*_ARRAYS, *_EVENT_ARRAYS):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _save_npz(path: Path, contents: dict[str, np.ndarray]) -> None:
    # a file handle, because np.savez appends ".npz" to a path that lacks it
    with path.open("wb") as handle:
        np.savez(handle, **contents)
