"""The Python API from a plain script (no main guard), and failed runs that leave nothing in the
way of the next attempt."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tests.conftest import one_group_parameters, scenario_data, write_toml

import simbijstand
from simbijstand.errors import SimbijstandError
from simbijstand.runs import run as run_module

SRC = Path(__file__).resolve().parents[1] / "src"


def big_scenario(folder: Path) -> Path:
    """60,000 cases: two replications make two chunks, so helpers are spawned."""
    write_toml(folder / "params.toml", one_group_parameters(exit_per_year=0.3))
    gemeente = {"parameters": "params.toml", "beginstand": {"aantallen": {"a": 60_000}}}
    data = scenario_data(replications=2, months=3, gemeenten={"Testdorp": gemeente})
    return write_toml(folder / "scenario.toml", data)


def test_a_script_without_main_guard_runs_with_helpers_twice(tmp_path: Path) -> None:
    scenario = big_scenario(tmp_path)
    script = tmp_path / "mijn.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import shutil
            import simbijstand

            shutil.rmtree({str(tmp_path / "uit")!r}, ignore_errors=True)
            result = simbijstand.run({str(scenario)!r}, out={str(tmp_path / "uit")!r}, workers=2)
            print("chunks", result.manifest["execution"]["chunks"])
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "chunks 2" in done.stdout


def test_a_run_that_fails_before_a_chunk_leaves_no_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_toml(tmp_path / "params.toml", one_group_parameters(exit_per_year=0.3))
    scenario = write_toml(tmp_path / "s.toml", scenario_data(replications=2, months=3))

    def broken(*args: object, **kwargs: object) -> None:
        raise SimbijstandError("helpers broke")

    monkeypatch.setattr(run_module, "run_chunks", broken)
    out = tmp_path / "uit"
    with pytest.raises(SimbijstandError, match="helpers broke"):
        simbijstand.run(scenario, out=out, workers=1, report=False)
    assert not out.exists()
    made = tmp_path / "eigen-map"
    made.mkdir()
    with pytest.raises(SimbijstandError):
        simbijstand.run(scenario, out=made, workers=1, report=False)
    assert made.is_dir() and not any(made.iterdir())  # the user's folder stays, emptied
    monkeypatch.undo()
    result = simbijstand.run(scenario, out=out, workers=1, report=False)
    assert (result.run_dir / "manifest.json").is_file()
