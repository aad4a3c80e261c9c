"""Fuzzed inputs: mutated scenario, parameter, beginstand and historie files give a clean error
naming a file, or a complete run; never a traceback, a hang or a partial output.

Deterministic in CI: hypothesis is derandomized (the examples follow from the test's source)
and keeps no example database. EXAMPLES per property; see the README for the total.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import (
    BEGINSTAND,
    HISTORIE,
    PARAMETERS,
    SCENARIO,
    assert_clean_outcome,
    mutated_csv,
    mutated_text,
    mutated_toml,
    write_valid,
)

EXAMPLES = 60
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,  # the time limit is per example (fuzzing.SECONDS_PER_EXAMPLE)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
OUTCOMES: Counter[str] = Counter()


def outcome_with(files: dict[str, bytes | str]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_valid(folder)
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            (folder / name).write_bytes(data)
        result = assert_clean_outcome(folder)
    OUTCOMES[result] += 1
    return result


def test_the_unmutated_files_run() -> None:
    assert outcome_with({}) == "run"


@FUZZ
@given(data=mutated_toml(SCENARIO))
def test_mutated_scenario_files(data: dict) -> None:
    outcome_with({"scenario.toml": tomli_w.dumps(data)})


@FUZZ
@given(data=mutated_toml(PARAMETERS))
def test_mutated_parameter_files(data: dict) -> None:
    outcome_with({"params.toml": tomli_w.dumps(data)})


@FUZZ
@given(
    name=st.sampled_from(["scenario.toml", "params.toml"]),
    seed_text=st.data(),
)
def test_broken_toml_text(name: str, seed_text: st.DataObject) -> None:
    text = tomli_w.dumps(SCENARIO if name == "scenario.toml" else PARAMETERS)
    outcome_with({name: seed_text.draw(mutated_text(text))})


@FUZZ
@given(
    beginstand=st.one_of(mutated_csv(BEGINSTAND), mutated_text(BEGINSTAND)),
    historie=st.one_of(st.none(), mutated_csv(HISTORIE), mutated_text(HISTORIE)),
)
def test_mutated_csv_files(beginstand: str | bytes, historie: str | bytes | None) -> None:
    files: dict[str, str | bytes] = {"beginstand.csv": beginstand}
    if historie is not None:
        files["historie.csv"] = historie
    outcome_with(files)


HUGE = {
    "a 10 MB comment in the scenario": {
        "scenario.toml": tomli_w.dumps(SCENARIO) + ("# " + "x" * 1000 + "\n") * 10_000
    },
    "a 5 MB description": {
        "scenario.toml": tomli_w.dumps({**SCENARIO, "beschrijving": "y" * 5_000_000})
    },
    "a beginstand of a million rows": {
        "beginstand.csv": "klantgroep,aantal\n" + "a,1\n" * 1_000_000,
    },
    "a history of 300,000 distinct rows": {
        "historie.csv": "datum,gemeente,aantal\n"
        + "".join(f"{1000 + i // 365:04d}-01-01,Testdorp,{i}\n" for i in range(300_000)),
    },
    "8 MB of random bytes as parameters": {"params.toml": bytes(range(256)) * 32_768},
    "a parameter file nested 10,000 arrays deep": {"params.toml": "x = " + "[" * 10_000},
    # issue 16: each of these gave a traceback
    "a table header nested 5,000 deep": {
        "scenario.toml": tomli_w.dumps(SCENARIO) + "[" + ".".join(["x"] * 5000) + "]\n"
    },
    "a start year past 9999": {
        "scenario.toml": tomli_w.dumps(
            {**SCENARIO, "simulatie": {**SCENARIO["simulatie"], "start": dt.date(9999, 6, 1)}}
        )
    },
    "a gemeente named like a formula": {
        "scenario.toml": tomli_w.dumps(
            {
                **SCENARIO,
                "gemeenten": {'=HYPERLINK("http://x","y")': SCENARIO["gemeenten"]["Testdorp"]},
            }
        )
    },
    "10^9 cases in the beginstand": {"beginstand.csv": "klantgroep,aantal\na,1000000000\n"},
}


@pytest.mark.parametrize("name", HUGE)
def test_huge_files(name: str) -> None:
    outcome_with(HUGE[name])


def test_the_fuzzing_reached_both_outcomes() -> None:
    """Run last (file order): the mutations must not all fail, nor all pass, or they test little."""
    if sum(OUTCOMES.values()) < 4 * EXAMPLES:
        pytest.skip("run together with the fuzz tests above")
    assert OUTCOMES["error"] > EXAMPLES and OUTCOMES["run"] >= 5, OUTCOMES
