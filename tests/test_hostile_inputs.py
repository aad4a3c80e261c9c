"""Hostile inputs to the command as a user runs it (a fresh process): each gives exit code 2 and a
one-line `error:` within 20 s, never a traceback. The cases of issue 16's attack."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fuzzing import write_valid

WITHIN_S = 20
CLI = (sys.executable, "-c", "from simbijstand.cli import main; main()")


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=WITHIN_S,
        cwd=cwd,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2, no traceback, an `error:` line (click's own `Error:` for an option out of range)
    that contains every word; returns stderr."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert re.search(r"^(error|Error): ", result.stderr, re.MULTILINE), result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    return result.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_valid(tmp_path)
    return tmp_path


def replace_in(path: Path, old: str, new: str) -> Path:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def without_dated_tables(folder: Path) -> Path:
    """The valid scenario without its multiplicator and history, whose dates would be refused
    first when the start moves."""
    scenario = folder / "scenario.toml"
    text = scenario.read_text()
    text = re.sub(r"multiplicator = \[\n.*?\n\]\n", "", text, flags=re.DOTALL)
    text = re.sub(r"\[historie\]\nbestand = .*\n", "", text)
    scenario.write_text(text)
    return scenario


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_start_year_past_9999(folder: Path, command: str) -> None:
    scenario = replace_in(without_dated_tables(folder), "start = 2021-01-01", "start = 9999-06-01")
    extra = ["--out", folder / "run"] if command == "run" else []
    assert_refused(cli(command, scenario, *extra), "simulatie.start = 9999-06-01", "2199-12-01")
    assert not (folder / "run").exists()


def test_a_table_header_nested_5000_deep(folder: Path) -> None:
    deep = folder / "deep.toml"
    deep.write_text("[" + ".".join(["x"] * 5000) + "]\n")
    assert_refused(cli("validate", deep), "deep.toml", "nested 5001 levels deep", "at most 32")


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("-n", "2000000", ["-n", "1<=x<=1000000"]),
        ("--seed", "18446744073709551617", ["--seed", "0<=x<=9223372036854775807"]),
    ],
)
def test_run_settings_out_of_range(folder: Path, option: str, value: str, words: list[str]) -> None:
    result = cli("run", folder / "scenario.toml", option, value, "--out", folder / "run")
    assert_refused(result, *words)


def test_the_api_names_an_override_out_of_range(folder: Path) -> None:
    import simbijstand
    from simbijstand.errors import ScenarioError

    with pytest.raises(ScenarioError) as caught:
        simbijstand.run(folder / "scenario.toml", replications=2_000_000, seed=2**64 + 1)
    message = str(caught.value)
    assert "replications (-n) = 2000000: must be at most 1000000" in message
    assert "seed (--seed) = 18446744073709551617: must be at most 9223372036854775807" in message


@pytest.mark.parametrize(
    ("command", "manifest", "words"),
    [
        ("verify", {"manifest_version": 1}, ["missing key 'scenario'"]),
        ("replay", [1, 2], ["expected a JSON object at the top, found an array"]),
        ("report", "text", ["found a text"]),
    ],
)
def test_a_manifest_of_another_shape(
    tmp_path: Path, command: str, manifest: object, words: list[str]
) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    extra = ["--at", "2021-03-01"] if command == "replay" else []
    assert_refused(cli(command, tmp_path, *extra), "manifest.json", *words)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("finished")
    write_valid(folder)
    result = cli("run", folder / "scenario.toml", "--out", folder / "run", "-q", "--no-report")
    assert result.returncode == 0, result.stderr
    return folder / "run"


def test_verify_refuses_a_manifest_naming_a_file_outside_the_run(
    finished_run: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    shutil.copytree(finished_run, run)
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["outputs"]["../../etc/hostname"] = "0" * 64
    (run / "manifest.json").write_text(json.dumps(manifest))
    assert_refused(cli("verify", run), "'../../etc/hostname'", "outside the run directory")
