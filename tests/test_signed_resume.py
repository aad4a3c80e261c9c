"""With a signing key, an interrupted run's run.json and checkpoints are signed, and a resume
refuses any whose signature does not hold, so a checkpoint edited and re-digested by hand (in a
run that kept no event log to check it against) cannot reach the finished, signed results."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import simbijstand
from scaled import scaled_scenario
from simbijstand.cli import main
from simbijstand.errors import RunDirectoryError
from simbijstand.runs.checkpoints import _digest, load_checkpoint
from simbijstand.runs.verify import verify_run
from simbijstand.store.signing import KEY_VARIABLE

KEY = "a-signing-key-of-32-characters!!"
OUTPUTS = ["caseload.parquet", "flows.parquet", "finance.parquet", "summary.csv"]
POISONED = "chunks/chunk-000008-000011.npz"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scaled_scenario(tmp_path_factory.mktemp("scenario"))


def finished_run(scenario: Path, out: Path, key: str | None, seed: int | None = None) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        if key is None:
            patch.delenv(KEY_VARIABLE, raising=False)
        else:
            patch.setenv(KEY_VARIABLE, key)
        simbijstand.run(scenario, out=out, workers=1, keep_events=0, seed=seed)
    return out


@pytest.fixture(scope="module")
def signed(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return finished_run(scenario, tmp_path_factory.mktemp("signed") / "run", KEY)


@pytest.fixture(scope="module")
def unsigned(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return finished_run(scenario, tmp_path_factory.mktemp("unsigned") / "run", None)


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    yield


def interrupted(finished: Path, copy: Path) -> Path:
    """Killed during the simulation: one chunk never finished, no outputs, no manifest."""
    shutil.copytree(finished, copy)
    for name in ["manifest.json", *OUTPUTS, "finance_summary.csv", "report.html"]:
        (copy / name).unlink(missing_ok=True)
    (copy / "chunks" / "chunk-000016-000019.npz").unlink()
    return copy


def outputs(run_dir: Path) -> dict[str, bytes]:
    return {name: (run_dir / name).read_bytes() for name in OUTPUTS}


def poison(path: Path) -> None:
    """Add one case to a month of the checkpoint's caseload and recompute its digest, as
    someone who read runs/checkpoints.py would; its signature is left as it was."""
    with np.load(path, allow_pickle=False) as data:
        contents = {name: data[name] for name in data.files}
    caseload = contents["caseload"].copy()
    caseload.flat[caseload.size // 2] += 1
    contents["caseload"] = caseload
    arrays = {k: v for k, v in contents.items() if k not in ("record", "digest", "signature")}
    digest = _digest(contents["record"].tobytes(), arrays)
    contents["digest"] = np.frombuffer(digest.encode(), dtype=np.uint8)
    with path.open("wb") as handle:
        np.savez(handle, **contents)


def resume_on_command_line(run_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["run", "--resume", str(run_dir), "--workers", "1", "-q"])
    return result.exit_code, result.output


def test_signed_runs_sign_run_json_and_every_checkpoint(signed: Path, unsigned: Path) -> None:
    assert json.loads((signed / "run.json").read_text())["signature"]["algorithm"] == "hmac-sha256"
    assert "signature" not in json.loads((unsigned / "run.json").read_text())
    for run_dir, is_signed in [(signed, True), (unsigned, False)]:
        for path in (run_dir / "chunks").glob("*.npz"):
            assert ("signature.npy" in zipfile.ZipFile(path).namelist()) is is_signed
    # the key signs, it does not change a number
    assert outputs(signed) == outputs(unsigned)


def test_a_signed_run_resumes_to_the_same_bytes(signed: Path, tmp_path: Path, key: None) -> None:
    run_dir = interrupted(signed, tmp_path / "run")
    code, output = resume_on_command_line(run_dir)
    assert code == 0, output
    assert outputs(run_dir) == outputs(signed)
    assert (run_dir / "chunks" / "chunk-000016-000019.npz").read_bytes() == (
        signed / "chunks" / "chunk-000016-000019.npz"
    ).read_bytes()
    assert verify_run(run_dir).ok


def test_a_poisoned_checkpoint_is_refused_by_name(
    signed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir = interrupted(signed, tmp_path / "run")
    poison(run_dir / POISONED)
    # the poison is good enough to pass the digest: only the signature stands in its way
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    loaded = load_checkpoint(run_dir, 8, 11)
    assert loaded is not None
    with np.load(signed / POISONED) as original:
        assert not np.array_equal(loaded.projections.caseload, original["caseload"])
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    code, output = resume_on_command_line(run_dir)
    assert code == 2
    assert str(run_dir / POISONED) in output
    assert "signature does not match" in output and "delete it" in output
    assert "Traceback" not in output
    assert not (run_dir / "manifest.json").exists()
    # doing what the message says: the chunk is simulated again, and the run is right again
    (run_dir / POISONED).unlink()
    code, output = resume_on_command_line(run_dir)
    assert code == 0, output
    assert outputs(run_dir) == outputs(signed)


def test_a_checkpoint_of_another_run_with_the_same_key_is_refused(
    scenario: Path, signed: Path, tmp_path: Path, key: None
) -> None:
    other = finished_run(scenario, tmp_path / "other", KEY, seed=12)
    run_dir = interrupted(signed, tmp_path / "run")
    shutil.copy(other / POISONED, run_dir / POISONED)
    with pytest.raises(
        RunDirectoryError,
        match=r"chunk-000008-000011\.npz: its signature does not match.*another run",
    ):
        simbijstand.resume(run_dir, workers=1)


def test_a_tampered_run_json_is_refused(signed: Path, tmp_path: Path, key: None) -> None:
    run_dir = interrupted(signed, tmp_path / "run")
    record = json.loads((run_dir / "run.json").read_text())
    record["seed"] = 12
    (run_dir / "run.json").write_text(json.dumps(record, indent=2))
    code, output = resume_on_command_line(run_dir)
    assert code == 2
    assert "run.json" in output and "signature does not match" in output
    assert "seed" in output and "start a new run" in output
    assert not (run_dir / "manifest.json").exists()


def test_keys_must_be_the_same_before_and_after_the_interruption(
    signed: Path, unsigned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    started_unsigned = interrupted(unsigned, tmp_path / "unsigned")
    code, output = resume_on_command_line(started_unsigned)
    assert code == 2 and "started without one" in output and "Unset the key" in output
    monkeypatch.setenv(KEY_VARIABLE, "another-key-of-32-characters!!!!")
    started_signed = interrupted(signed, tmp_path / "signed")
    code, output = resume_on_command_line(started_signed)
    assert code == 2 and "another key" in output
    monkeypatch.delenv(KEY_VARIABLE)
    code, output = resume_on_command_line(started_signed)
    assert code == 2 and f"set {KEY_VARIABLE}" in output
    # and with none at either end, as before
    code, output = resume_on_command_line(started_unsigned)
    assert code == 0, output
    assert outputs(started_unsigned) == outputs(unsigned)


def test_an_unsigned_checkpoint_in_a_signed_run_is_refused(
    signed: Path, unsigned: Path, tmp_path: Path, key: None
) -> None:
    """E.g. written by a Dask worker that had no key."""
    run_dir = interrupted(signed, tmp_path / "run")
    shutil.copy(unsigned / POISONED, run_dir / POISONED)
    with pytest.raises(RunDirectoryError, match=r"checkpoint not signed.*every worker"):
        simbijstand.resume(run_dir, workers=1)


def test_verify_names_a_poisoned_checkpoint(signed: Path, tmp_path: Path, key: None) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(signed, run_dir)
    poison(run_dir / POISONED)
    problems = verify_run(run_dir).problems
    assert any(POISONED in p and "signature does not match" in p for p in problems), problems


def test_an_unusable_key_leaves_no_directory(scenario, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "short")
    out = tmp_path / "run"
    with pytest.raises(RunDirectoryError, match="bytes"):
        simbijstand.run(scenario, out=out, workers=1)
    assert not out.exists()
