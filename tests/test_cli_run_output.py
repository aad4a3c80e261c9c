"""What `simbijstand run` prints: the compact summary, -v for detail, --json and --quiet with
nothing but their output on stdout, never a progress bar there."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from conftest import SCENARIOS
from simbijstand.cli import main
from simbijstand.cli.shared import LazyProgressBar
from simbijstand.runs import chunks

RUN_MODULE = importlib.import_module("simbijstand.cli.run")


def test_json_holds_the_caseload_and_cost_of_the_run(basis_with_history: Path) -> None:
    printed = json.loads((basis_with_history.parent / "run.json").read_text())
    assert set(printed) == {
        "scenario", "run_dir", "report", "seed", "replications", "horizon", "caseload", "cost",
    }  # fmt: skip
    assert printed["run_dir"] == str(basis_with_history)
    assert printed["report"] == str(basis_with_history / "report.html")
    assert printed["scenario"]["name"] == "basis" and printed["replications"] == 20
    summary = pl.read_csv(basis_with_history / "summary.csv", try_parse_dates=True)
    dates = [row["date"] for row in printed["caseload"]]
    assert dates == ["2020-07-01", "2021-01-01", "2022-01-01", "2023-01-01", "2024-01-01"]
    for row in printed["caseload"]:
        expected = summary.filter(
            gemeente=row["gemeente"], klantgroep="totaal", date=pl.lit(row["date"]).str.to_date()
        ).row(0, named=True)
        assert {k: row[k] for k in ("mean", "p05", "p50", "p95")} == {
            k: expected[k] for k in ("mean", "p05", "p50", "p95")
        }
    finance = pl.read_parquet(basis_with_history / "finance.parquet")
    for entry in printed["cost"]:
        spent = finance.filter(year=entry["year"])["expenditure_eur"]
        assert entry["expenditure_eur"]["mean"] == pytest.approx(spent.mean(), rel=1e-12)
        assert set(entry["expenditure_eur"]) == {"mean", "p10", "p50", "p90"}
    assert [e["months"] for e in printed["cost"]] == [6, 12, 12, 12]


class _EagerBar(LazyProgressBar):
    """A progress bar that would show at once, to prove --json and --quiet switch it off."""

    def __init__(self, label: str, after: float = 0.0, enabled: bool = True) -> None:
        super().__init__(label, after=-1.0, enabled=enabled)


@pytest.mark.parametrize(
    ("flag", "shows_bar"), [("--json", False), ("--quiet", False), (None, True)]
)
def test_json_and_quiet_print_nothing_else(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flag: str | None, shows_bar: bool
) -> None:
    monkeypatch.setattr(RUN_MODULE, "LazyProgressBar", _EagerBar)
    monkeypatch.setattr(chunks, "CASES_PER_CHUNK", 1000)  # a chunk per replication
    args = ["run", str(SCENARIOS / "basis.toml"), "-n", "4", "--out", str(tmp_path / "r")]
    result = CliRunner().invoke(
        main, [*args, "--workers", "1", "--no-report", *filter(None, [flag])]
    )
    assert result.exit_code == 0, result.output
    assert ("replicaties" in result.stderr) is shows_bar  # the bar's label, on stderr
    if flag == "--json":
        assert json.loads(result.stdout)["report"] is None
    elif flag == "--quiet":
        assert result.stdout == f"{tmp_path / 'r'}\n"
    else:
        assert "BUIG-lasten per jaar" in result.stdout


def test_verbose_adds_groups_flows_and_timings(tmp_path: Path) -> None:
    args = ["run", str(SCENARIOS / "basis.toml"), "-n", "4", "--out", str(tmp_path / "r"), "-v"]
    result = CliRunner().invoke(main, [*args, "--workers", "1", "--no-report"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for words in (
        "Bestand per klantgroep, Steenwijkerland: mediaan (P10–P90)",
        "uitstroom: werk",
        "saldo (in − uit)",
        "Rekentijd",
        "simuleren",
    ):
        assert words in out
    assert out.rstrip().endswith(f"Uitvoer: {tmp_path / 'r'}")  # the detail comes before it


@pytest.mark.parametrize("flags", [["--json", "-q"], ["--json", "-v"], ["-q", "--verbose"]])
def test_output_flags_that_contradict_each_other_are_refused(flags: list[str]) -> None:
    result = CliRunner().invoke(main, ["run", str(SCENARIOS / "basis.toml"), *flags])
    assert result.exit_code == 2
    assert "cannot be combined" in result.output


def test_measures_show_per_year_as_trajecten_parquet_has_them(tmp_path: Path) -> None:
    out = tmp_path / "r"
    args = ["run", str(SCENARIOS / "parttime-naar-fulltime.toml"), "-n", "6", "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--workers", "1", "--no-report"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    title = lines.index(
        "Trajecten per jaar: gemiddelde over replicaties (kosten uit het Participatiebudget)"
    )
    rows = {line.split()[1]: line.split() for line in lines[title + 2 : title + 6]}
    trajecten = pl.read_parquet(out / "trajecten.parquet").with_columns(
        year=pl.col("month").dt.year()
    )
    y2022 = trajecten.filter(pl.col("year") == 2022)
    starts = y2022.group_by("replication").agg(pl.col("starts").sum())["starts"].mean()
    cost = y2022["cost_eur"].sum() / 6
    assert "2020" not in rows  # the measure opens in 2021
    assert rows["2022"][4] == f"{starts:,.0f}".replace(",", ".")
    assert rows["2022"][-1] == f"{cost:,.0f}".replace(",", ".")
