"""`simbijstand compare`: paired differences, common random numbers, the workbook, measures."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from conftest import SCENARIOS, one_group_parameters, scenario_data, write_toml
from simbijstand.cli import main
from simbijstand.runs.compare import (
    compare,
    comparison_table,
    measures_table,
    run_values,
)
from simbijstand.runs.run import run
from simbijstand.store.rundir import TRAJECTEN

REPLICATIONS = 30


def copy_scenarios(tmp_path: Path, *names: str) -> list[Path]:
    """The shipped scenarios (and what they refer to) under `tmp_path`, paths kept relative."""
    root = tmp_path / "repo"
    shutil.copytree(SCENARIOS, root / "scenarios")
    shutil.copytree(SCENARIOS.parent / "calibration", root / "calibration")
    return [root / "scenarios" / n for n in names]


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(tmp_path: Path) -> None:
    basis, _ = copy_scenarios(tmp_path, "basis.toml", "tweede-golf.toml")
    twin = basis.with_name("tweeling.toml")
    twin.write_text('extends = "basis.toml"\nnaam = "tweeling"\n', encoding="utf-8")
    result = compare([basis, twin], replications=10, out=tmp_path / "c", workers=1)
    diffs = result.table.filter(pl.col("scenario") == "tweeling")
    assert diffs.height > 0
    for column in ("diff_mean", "diff_mean_low", "diff_mean_high"):
        assert diffs[column].drop_nulls().to_list() == [0.0] * diffs[column].drop_nulls().len()
    assert diffs.filter(quantity="net_expenditure_eur")["diff_mean"].null_count() == 0


def test_common_random_numbers_make_the_difference_far_more_precise(tmp_path: Path) -> None:
    basis, golf = copy_scenarios(tmp_path, "basis.toml", "tweede-golf.toml")
    paired = compare([basis, golf], replications=REPLICATIONS, out=tmp_path / "c", workers=1)
    # The same comparison with the second scenario on other random numbers (another seed).
    other = run(golf, replications=REPLICATIONS, seed=12345, out=tmp_path / "o", workers=1)
    values = {"basis": run_values(paired.runs["basis"]), "tweede-golf": run_values(other)}
    independent = comparison_table(values, "basis")

    def width(table: pl.DataFrame, year: int) -> float:
        row = table.filter(scenario="tweede-golf", year=year, quantity="expenditure_eur")
        return float(row["diff_mean_high"][0] - row["diff_mean_low"][0])

    # Paired, the interval is a fraction of the independent one: about 0.3 of it in 2020-2022
    # at 30 replications; the gain fades (0.5 in 2023) as the scenarios' caseloads drift apart.
    for year in (2020, 2021, 2022):
        assert width(paired.table, year) < 0.5 * width(independent, year), year
    assert width(paired.table, 2023) < 0.75 * width(independent, 2023)


def test_a_finance_only_variant_differs_without_any_noise(tmp_path: Path) -> None:
    # Same caseload model, another budget: every replication's deficit moves by the same amount,
    # so the paired interval has no width at all.
    basis, _ = copy_scenarios(tmp_path, "basis.toml", "tweede-golf.toml")
    richer = basis.with_name("rijker.toml")
    richer.write_text(
        'extends = "basis.toml"\nnaam = "rijker"\n[gemeenten.Steenwijkerland.budget]\n'
        'jaren."2022" = { voorlopig = 13_041_365 }\n',
        encoding="utf-8",
    )
    result = compare([basis, richer], replications=10, out=tmp_path / "c", workers=1)
    row = result.table.filter(scenario="rijker", year=2022, quantity="deficit_eur")
    assert row["diff_mean"][0] == pytest.approx(-100_000)
    assert row["diff_mean_high"][0] - row["diff_mean_low"][0] == pytest.approx(0, abs=1e-6)


def test_compare_writes_runs_a_table_and_a_workbook_whose_totals_match(tmp_path: Path) -> None:
    basis, golf = copy_scenarios(tmp_path, "basis.toml", "tweede-golf.toml")
    out, xlsx = tmp_path / "c", tmp_path / "financien.xlsx"
    args = [str(basis), str(golf), "-n", "8", "--seed", "3", "--out", str(out), "--xlsx", str(xlsx)]
    result = CliRunner().invoke(main, ["compare", *args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "verschil na vangnet" in result.stdout and "Werkboek:" in result.stdout
    assert "90%-BI gem. = 90%-betrouwbaarheidsinterval" in result.stdout
    for name in ("basis", "tweede-golf"):
        assert (out / name / "manifest.json").is_file()
    assert (out / "comparison.csv").is_file() and (out / "comparison.parquet").is_file()
    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert book.sheetnames == [
        "Overzicht",
        "Vergelijking",
        "Per replicatie",
        "Invoer",
        "Toelichting",
    ]
    rows = sheet(book, "Per replicatie")
    for name in ("basis", "tweede-golf"):
        finance = pl.read_parquet(out / name / "finance.parquet")
        mine = [r for r in rows if r["scenario"] == name]
        assert len(mine) == finance.height
        for column in ("expenditure_eur", "net_expenditure_eur", "vangnet_eur"):
            total = sum(r[column] or 0 for r in mine)
            assert total == pytest.approx(finance[column].sum(), rel=1e-12)
        overview = {r["year"]: r for r in sheet(book, "Overzicht") if r["scenario"] == name}
        deficit = finance.filter(year=2023)["deficit_eur"].mean()
        assert overview[2023]["deficit_eur"] == pytest.approx(deficit)
    inputs = sheet(book, "Invoer")
    assert {r["seed"] for r in inputs} == {3} and {r["replications"] for r in inputs} == {8}
    assert all(len(r["sha256"]) == 64 for r in inputs)
    explained = {r["column"] for r in sheet(book, "Toelichting") if r["meaning"]}
    assert {"deficit_eur", "diff_mean_low", "quantity = p_vangnet_pct"} <= explained


def sheet(book: Any, name: str) -> list[dict[str, Any]]:
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_json_output_for_scripts(tmp_path: Path) -> None:
    basis, golf = copy_scenarios(tmp_path, "basis.toml", "tweede-golf.toml")
    args = [str(basis), str(golf), "-n", "4", "--out", str(tmp_path / "c"), "--json"]
    result = CliRunner().invoke(main, ["compare", *args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["baseline"] == "basis" and data["replications"] == 4
    assert {"scenario", "year", "quantity", "diff_mean", "diff_mean_low"} <= set(data["rows"][0])


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--baseline", "geen"], ["--baseline = 'geen'", "choose one of basis, tweede-golf"]),
        (["--replications", "1"], ["--replications", "1"]),
    ],
)
def test_bad_compare_requests_are_one_line(
    tmp_path: Path, extra: list[str], words: list[str]
) -> None:
    basis, golf = copy_scenarios(tmp_path, "basis.toml", "tweede-golf.toml")
    result = CliRunner().invoke(main, ["compare", str(basis), str(golf), *extra])
    assert result.exit_code == 2
    assert all(w in result.output for w in words) and "Traceback" not in result.output


# --- measures (trajecten) ------------------------------------------------------------------


def steady_run(tmp_path: Path, name: str, cost_per_month: float) -> Any:
    """100 benefits that never change, from 2021 for two years: lasten 1,200 x cost a year."""
    folder = tmp_path / name
    folder.mkdir()
    write_toml(folder / "params.toml", one_group_parameters(exit_per_year=0.0))
    data = scenario_data(replications=3, months=24, naam=name)
    data["kosten"]["per_maand"] = {"participatiewet": cost_per_month}
    path = write_toml(folder / "scenario.toml", data)
    return run(path, out=folder / "run", workers=1)


def write_measures(run_dir: Path, cost_per_month: float) -> None:
    """trajecten.parquet as the measures engine writes it, one measure in 2021 only."""
    months = [dt.date(2021, m, 1) for m in range(1, 13)]
    rows = [
        (r, month, "Testdorp", "coaching", 10, 2, cost_per_month)
        for r in range(3)
        for month in months
    ]
    schema = ["replication", "month", "gemeente", "traject", "participants", "queue", "cost_eur"]
    pl.DataFrame(rows, schema=schema, orient="row").write_parquet(run_dir / TRAJECTEN)


def test_measures_cost_next_to_the_buig_saving_and_the_net_effect(tmp_path: Path) -> None:
    # The measure costs 500 a month in 2021 (6,000); the benefits cost 990 instead of 1,000 a
    # month: a saving of 100 x 10 x 12 = 12,000 a year. Net effect 2021: 12,000 - 6,000 = 6,000;
    # 2022 (no measure cost): 12,000.
    base = steady_run(tmp_path, "basis", 1_000.0)
    measure = steady_run(tmp_path, "maatregel", 990.0)
    write_measures(measure.run_dir, 500.0)
    values = {"basis": run_values(base), "maatregel": run_values(measure)}
    table = measures_table(values, "basis").filter(scenario="maatregel")
    got = {(r["year"], r["quantity"]): r["diff_mean"] for r in table.iter_rows(named=True)}
    assert got[(2021, "measures_extra_cost_eur")] == pytest.approx(6_000)
    assert got[(2021, "buig_saving_eur")] == pytest.approx(12_000)
    assert got[(2021, "net_effect_eur")] == pytest.approx(6_000)
    assert got[(2022, "measures_extra_cost_eur")] == 0
    assert got[(2022, "net_effect_eur")] == pytest.approx(12_000)
    assert table["saving_on_net"].all()
    # The cost also enters the comparison table as a quantity of its own.
    compared = comparison_table(values, "basis").filter(quantity="measures_cost_eur", year=2021)
    assert compared.filter(scenario="maatregel")["mean"][0] == pytest.approx(6_000)


@pytest.mark.report
def test_compare_writes_its_comparison_report(tmp_path: Path) -> None:
    result = compare(
        [SCENARIOS / "basis.toml", SCENARIOS / "tweede-golf.toml"],
        replications=4,
        out=tmp_path / "cmp",
        workers=1,
    )
    page = (result.compare_dir / "comparison.html").read_text(encoding="utf-8")
    assert "basis" in page and "tweede-golf" in page and "<svg" in page
