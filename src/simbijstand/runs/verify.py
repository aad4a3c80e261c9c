"""`simbijstand verify RUN_DIR`: check a finished run by recomputing it, not only by checksums.

On top of store/verify.py's checks (every file matches the manifest's SHA-256, the stored
caseload and flows equal a replay of the kept event log), this
  * compares the manifest's seed, replications, kept replications and checkpoints with run.json,
    written before the first replication;
  * loads the scenario from the run's inputs (refusing inputs changed since the run), compares
    its gemeenten and klantgroepen with the manifest's, and recomputes caseload.parquet,
    flows.parquet, finance.parquet, summary.csv, finance_summary.csv (and the history and
    measures tables) from the checkpoints' projections: each must equal the stored file;
  * checks the manifest's HMAC when a signing key is set (store/signing.py).
Without a key, a directory edited consistently throughout (outputs, checkpoints and log recomputed
and re-hashed) still verifies: only the key proves who wrote the manifest.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from simbijstand.errors import SimbijstandError
from simbijstand.projections import Projections
from simbijstand.runs.chunks import Chunk, load_finished
from simbijstand.runs.record import RunRecord, read_record_file
from simbijstand.runs.run import Prepared, output_frames, prepare, write_outputs
from simbijstand.scenario import load_scenario
from simbijstand.store.files import sha256_of
from simbijstand.store.manifest import read_manifest
from simbijstand.store.rundir import RUN_RECORD, checkpoint_name
from simbijstand.store.signing import SIGNATURE, signature_problem, signing_key
from simbijstand.store.verify import Verification
from simbijstand.store.verify import verify_run as check_files


def verify_run(run_dir: Path) -> Verification:
    """Check a run directory; RunDirectoryError if it has no readable manifest."""
    result = check_files(run_dir)
    manifest = read_manifest(run_dir)
    _check_signature(run_dir, manifest, result)
    try:
        record = read_record_file(run_dir / RUN_RECORD)
    except SimbijstandError as exc:
        result.problems.append(str(exc))
        return result
    _check_settings(manifest, record, result)
    prepared = _prepared(manifest, record, result)
    if prepared is not None:
        _check_groups(manifest, prepared, result)
        _check_recomputed(run_dir, manifest, record, prepared, result)
    return result


def _check_signature(run_dir: Path, manifest: dict[str, Any], result: Verification) -> None:
    key = signing_key(run_dir)
    if key is None:
        if SIGNATURE in manifest:
            result.notes.append(
                "manifest.json is signed, but no signing key is set (SIMBIJSTAND_SIGNING_KEY "
                "or SIMBIJSTAND_SIGNING_KEY_FILE): the signature was not checked"
            )
        return
    problem = signature_problem(manifest, key)
    if problem:
        result.problems.append(f"manifest.json: {problem}")
    else:
        result.checked.append("the manifest's signature holds for the signing key")


def _check_settings(manifest: dict[str, Any], record: RunRecord, result: Verification) -> None:
    """What the manifest says of the run against run.json, written before it simulated."""
    pairs = {
        "seed": (manifest["seed"], record.seed),
        "replications": (manifest["replications"], record.replications),
        "events.kept_replications": (
            manifest["events"]["kept_replications"],
            record.keep_events,
        ),
        "checkpoints": (
            [c["file"] for c in manifest.get("checkpoints", [])],
            [checkpoint_name(first, first + count - 1) for first, count in record.chunks],
        ),
    }
    wrong = [key for key, (said, recorded) in pairs.items() if said != recorded]
    result.problems.extend(
        f"manifest.json: {key} = {pairs[key][0]!r}, but {RUN_RECORD} recorded {pairs[key][1]!r}"
        for key in wrong
    )
    if not wrong:
        result.checked.append(f"seed, replications and checkpoints agree with {RUN_RECORD}")


def _prepared(manifest: dict[str, Any], record: RunRecord, result: Verification) -> Prepared | None:
    """The scenario as the run used it, from its inputs; None (and a problem) if they changed."""
    listed = {item["file"]: item["sha256"] for item in manifest["inputs"]}
    if listed != dict(record.inputs):
        result.problems.append(f"manifest.json: inputs differ from those {RUN_RECORD} recorded")
        return None
    changed = [f for f, sha in listed.items() if not Path(f).is_file() or sha256_of(Path(f)) != sha]
    if changed:
        result.problems.append(
            f"cannot recompute the outputs: input file(s) {', '.join(changed)} changed or went "
            "missing since the run"
        )
        return None
    try:
        scenario = load_scenario(record.scenario).with_overrides(
            replications=record.replications, seed=record.seed
        )
        return prepare(scenario)
    except SimbijstandError as exc:
        result.problems.append(f"cannot recompute the outputs: {exc}")
        return None


def _check_groups(manifest: dict[str, Any], prepared: Prepared, result: Verification) -> None:
    model = prepared.model
    groups = [
        {"gemeente": model.gemeenten[g], "klantgroep": k, "buig": bool(b)}
        for g, k, b in zip(model.cell_gemeente, model.cell_klantgroep, model.cell_buig, strict=True)
    ]
    if manifest["gemeenten"] != prepared.scenario.gemeenten or manifest["klantgroepen"] != groups:
        result.problems.append(
            "manifest.json: its gemeenten or klantgroepen differ from the scenario's"
        )


def _check_recomputed(
    run_dir: Path,
    manifest: dict[str, Any],
    record: RunRecord,
    prepared: Prepared,
    result: Verification,
) -> None:
    chunks = [Chunk(first, count) for first, count in record.chunks]
    try:
        finished = load_finished(run_dir, chunks)
    except SimbijstandError as exc:  # with a key: a checkpoint whose signature does not hold
        result.problems.append(str(exc))
        return
    broken = [checkpoint_name(c.first, c.last) for c in chunks if c not in finished]
    if broken:
        if result.problems:  # a damaged checkpoint or segment is named above already
            result.notes.append("the outputs were not recomputed: the run's files are damaged")
        else:
            result.problems.append(
                f"{', '.join(broken)}: unreadable or inconsistent checkpoint(s); the outputs "
                "cannot be recomputed"
            )
        return
    projections = Projections.concat([finished[c].projections for c in chunks])
    frames = output_frames(prepared, projections)
    if prepared.history is not None:
        frames["history"] = prepared.history
    with tempfile.TemporaryDirectory() as folder:
        recomputed = write_outputs(Path(folder), frames)
    stored = manifest["outputs"]
    for name, sha in recomputed.items():
        if stored.get(name) != sha:
            result.problems.append(
                f"{name}: differs from a recomputation from the checkpoints and the scenario's "
                "inputs (it was changed after the run)"
            )
    same = [name for name, sha in recomputed.items() if stored.get(name) == sha]
    result.checked.append(
        f"recomputed {', '.join(same) or 'nothing'} from the checkpoints: identical"
    )
