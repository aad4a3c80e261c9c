"""`verify` recomputes what it can instead of trusting checksums: an output edited and re-hashed in
the manifest, a manifest edit of the seed, replications or a group, and (with a signing key) any
manifest edit at all, fail; a path outside the run directory is refused (test_hostile_inputs)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import simbijstand
from fuzzing import write_valid
from simbijstand.runs.verify import verify_run
from simbijstand.store.files import sha256_of
from simbijstand.store.signing import KEY_FILE_VARIABLE, KEY_VARIABLE

KEY = "a-signing-key-of-32-characters!!"


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("finished")
    write_valid(folder)
    simbijstand.run(folder / "scenario.toml", out=folder / "run", workers=1)
    return folder / "run"


def copy_of(finished: Path, tmp_path: Path) -> Path:
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    return run


def edit_manifest(run: Path, change: Callable[[dict], None]) -> None:
    manifest = json.loads((run / "manifest.json").read_text())
    change(manifest)
    (run / "manifest.json").write_text(json.dumps(manifest))


def rehash(run: Path, name: str) -> None:
    edit_manifest(run, lambda m: m["outputs"].__setitem__(name, sha256_of(run / name)))


def test_an_untouched_run_verifies(finished: Path) -> None:
    result = verify_run(finished)
    assert result.ok, result.problems
    assert any("recomputed" in line and "finance.parquet" in line for line in result.checked)


def halve_expenditure(run: Path) -> None:
    path = run / "finance.parquet"
    frame = pl.read_parquet(path)
    frame.with_columns(pl.col("expenditure_eur") / 2).write_parquet(path)


def double_a_summary_value(run: Path, name: str = "summary.csv") -> None:
    lines = (run / name).read_text().splitlines()
    cells = lines[1].split(",")
    cells[3] = str(float(cells[3]) * 2)
    (run / name).write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("finance.parquet", halve_expenditure),
        ("summary.csv", double_a_summary_value),
        ("finance_summary.csv", lambda run: double_a_summary_value(run, "finance_summary.csv")),
    ],
)
def test_an_output_edited_and_rehashed_fails(
    finished: Path, tmp_path: Path, name: str, edit: Callable[[Path], None]
) -> None:
    run = copy_of(finished, tmp_path)
    edit(run)
    rehash(run, name)
    result = verify_run(run)
    assert not result.ok
    assert any(p.startswith(f"{name}: differs from a recomputation") for p in result.problems)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda m: m.__setitem__("seed", m["seed"] + 1), "seed = 4, but run.json recorded 3"),
        (lambda m: m.__setitem__("replications", 5), "replications = 5, but run.json recorded 2"),
        (
            lambda m: m["klantgroepen"][0].__setitem__("klantgroep", "z"),
            "gemeenten or klantgroepen differ",
        ),
    ],
)
def test_manifest_edits_of_settings_fail(
    finished: Path, tmp_path: Path, change: Callable[[dict], None], words: str
) -> None:
    run = copy_of(finished, tmp_path)
    edit_manifest(run, change)
    result = verify_run(run)
    assert any(words in p for p in result.problems), result.problems


def test_a_signed_run_fails_any_manifest_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_valid(tmp_path)
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    run = simbijstand.run(tmp_path / "scenario.toml", out=tmp_path / "run", workers=1).run_dir
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["signature"]["algorithm"] == "hmac-sha256"
    assert verify_run(run).ok
    edit_manifest(run, lambda m: m["scenario"].__setitem__("description", "edited"))
    assert any("signature does not match" in p for p in verify_run(run).problems)
    monkeypatch.setenv(KEY_VARIABLE, "another-key-of-32-characters!!!!")
    assert any("another key" in p for p in verify_run(run).problems)
    monkeypatch.delenv(KEY_VARIABLE)
    result = verify_run(run)
    assert result.ok and any("not checked" in n for n in result.notes)


def test_a_key_file_inside_the_run_directory_is_refused(
    finished: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = copy_of(finished, tmp_path)
    (run / "key").write_text(KEY)
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(run / "key"))
    with pytest.raises(simbijstand.SimbijstandError, match="inside the run directory"):
        verify_run(run)
