"""`simbijstand verify`: a sound run passes; a flipped byte, a missing file or projections that
disagree with the log are each named; exit codes 0, 1 and 2."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

import simbijstand
from scaled import scaled_scenario
from simbijstand.cli import main


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("verify")
    scenario = scaled_scenario(folder, replications=12, months=12)
    simbijstand.run(scenario, out=folder / "run", workers=1, keep_events=8)
    return folder / "run"


@pytest.fixture
def copy(sound: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(sound, tmp_path / "run"))


def verify(run_dir: Path) -> Result:
    return CliRunner().invoke(main, ["verify", str(run_dir)])


def rewrite_output(run_dir: Path, name: str, frame: pl.DataFrame) -> None:
    """Change an output and its checksum in the manifest, so only the replay can tell."""
    frame.write_parquet(run_dir / name)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["outputs"][name] = hashlib.sha256((run_dir / name).read_bytes()).hexdigest()
    (run_dir / "manifest.json").write_text(json.dumps(manifest))


def test_a_sound_run_passes(sound: Path) -> None:
    result = verify(sound)
    assert result.exit_code == 0, result.output
    assert "FAILED" not in result.output and f"ok: {sound}" in result.output
    assert "replayed the log of 8 replication(s)" in result.output


def test_a_flipped_byte_in_a_segment_is_named(copy: Path) -> None:
    segment = copy / "events" / "part-000004-000007.parquet"
    data = bytearray(segment.read_bytes())
    data[len(data) // 3] ^= 0x01
    segment.write_bytes(bytes(data))
    result = verify(copy)
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("FAILED")]
    assert failed == [
        "FAILED: events/part-000004-000007.parquet: SHA-256 differs from the manifest "
        "(the file changed or is corrupt)"
    ]


def test_missing_files_are_named(copy: Path) -> None:
    (copy / "chunks" / "chunk-000008-000011.npz").unlink()
    (copy / "summary.csv").unlink()
    result = verify(copy)
    assert result.exit_code == 1
    assert "FAILED: chunks/chunk-000008-000011.npz: missing" in result.output
    assert "FAILED: summary.csv: missing" in result.output


def test_a_caseload_that_disagrees_with_the_log_is_named(copy: Path) -> None:
    caseload = pl.read_parquet(copy / "caseload.parquet")
    row = (pl.col("replication") == 6) & (pl.col("klantgroep") == "zorg")
    changed = caseload.with_columns(
        count=pl.when(row & (pl.col("date") == pl.date(2021, 1, 1)))
        .then(pl.col("count") + 1)
        .otherwise(pl.col("count"))
    )
    rewrite_output(copy, "caseload.parquet", changed)
    result = verify(copy)
    assert result.exit_code == 1
    assert "caseload.parquet: replication 6, 2021-01-01, Gemeente1 zorg" in result.output


def test_flows_that_disagree_with_the_log_are_named(copy: Path) -> None:
    flows = pl.read_parquet(copy / "flows.parquet")
    rewrite_output(copy, "flows.parquet", flows.filter(pl.int_range(pl.len()) != 3))
    result = verify(copy)
    assert result.exit_code == 1
    assert "FAILED: flows.parquet: replication 0," in result.output


def test_an_unfinished_run_cannot_be_verified(copy: Path) -> None:
    (copy / "manifest.json").unlink()
    result = verify(copy)
    assert result.exit_code == 2
    assert "has no manifest.json" in result.output
