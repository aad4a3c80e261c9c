"""The settings of a run, recorded in `run.json` before any replication starts, so an interrupted
run can be resumed exactly as it began.

It holds the scenario file, every input file with its SHA-256, the seed, the number of
replications, how many replications keep their event log, the chunk plan, whether to write
report.html and the versions of the packages that decide the bytes of the outputs. A resume
refuses to go on when any of these changed (naming which), because finished and new chunks
would then describe different runs.

With a signing key (store/signing.py) run.json is signed, and every checkpoint's signature
covers run.json's, tying it to this run. The rule for keys across an interruption: a run is
resumed with the key it started with, or, if it started without one, without a key. Anything
else is refused, because a key present only at the end would sign checkpoints nobody checked,
and a key missing at the end would quietly leave a run meant to be signed unsigned.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from simbijstand.errors import RunDirectoryError
from simbijstand.store.files import sha256_of, write_json_atomic
from simbijstand.store.rundir import MANIFEST, RUN_RECORD
from simbijstand.store.signing import (
    KEY_FILE_VARIABLE,
    KEY_VARIABLE,
    OTHER_KEY,
    SIGNATURE,
    sign,
    signature_problem,
    signing_key,
)

RUN_RECORD_VERSION = 1
# The random streams (numpy), rates (scipy) and Parquet bytes (polars) depend on these.
PINNED_PACKAGES = ("simbijstand", "numpy", "scipy", "polars")


@dataclass(frozen=True, slots=True)
class RunRecord:
    scenario: Path  # absolute
    inputs: tuple[tuple[str, str], ...]  # (absolute file, sha256), as `prepare` found them
    seed: int
    replications: int
    keep_events: int
    chunks: tuple[tuple[int, int], ...]  # (first replication, count)
    report: bool  # write report.html
    versions: tuple[tuple[str, str], ...]


def new_run_record(
    scenario: Path,
    input_files: tuple[Path, ...],
    seed: int,
    replications: int,
    keep_events: int,
    chunks: list[tuple[int, int]],
    report: bool,
) -> RunRecord:
    return RunRecord(
        scenario=scenario.resolve(),
        inputs=tuple((str(f.resolve()), sha256_of(f)) for f in input_files),
        seed=seed,
        replications=replications,
        keep_events=keep_events,
        chunks=tuple(chunks),
        report=report,
        versions=package_versions(),
    )


def package_versions() -> tuple[tuple[str, str], ...]:
    return tuple((p, package_version(p)) for p in PINNED_PACKAGES)


def write_run_record(run_dir: Path, record: RunRecord) -> None:
    """Write run.json, signed when a signing key is set."""
    key = signing_key(run_dir)
    data = {
        "run_record_version": RUN_RECORD_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": str(record.scenario),
        "inputs": [{"file": f, "sha256": h} for f, h in record.inputs],
        "seed": record.seed,
        "replications": record.replications,
        "keep_events": record.keep_events,
        "chunks": [{"first": f, "count": c} for f, c in record.chunks],
        "report": record.report,
        "versions": dict(record.versions),
    }
    write_json_atomic(run_dir / RUN_RECORD, data if key is None else sign(data, key))


def read_run_record(run_dir: Path) -> RunRecord:
    """The record of an unfinished run; a clear error for a finished run or anything else."""
    if not run_dir.is_dir():
        raise RunDirectoryError(f"{run_dir}: no such run directory")
    if (run_dir / MANIFEST).is_file():
        raise RunDirectoryError(
            f"{run_dir}: the run is complete ({MANIFEST} exists); nothing to resume. "
            f"Check its files with: simbijstand verify {run_dir}"
        )
    path = run_dir / RUN_RECORD
    if not path.is_file():
        raise RunDirectoryError(
            f"{run_dir}: has no {RUN_RECORD}, so it cannot be resumed: the run stopped before it "
            "started simulating, or this is not a run directory. Start the run again with "
            f"--out {run_dir} (after emptying it)"
        )
    data = _read_json(path)
    if signing_key(run_dir) is None and SIGNATURE in data:
        raise RunDirectoryError(
            f"{path}: the run was started with a signing key, but none is set now; set "
            f"{KEY_VARIABLE} (or {KEY_FILE_VARIABLE}) to the key it was started with to resume it"
        )
    return read_record_file(path)


def read_record_file(path: Path) -> RunRecord:
    """The run record in `path`, finished run or not (verify reads a finished run's); with a
    signing key set, its signature must hold."""
    data = _read_json(path)
    _check_signature(path, data)
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RunDirectoryError(f"{path}: unreadable run record ({exc!r})") from None


def record_signature(run_dir: Path) -> str | None:
    """The HMAC of the run's run.json, or None if it is unsigned or unreadable; a checkpoint's
    signature covers it, so a checkpoint signed for another run does not hold in this one."""
    try:
        signature = _read_json(run_dir / RUN_RECORD).get(SIGNATURE)
    except RunDirectoryError:
        return None
    hmac = signature.get("hmac") if isinstance(signature, dict) else None
    return hmac if isinstance(hmac, str) else None


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise RunDirectoryError(f"{path}: missing")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise RunDirectoryError(f"{path}: unreadable run record ({exc!r})") from None
    if not isinstance(data, dict):
        raise RunDirectoryError(f"{path}: unreadable run record (not a JSON object)")
    return data


def _check_signature(path: Path, data: dict[str, Any]) -> None:
    key = signing_key(path.parent)
    problem = None if key is None else signature_problem(data, key)
    if problem is None:
        return
    if SIGNATURE not in data:
        raise RunDirectoryError(
            f"{path}: not signed, but a signing key is set ({KEY_VARIABLE} or "
            f"{KEY_FILE_VARIABLE}): the run was started without one, so its checkpoints cannot "
            "be checked. Unset the key to resume it unsigned, or start a new run with the key"
        )
    if problem == OTHER_KEY:
        raise RunDirectoryError(
            f"{path}: {problem}; set the key the run was started with, or start a new run"
        )
    raise RunDirectoryError(
        f"{path}: {problem} (the run's settings, such as its seed, were altered); the run "
        "cannot be trusted: start a new run"
    )


def check_unchanged(record: RunRecord, run_dir: Path) -> None:
    """Refuse to resume when an input file or a pinned package differs from the run's start."""
    problems = [_input_problem(Path(f), h) for f, h in record.inputs]
    problems += [
        f"{name} is version {now}, the run started with {then}"
        for (name, then), (_, now) in zip(record.versions, package_versions(), strict=True)
        if then != now
    ]
    _refuse(run_dir, [p for p in problems if p])


def check_same_inputs(record: RunRecord, run_dir: Path, input_files: tuple[Path, ...]) -> None:
    """Refuse when the scenario now reads other files than it did (e.g. a new log segment)."""
    recorded = {f for f, _ in record.inputs}
    now = {str(f.resolve()) for f in input_files}
    problems = [f"{f}: now read as an input, but not when the run started" for f in now - recorded]
    problems += [f"{f}: no longer read as an input" for f in recorded - now]
    _refuse(run_dir, sorted(problems))


def _refuse(run_dir: Path, problems: list[str]) -> None:
    if problems:
        raise RunDirectoryError(
            f"{run_dir}: cannot resume, the run's inputs changed since it started: "
            + "; ".join(problems)
            + ". Restore them, or start a new run"
        )


def _input_problem(path: Path, sha256: str) -> str:
    if not path.is_file():
        return f"{path}: missing"
    if sha256_of(path) != sha256:
        return f"{path}: changed (SHA-256 differs)"
    return ""


def _parse(data: dict[str, Any]) -> RunRecord:
    if data["run_record_version"] != RUN_RECORD_VERSION:
        raise ValueError(f"run_record_version {data['run_record_version']!r}")
    return RunRecord(
        scenario=Path(data["scenario"]),
        inputs=tuple((str(i["file"]), str(i["sha256"])) for i in data["inputs"]),
        seed=int(data["seed"]),
        replications=int(data["replications"]),
        keep_events=int(data["keep_events"]),
        chunks=tuple((int(c["first"]), int(c["count"])) for c in data["chunks"]),
        report=bool(data["report"]),
        versions=tuple((p, str(data["versions"].get(p))) for p in PINNED_PACKAGES),
    )


def package_version(package: str) -> str:
    """The installed version of `package`, or "unknown" (a source tree that was never installed)."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"
