"""The command line as a user meets it: help with examples, exit codes, run and replay."""

from __future__ import annotations

import json
from pathlib import Path

import click
import polars as pl
import pytest
from click.testing import CliRunner

from conftest import SCENARIOS
from simbijstand.cli import main


def commands() -> list[str]:
    return sorted(main.list_commands(click.Context(main)))  # the group loads them lazily


def test_the_lazy_group_knows_every_command() -> None:
    assert len(commands()) == 11
    for name in commands():
        assert main.get_command(click.Context(main), name).name == name


@pytest.mark.parametrize("command", commands())
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and f"simbijstand {command}" in result.output


def test_every_option_has_help() -> None:
    for name in commands():
        command = main.get_command(click.Context(main), name)
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"


@pytest.mark.parametrize("option", ["replications", "seed", "workers", "as_json", "run_dir"])
def test_a_shared_option_is_spelled_and_typed_alike_in_every_command(option: str) -> None:
    """Declared once in cli/shared.py: the same flags and type wherever a command takes it."""
    found = [
        param
        for name in commands()
        for param in main.get_command(click.Context(main), name).params
        if param.name == option
    ]
    assert len(found) >= 2
    assert len({(tuple(p.opts), type(p.type)) for p in found}) == 1


def test_top_level_help_and_version() -> None:
    runner = CliRunner()
    assert "simbijstand run" in runner.invoke(main, ["--help"]).output
    assert runner.invoke(main, ["--version"]).exit_code == 0


@pytest.fixture(scope="module")
def basis_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    result = CliRunner().invoke(
        main,
        ["run", str(SCENARIOS / "basis.toml"), "-n", "20", "--out", str(out), "--workers", "1"],
    )
    assert result.exit_code == 0, result.output
    assert (
        "Bestand" in result.output and "BUIG-lasten" in result.output and str(out) in result.output
    )
    return out


def test_run_writes_a_complete_run_directory(basis_run: Path) -> None:
    manifest = json.loads((basis_run / "manifest.json").read_text())
    for name in ["caseload.parquet", "flows.parquet", "finance.parquet", "summary.csv"]:
        assert (basis_run / name).is_file()
        assert name in manifest["outputs"]
    assert manifest["replications"] == 20
    assert all((basis_run / s["file"]).is_file() for s in manifest["events"]["segments"])
    summary = pl.read_csv(basis_run / "summary.csv")
    assert summary.columns == [
        "gemeente",
        "klantgroep",
        "date",
        "mean",
        "p05",
        "p10",
        "p25",
        "p50",
        "p75",
        "p90",
        "p95",
    ]
    assert {"totaal"} <= set(summary["gemeente"]) and {"totaal"} <= set(summary["klantgroep"])


def test_run_refuses_to_overwrite_a_run(basis_run: Path) -> None:
    result = CliRunner().invoke(
        main, ["run", str(SCENARIOS / "basis.toml"), "-n", "2", "--out", str(basis_run)]
    )
    assert result.exit_code == 2
    assert "not an empty directory" in result.output


def test_quiet_run_prints_only_the_run_directory(tmp_path: Path) -> None:
    out = tmp_path / "quiet"
    result = CliRunner().invoke(
        main, ["run", str(SCENARIOS / "basis.toml"), "-n", "2", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0
    assert result.output.strip() == str(out)


def test_replay_matches_summary_median(basis_run: Path) -> None:
    result = CliRunner().invoke(main, ["replay", str(basis_run), "--at", "2022-01-01", "--json"])
    assert result.exit_code == 0, result.output
    rows = {(r["gemeente"], r["klantgroep"]): r for r in json.loads(result.output)["rows"]}
    summary = pl.read_csv(basis_run / "summary.csv").filter(
        date="2022-01-01", gemeente="Steenwijkerland"
    )
    for row in summary.iter_rows(named=True):
        assert rows[("Steenwijkerland", row["klantgroep"])]["p50"] == pytest.approx(
            row["p50"], abs=0.01
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "2030-01-01"], "outside the run's horizon"),
        (["--at", "2022-01-01", "--replication", "99"], "replications 0 to 19"),
        (["--at", "1-1-2022"], "Invalid value for '--at'"),
    ],
)
def test_replay_rejects_bad_requests(basis_run: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["replay", str(basis_run), *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_replay_of_an_incomplete_run_says_so(tmp_path: Path) -> None:
    (tmp_path / "events").mkdir()
    result = CliRunner().invoke(main, ["replay", str(tmp_path), "--at", "2022-01-01"])
    assert result.exit_code == 2
    assert "did not finish" in result.output


def test_validate_all_shipped_scenarios() -> None:
    files = [str(p) for p in sorted(SCENARIOS.glob("*.toml"))]
    result = CliRunner().invoke(main, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok: ") == len(files)
