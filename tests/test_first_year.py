"""validate and run warn (not fail) when the beginstand and the rates imply a large first-year
move of a klantgroep, naming the group and both numbers."""

from __future__ import annotations

import math
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import one_group_parameters, scenario_data, write_toml

from simbijstand.cli import main
from simbijstand.runs.run import prepare


def scenario(tmp_path: Path, count: int, exit_per_year: float, inflow: float) -> Path:
    params = one_group_parameters(exit_per_year=exit_per_year)
    params["instroom"]["per_jaar"] = inflow
    write_toml(tmp_path / "params.toml", params)
    gemeente = {"parameters": "params.toml", "beginstand": {"aantallen": {"a": count}}}
    data = scenario_data(replications=2, months=12, gemeenten={"Testdorp": gemeente})
    return write_toml(tmp_path / "scenario.toml", data)


def test_a_group_falling_from_400_is_named_with_both_numbers(tmp_path: Path) -> None:
    path = scenario(tmp_path, 400, exit_per_year=0.5, inflow=60.0)
    (move,) = prepare(path).first_year
    # one exponential group: n(12) = 400 e^-0.5 + 60 (1 - e^-0.5) / 0.5, steady 60 / 0.5 = 120
    expected = 400 * math.exp(-0.5) + 120 * (1 - math.exp(-0.5))
    assert move.klantgroep == "a" and move.start == 400
    assert abs(move.after_year - expected) < 0.02 * expected
    assert abs(move.steady - 120) < 1
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "waarschuwing" in result.stderr and "klantgroep a: beginstand 400" in result.stderr
    assert f"na een jaar verwacht {round(move.after_year)}" in result.stderr


def test_a_beginstand_in_steady_state_gives_no_warning(tmp_path: Path) -> None:
    path = scenario(tmp_path, 400, exit_per_year=0.5, inflow=200.0)
    assert prepare(path).first_year == ()
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and "waarschuwing" not in result.stderr


def test_run_warns_too_and_still_runs(tmp_path: Path) -> None:
    path = scenario(tmp_path, 400, exit_per_year=0.5, inflow=60.0)
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "waarschuwing" in result.stderr and (out / "manifest.json").is_file()
