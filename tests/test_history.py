"""Observed caseload (historie) travels with a scenario into its run directory."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import simbijstand
from conftest import one_group_parameters, scenario_data
from simbijstand.errors import InputDataError
from simbijstand.runs.run import prepare


def test_history_is_read_and_written_to_the_run(make_scenario, tmp_path: Path) -> None:
    (tmp_path / "hist.csv").write_text(
        "datum,gemeente,aantal\n2020-01-01,Testdorp,95\n2020-07-01,Testdorp,99\n"
    )
    path = make_scenario(
        one_group_parameters(),
        scenario_data(months=3, replications=2, historie={"bestand": "hist.csv"}),
    )
    result = simbijstand.run(path, out=tmp_path / "run", workers=1)
    stored = pl.read_parquet(tmp_path / "run" / "historie.parquet")
    assert stored.equals(result.history)
    assert stored["count"].to_list() == [95, 99]
    assert "historie.parquet" in result.manifest["outputs"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            "date,gemeente,aantal\n2020-01-01,Testdorp,1\n",
            ["missing column(s) datum", "expected datum, gemeente, aantal"],
        ),
        ("datum,gemeente,aantal\n2020-13-01,Testdorp,1\n", ["row 2", "datum = '2020-13-01'"]),
        (
            "datum,gemeente,aantal\n2020-01-01,Elders,1\n",
            ["row 2", "'Elders'", "allowed: Testdorp, totaal"],
        ),
        ("datum,gemeente,aantal\n2020-01-01,Testdorp,-1\n", ["row 2", "aantal = '-1'"]),
        (
            "datum,gemeente,aantal\n2020-01-01,Testdorp,99999999999999999999\n",
            ["row 2", "aantal = '99999999999999999999'", "not a whole number"],
        ),
        ("datum,gemeente,aantal\n2020-01-01,Testdorp\n", ["row 2", "2 fields"]),
        (
            "datum,gemeente,aantal\n2020-01-01,Testdorp,1\n2020-01-01,Testdorp,2\n",
            ["appears more than once"],
        ),
    ],
)
def test_bad_history_is_reported_with_file_and_row(
    make_scenario, tmp_path: Path, content: str, words: list[str]
) -> None:
    (tmp_path / "hist.csv").write_text(content)
    path = make_scenario(one_group_parameters(), scenario_data(historie={"bestand": "hist.csv"}))
    with pytest.raises(InputDataError) as caught:
        prepare(path)
    for word in ["historie.bestand", "hist.csv", *words]:
        assert word in str(caught.value)
