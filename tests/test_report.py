"""report.html: written by every run before the manifest, made again by `simbijstand report`,
self-contained, and showing exactly the numbers of summary.csv and finance.parquet."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import shutil
from pathlib import Path

import matplotlib as mpl
import polars as pl
import pytest
from click.testing import CliRunner

import simbijstand
from conftest import REPO, SCENARIOS, one_group_parameters, scenario_data, write_toml
from report_helpers import add_finance_columns, figures, simulated_only
from simbijstand.cli import main
from simbijstand.errors import RunDirectoryError
from simbijstand.reporting import aggregates, charts, keyfigures
from simbijstand.reporting.finance_charts import finance_chart
from simbijstand.reporting.report import write_report
from simbijstand.reporting.rundata import load_run
from simbijstand.store.files import sha256_of

# --- the run pipeline ---------------------------------------------------------------------------

pytestmark = pytest.mark.report


def test_the_run_writes_the_report_before_the_manifest_and_checksums_it(
    basis_with_history: Path,
) -> None:
    manifest = json.loads((basis_with_history / "manifest.json").read_text())
    report = basis_with_history / "report.html"
    assert manifest["outputs"]["report.html"] == sha256_of(report)
    assert manifest["timings"]["report_s"] > 0
    assert report.stat().st_mtime_ns <= (basis_with_history / "manifest.json").stat().st_mtime_ns


def test_simbijstand_report_makes_the_same_report_again(
    basis_with_history: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.html"
    result = CliRunner().invoke(main, ["report", str(basis_with_history), "--out", str(again)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(again)
    assert again.read_bytes() == (basis_with_history / "report.html").read_bytes()


def test_a_run_without_report_leaves_it_out_of_the_manifest(make_scenario, tmp_path: Path) -> None:
    path = make_scenario(one_group_parameters(), scenario_data(months=3, replications=2))
    result = simbijstand.run(path, out=tmp_path / "run", workers=1, report=False)
    assert not (tmp_path / "run" / "report.html").exists()
    assert "report.html" not in result.manifest["outputs"]


@pytest.mark.parametrize(
    ("prepare", "words"),
    [
        (lambda d: (d / "manifest.json").unlink(), ["did not finish"]),
        (lambda d: (d / "summary.csv").unlink(), ["summary.csv", "missing"]),
        (lambda d: (d / "flows.parquet").write_text("kapot"), ["flows.parquet", "unreadable"]),
    ],
)
def test_report_refuses_an_incomplete_or_damaged_run(
    basis_with_history: Path, tmp_path: Path, prepare, words: list[str]
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(basis_with_history, run_dir, ignore=shutil.ignore_patterns("events"))
    prepare(run_dir)
    result = CliRunner().invoke(main, ["report", str(run_dir)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output


# --- what the page holds ------------------------------------------------------------------------


def test_the_page_is_self_contained(full_run: Path) -> None:
    page = (full_run / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert "@import" not in page and "url(http" not in page
    references = re.findall(r'(?:href|src)="([^"]*)"', page)
    assert references and all(r.startswith("#") for r in references), references
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids repeat across the inline SVGs"


def test_the_page_has_every_section_with_a_chart_and_how_to_read_it(full_run: Path) -> None:
    page = (full_run / "report.html").read_text(encoding="utf-8")
    found = figures(full_run / "report.html")
    charted = ["bestand", "klantgroepen", "stromen", "financien", "trajecten"]
    assert found.sections == ["kerncijfers", *charted[:4], "regels", "trajecten", "verantwoording"]
    for name in charted:
        body = page.split(f'<section id="{name}">')[1].split("</section>")[0]
        assert f'data-chart="{name}"' in body and "<svg" in body
        assert "Zo leest u deze grafiek" in body
    assert 'lang="nl"' in page and "scenario basis" in page
    assert "zonder economische schok" in page  # the scenario's description


def test_the_manifest_is_at_the_bottom(basis_with_history: Path) -> None:
    page = (basis_with_history / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((basis_with_history / "manifest.json").read_text())
    bottom = page.split('<section id="verantwoording">')[1]
    assert str(manifest["seed"]) in bottom and ">20<" in bottom
    scenario_dir = Path(manifest["scenario"]["file"]).resolve().parent
    for item in manifest["inputs"]:
        # paths as the scenario names them, not as they lie on this machine
        relative = os.path.relpath(item["file"], scenario_dir)
        assert item["sha256"] in bottom and f">{relative}<" in bottom
    assert str(scenario_dir) not in bottom
    assert manifest["simbijstand_version"] in bottom


def test_caseload_figures_equal_summary_csv(full_run: Path) -> None:
    values = figures(full_run / "report.html").values
    summary = pl.read_csv(full_run / "summary.csv", try_parse_dates=True)
    shown = summary.filter(gemeente="Steenwijkerland", klantgroep="totaal")
    days = [d for d in shown["date"] if (d.month, d.day) == (1, 1) or d == dt.date(2020, 7, 1)]
    assert days[-1] == dt.date(2024, 1, 1) and len(days) == 5
    for row in shown.filter(pl.col("date").is_in(days)).iter_rows(named=True):
        for q in ("p10", "p50", "p90"):
            assert values[f"bestand|Steenwijkerland|{row['date']}|{q}"] == row[q]
    groups = summary.filter(gemeente="totaal", date=dt.date(2023, 1, 1))
    for row in groups.iter_rows(named=True):
        assert values[f"klantgroep|{row['klantgroep']}|2023-01-01|p50"] == row["p50"]


def test_finance_figures_equal_finance_parquet(full_run: Path) -> None:
    values = figures(full_run / "report.html").values
    finance = pl.read_parquet(full_run / "finance.parquet")
    per_replication = finance.group_by("replication", "year").agg(
        pl.col("expenditure_eur", "budget_eur", "deficit_eur", "vangnet_eur").sum(),
        pl.col("vangnet_eligible").any(),
    )
    for year, rows in per_replication.group_by("year"):
        key = f"financien|{year[0]}"
        assert values[f"{key}|expenditure_eur_mean"] == pytest.approx(
            rows["expenditure_eur"].mean(), rel=1e-12
        )
        assert values[f"{key}|expenditure_eur_p90"] == pytest.approx(
            rows["expenditure_eur"].quantile(0.9, interpolation="linear"), rel=1e-12
        )
        assert values[f"{key}|budget_eur_mean"] == pytest.approx(rows["budget_eur"].mean())
        assert values[f"{key}|deficit_eur_mean"] == pytest.approx(rows["deficit_eur"].mean())
        assert values[f"{key}|p_vangnet"] == pytest.approx(rows["vangnet_eligible"].mean())
        assert values[f"{key}|vangnet_eur_mean"] == pytest.approx(rows["vangnet_eur"].mean())


def test_finance_figures_of_a_real_run_equal_finance_summary_csv(basis_with_history: Path) -> None:
    """basis.toml has budgets: the report's figures agree with the finance module's own
    summary, partial first year (no deficit) and undecided vangnet eligibility included."""
    values = figures(basis_with_history / "report.html").values
    summary = pl.read_csv(basis_with_history / "finance_summary.csv")
    names = {
        "expenditure_eur": "expenditure_eur_mean",
        "net_expenditure_eur": "net_expenditure_eur_mean",
        "budget_eur": "budget_eur_mean",
        "deficit_eur": "deficit_eur_mean",
        "p_deficit_pct": "p_deficit",
        "p_vangnet_pct": "p_vangnet",
    }
    checked = 0
    for row in summary.filter(pl.col("quantity").is_in(list(names))).iter_rows(named=True):
        key = f"financien|{row['year']}|{names[row['quantity']]}"
        scale = 100 if row["quantity"].startswith("p_") else 1
        partial_budget = row["quantity"] == "budget_eur" and row["year"] == 2020
        if row["mean"] is None or partial_budget:
            # shown as a dash, or as an upper bound; no full-year budget beside half a year
            assert key not in values
        else:
            assert values[key] * scale == pytest.approx(row["mean"], abs=0.006)
            checked += 1
    assert checked >= 15
    assert "financien|2020|deficit_eur_mean" not in values  # half a year: no deficit


def test_flows_add_up_to_the_change_in_the_caseload(basis_with_history: Path) -> None:
    """in - out per month, as charted, equals the change of the mean BUIG total in summary.csv
    (which holds two decimals)."""
    data = load_run(basis_with_history)
    flows = aggregates.monthly_flows(data)
    net = flows.group_by("month").agg(
        pl.when(pl.col("kind") == "in").then(pl.col("mean")).otherwise(-pl.col("mean")).sum()
    )
    means = aggregates.band(data.summary, "Steenwijkerland")["mean"].to_list()
    changes = [b - a for a, b in itertools.pairwise(means)]
    assert net.sort("month")["mean"].to_list() == pytest.approx(changes, abs=0.011)
    assert set(flows.filter(kind="uit")["category"]) >= {"werk", "verhuizing", "aow"}


# --- charts ---------------------------------------------------------------------------------------


def test_charts_leave_no_global_state_behind_and_repeat_exactly(full_run: Path) -> None:
    data = load_run(full_run)
    before = dict(mpl.rcParams)
    first = finance_chart(data)
    charts.measures_chart(data)
    assert finance_chart(data) == first
    assert dict(mpl.rcParams) == before


def _axes(svg: str) -> int:
    return len(re.findall(r'<g id="[\w-]+-axes_\d+"', svg))


def test_the_money_chart_draws_what_finance_parquet_has(
    basis_with_history: Path, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(basis_with_history, run_dir, ignore=shutil.ignore_patterns("events"))
    finance = simulated_only(run_dir)
    assert _axes(finance_chart(load_run(run_dir))) == 1  # expenditure only
    finance.with_columns(budget_eur=pl.lit(1.0e7)).write_parquet(run_dir / "finance.parquet")
    with_budget = load_run(run_dir)
    assert _axes(finance_chart(with_budget)) == 2  # the deficit follows from the budget
    assert "kans op vangnet" not in "".join(keyfigures.finance_tables(with_budget))
    add_finance_columns(run_dir)
    page = "".join(keyfigures.finance_tables(load_run(run_dir)))
    assert "kans op vangnet" in page and "tekort na vangnet" in page
    assert "resterend tekort" not in page


def test_a_run_of_two_gemeenten_shows_each_and_their_total(tmp_path: Path) -> None:
    write_toml(tmp_path / "params.toml", one_group_parameters(inflow_per_year=20))
    aantallen = {"beginstand": {"aantallen": {"a": 60}}, "parameters": "params.toml"}
    scenario = write_toml(
        tmp_path / "scenario.toml",
        scenario_data(months=6, replications=4, gemeenten={"Oost": aantallen, "West": aantallen}),
    )
    simbijstand.run(scenario, out=tmp_path / "run", workers=1, report=False)
    data = load_run(tmp_path / "run")
    assert aggregates.shown_gemeenten(data.summary) == ["Oost", "West", "totaal"]
    assert _axes(charts.caseload_fan(data)) == 3
    (tmp_path / "table.html").write_text(keyfigures.caseload_table(data))
    values = figures(tmp_path / "table.html").values
    start = "2021-01-01"
    assert values[f"bestand|totaal|{start}|p50"] == 120
    assert values[f"bestand|Oost|{start}|p50"] == values[f"bestand|West|{start}|p50"] == 60


def test_report_of_a_missing_directory_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(RunDirectoryError, match="no such run directory"):
        write_report(tmp_path / "nergens")


def test_readme_documents_the_report() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "simbijstand report" in readme and "report.html" in readme


def test_a_scenario_with_measures_shows_participants_queue_and_cost(tmp_path: Path) -> None:
    """parttime-naar-fulltime.toml: real trajecten.parquet from the engine, not a hand-made one."""
    out = tmp_path / "run"
    simbijstand.run(SCENARIOS / "parttime-naar-fulltime.toml", replications=6, out=out, workers=1)
    found = figures(out / "report.html")
    assert "trajecten" in found.sections
    trajecten = pl.read_parquet(out / "trajecten.parquet")
    per_year = trajecten.group_by(pl.col("month").dt.year().alias("year")).agg(
        pl.col("cost_eur").sum() / 6
    )
    for year, cost in per_year.iter_rows():
        assert found.values[f"traject|parttime_naar_fulltime|{year}"] == pytest.approx(cost)
    assert _axes(charts.measures_chart(load_run(out)) or "") == 1


def test_a_run_without_budget_shows_no_empty_budget_columns_or_their_explanation(
    tmp_path: Path,
) -> None:
    write_toml(tmp_path / "params.toml", one_group_parameters(inflow_per_year=20))
    gemeente = {"beginstand": {"aantallen": {"a": 60}}, "parameters": "params.toml"}
    scenario = write_toml(
        tmp_path / "scenario.toml",
        scenario_data(months=12, replications=4, gemeenten={"Oost": gemeente}),
    )
    simbijstand.run(scenario, out=tmp_path / "run", workers=1)
    page = (tmp_path / "run" / "report.html").read_text()
    assert "geen BUIG-budget: tekort en vangnet zijn niet berekend" in page
    absent_words = (
        "Tekort en vangnet",
        ">budget (gem.)<",
        "oranje streep",
        "BUIG-lasten en budget",
    )
    for absent in absent_words:
        assert absent not in page
