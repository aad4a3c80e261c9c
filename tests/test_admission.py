"""Admission control: a run's size is estimated before it starts (cases = beginstand + expected
inflow over the horizon, replications, workers); chunks follow the cases, never the workers; what
cannot fit is refused by `run` and `validate` alike, with exit code 2 within seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w

from fuzzing import PARAMETERS, SCENARIO, write_valid
from simbijstand.errors import CapacityError
from simbijstand.runs.admission import (
    BYTES_PER_CASE,
    cases_per_replication,
    estimate,
    parse_memory,
)
from simbijstand.runs.chunks import CASES_PER_CHUNK, plan_chunks
from simbijstand.runs.run import admitted_chunks, prepare
from test_hostile_inputs import assert_refused, cli

SMALL_MACHINE = "2G"


def with_changes(
    folder: Path, scenario: dict | None = None, parameters: dict | None = None
) -> Path:
    write_valid(folder)
    if scenario is not None:
        (folder / "scenario.toml").write_text(tomli_w.dumps(scenario))
    if parameters is not None:
        (folder / "params.toml").write_text(tomli_w.dumps(parameters))
    return folder / "scenario.toml"


def test_cases_count_the_inflow_over_the_horizon(tmp_path: Path) -> None:
    model = prepare(with_changes(tmp_path)).model
    inflow = float(model.inflow_mean.sum())
    assert inflow > 10  # 40 a year over 6 months, with the multiplicator
    assert cases_per_replication(model) == pytest.approx(75 + inflow)


@pytest.mark.parametrize("cases", [1, 999, 50_000, 2e6])
def test_chunks_follow_the_cases_and_cover_every_replication_once(cases: float) -> None:
    chunks = plan_chunks(1000, cases)
    assert [c.first for c in chunks] == list(range(0, 1000, chunks[0].count))
    assert sum(c.count for c in chunks) == 1000
    assert chunks[0].count * cases <= max(CASES_PER_CHUNK, cases)


def test_chunks_never_depend_on_the_workers(tmp_path: Path) -> None:
    prepared = prepare(with_changes(tmp_path))
    plans = {tuple(admitted_chunks(prepared, workers=w)) for w in (1, 2, 7, 64)}
    assert len(plans) == 1


def test_the_estimate_grows_with_cases_replications_and_workers(tmp_path: Path) -> None:
    model = prepare(with_changes(tmp_path)).model
    one = estimate(model, 100, 10, 1)
    assert estimate(model, 200, 10, 1).peak_bytes > one.peak_bytes
    assert estimate(model, 100, 10, 4).peak_bytes > one.peak_bytes
    assert estimate(model, 100, 20, 1).peak_bytes - one.peak_bytes == pytest.approx(
        10 * one.cases * BYTES_PER_CASE
    )


def test_parse_memory() -> None:
    assert parse_memory("8G") == 8 * 2**30
    assert parse_memory("512m") == 512 * 2**20
    assert parse_memory("1.5TiB") == int(1.5 * 2**40)
    for bad in ("", "lots", "-1G", "10", "5P"):
        with pytest.raises(ValueError):
            parse_memory(bad)


def test_the_api_refuses_before_making_the_run_directory(tmp_path: Path) -> None:
    import simbijstand

    scenario = with_changes(tmp_path, {**SCENARIO, "simulatie": {**SCENARIO["simulatie"]}})
    with pytest.raises(CapacityError) as caught:
        simbijstand.run(scenario, replications=1_000_000, out=tmp_path / "run", max_memory=2**30)
    assert "1,000,000 replication(s)" in str(caught.value)
    assert not (tmp_path / "run").exists()


BEGINSTAND_1E9 = "klantgroep,aantal,duur_vanaf_maanden\na,1000000000,0\n"
HUGE = {
    "10^9 cases in a beginstand CSV": ({}, {}, BEGINSTAND_1E9, [], ["beginstand 1,000,000,000"]),
    "a beginstand of 10^7": (
        {
            "gemeenten": {
                "Testdorp": {
                    "parameters": "params.toml",
                    "beginstand": {"aantallen": {"a": 10_000_000}},
                }
            }
        },
        {},
        None,
        ["--max-memory", SMALL_MACHINE],
        ["beginstand 10,000,000", "--max-memory given"],
    ),
    "per_jaar = 1e7": (
        {},
        {"instroom": {**PARAMETERS["instroom"], "per_jaar": 1e7}},
        None,
        ["--max-memory", SMALL_MACHINE],
        ["expected instroom"],
    ),
    "600 months of a million replications": (
        {"simulatie": {**SCENARIO["simulatie"], "horizon_maanden": 600, "replicaties": 1_000_000}},
        {},
        None,
        [],
        ["1,000,000 replication(s)"],
    ),
}


@pytest.mark.parametrize("name", HUGE)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_runs_that_cannot_fit_are_refused(tmp_path: Path, name: str, command: str) -> None:
    scenario_changes, parameter_changes, beginstand, options, words = HUGE[name]
    scenario = with_changes(
        tmp_path,
        {**SCENARIO, **scenario_changes},
        {**PARAMETERS, **parameter_changes},
    )
    if beginstand is not None:
        (tmp_path / "beginstand.csv").write_text(beginstand)
    out = ["--out", tmp_path / "run"] if command == "run" else []
    stderr = assert_refused(cli(command, scenario, *options, *out), "scenario.toml", *words)
    assert "of memory, more than" in stderr
    assert not (tmp_path / "run").exists()


def test_a_bad_max_memory_is_a_usage_error(tmp_path: Path) -> None:
    scenario = with_changes(tmp_path)
    assert_refused(cli("validate", scenario, "--max-memory", "lots"), "--max-memory", "8G")
