"""Resuming an interrupted run: only missing chunks are simulated and the outputs are the same,
byte for byte, as an uninterrupted run's; changed inputs are refused by name."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import simbijstand
from conftest import SCENARIOS
from scaled import run_files, scaled_scenario
from simbijstand.cli import main
from simbijstand.errors import RunDirectoryError
from simbijstand.store.files import orphans
from simbijstand.store.verify import verify_run


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("resume")
    scenario = scaled_scenario(folder)
    simbijstand.run(scenario, out=folder / "run", workers=1)
    return folder / "run"


def interrupted(finished: Path, copy: Path, damage: Callable[[Path], None]) -> Path:
    shutil.copytree(finished, copy)
    (copy / "manifest.json").unlink()
    damage(copy)
    return copy


def lose_chunks(run_dir: Path) -> None:
    """Killed during the simulation: two chunks never finished, outputs not yet written."""
    for name in ["caseload.parquet", "flows.parquet", "finance.parquet", "summary.csv"]:
        (run_dir / name).unlink()
    (run_dir / "chunks" / "chunk-000004-000007.npz").unlink()
    (run_dir / "chunks" / "chunk-000016-000019.npz").unlink()
    (run_dir / "events" / "part-000016-000019.parquet").unlink()
    half = (run_dir / "events" / "part-000004-000007.parquet").read_bytes()[:1000]
    (run_dir / "events" / ".part-000004-000007.parquet.4242-deadbeef.tmp").write_bytes(half)


def in_write_phase(run_dir: Path) -> None:
    """Killed while writing the outputs: one written, one half-written, the rest missing."""
    for name in ["flows.parquet", "finance.parquet", "summary.csv"]:
        (run_dir / name).unlink()
    half = (run_dir / "caseload.parquet").read_bytes()[:500]
    (run_dir / ".flows.parquet.4242-deadbeef.tmp").write_bytes(half)


def corrupt_checkpoint(run_dir: Path) -> None:
    """A checkpoint damaged on disk is not trusted: its chunk runs again."""
    path = run_dir / "chunks" / "chunk-000008-000011.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def changed_segment(run_dir: Path) -> None:
    """A segment that no longer matches its checkpoint's checksum: the chunk runs again."""
    (run_dir / "events" / "part-000000-000003.parquet").write_bytes(b"not parquet")


@pytest.mark.parametrize(
    ("damage", "rerun"),
    [(lose_chunks, 2), (in_write_phase, 0), (corrupt_checkpoint, 1), (changed_segment, 1)],
)
def test_a_resumed_run_is_byte_identical_to_an_uninterrupted_one(
    finished: Path, tmp_path: Path, damage: Callable[[Path], None], rerun: int
) -> None:
    run_dir = interrupted(finished, tmp_path / "run", damage)
    result = simbijstand.resume(run_dir, workers=1)
    assert run_files(run_dir) == run_files(finished)
    execution = result.manifest["execution"]
    assert execution["chunks"] - execution["chunks_resumed"] == rerun
    assert list(orphans(run_dir)) == []
    assert (run_dir / "manifest.json").is_file()


def test_resume_refuses_changed_inputs_and_names_them(finished: Path, tmp_path: Path) -> None:
    run_dir = interrupted(finished, tmp_path / "run", lose_chunks)
    record = json.loads((run_dir / "run.json").read_text())
    scenario = Path(record["scenario"])
    original = scenario.read_text()
    scenario.write_text(original.replace("seed = 11", "seed = 12"))
    try:
        with pytest.raises(RunDirectoryError, match=r"scenario\.toml: changed"):
            simbijstand.resume(run_dir)
    finally:
        scenario.write_text(original)
    assert not (run_dir / "manifest.json").exists()


def test_resume_refuses_a_complete_run_and_a_directory_without_run_json(
    finished: Path, tmp_path: Path
) -> None:
    with pytest.raises(RunDirectoryError, match=r"complete.*simbijstand verify"):
        simbijstand.resume(finished)
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunDirectoryError, match=r"has no run\.json"):
        simbijstand.resume(tmp_path / "empty")


def test_the_command_line_resumes_and_refuses_other_settings(
    finished: Path, tmp_path: Path
) -> None:
    run_dir = interrupted(finished, tmp_path / "run", in_write_phase)
    runner = CliRunner()
    refused = runner.invoke(main, ["run", "--resume", str(run_dir), "-n", "5"])
    assert refused.exit_code == 2
    assert "drop -n" in refused.output
    neither = runner.invoke(main, ["run"])
    assert neither.exit_code == 2
    assert "give a SCENARIO to run, or --resume RUN_DIR" in neither.output
    done = runner.invoke(main, ["run", "--resume", str(run_dir), "--workers", "1", "-q"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == str(run_dir)
    assert run_files(run_dir) == run_files(finished)


def test_a_fresh_run_records_its_settings_before_simulating(finished: Path) -> None:
    record = json.loads((finished / "run.json").read_text())
    assert record["replications"] == 20 and record["seed"] == 11
    assert [c["first"] for c in record["chunks"]] == [0, 4, 8, 12, 16]
    assert {Path(i["file"]).name for i in record["inputs"]} == {"scenario.toml", "parameters.toml"}
    manifest = json.loads((finished / "manifest.json").read_text())
    assert len(manifest["checkpoints"]) == 5


def test_a_run_with_measures_resumes_to_the_same_bytes(tmp_path: Path) -> None:
    """Checkpoints also carry the events of measures (trajecten), kept unfolded by the fold."""
    scenario = SCENARIOS / "jongeren-begeleiding.toml"
    first = simbijstand.run(scenario, replications=160, out=tmp_path / "whole", workers=1)
    assert first.manifest["execution"]["chunks"] > 1
    assert "trajecten.parquet" in first.manifest["outputs"]
    run_dir = interrupted(tmp_path / "whole", tmp_path / "run", lose_first_chunk)
    resumed = simbijstand.resume(run_dir, workers=1)
    assert (
        resumed.manifest["execution"]["chunks_resumed"] == first.manifest["execution"]["chunks"] - 1
    )
    assert run_files(run_dir) == run_files(tmp_path / "whole")
    names = ["trajecten.parquet", "finance_summary.csv"]
    assert all((run_dir / n).read_bytes() == (tmp_path / "whole" / n).read_bytes() for n in names)
    assert verify_run(run_dir).ok  # the log's traject events are not mistaken for caseload


def lose_first_chunk(run_dir: Path) -> None:
    (run_dir / "trajecten.parquet").unlink()
    next((run_dir / "chunks").glob("chunk-000000-*.npz")).unlink()
