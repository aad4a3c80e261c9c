"""comparison.html: the runs side by side, its numbers equal to each run's own files, and paired
differences that are exactly zero for a run compared with itself."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from report_helpers import figures, simulated_only
from simbijstand.errors import RunDirectoryError
from simbijstand.reporting import aggregates
from simbijstand.reporting.compare_report import write_comparison_report

pytestmark = pytest.mark.report


def test_the_comparison_has_its_sections_and_charts(comparison: Path) -> None:
    page = comparison.read_text(encoding="utf-8")
    assert figures(comparison).sections == [
        "bestand",
        "tekort",
        "vangnet",
        "tabel",
        "verantwoording",
    ]
    for chart in ("vergelijking-bestand", "vergelijking-tekort", "vergelijking-vangnet"):
        assert f'data-chart="{chart}"' in page
    assert page.count("Zo leest u deze grafiek") == 3
    assert "basis</strong> (basis voor de verschillen)" in page and "tweede-golf" in page
    assert "<script" not in page and not re.findall(r'(?:href|src)="(?!#)', page)


def test_caseload_medians_equal_each_runs_summary(comparison: Path) -> None:
    values = figures(comparison).values
    for name in ("basis", "tweede-golf"):
        summary = pl.read_csv(comparison.parent / name / "summary.csv", try_parse_dates=True)
        end = summary.filter(gemeente="totaal", klantgroep="totaal", date=pl.date(2024, 1, 1))
        assert values[f"bestand|{name}|2024-01-01|p50"] == end["p50"][0]
    assert values["bestand|tweede-golf|2022-01-01|p50"] > values["bestand|basis|2022-01-01|p50"]


def test_the_finance_table_equals_finance_parquet(comparison: Path) -> None:
    values = figures(comparison).values
    for name in ("basis", "tweede-golf"):
        finance = pl.read_parquet(comparison.parent / name / "finance.parquet")
        for (year,), rows in finance.group_by("year"):
            assert values[f"{name}|{year}|expenditure_eur_mean"] == pytest.approx(
                rows["expenditure_eur"].mean(), rel=1e-12
            )
            assert values[f"{name}|{year}|deficit_eur_p90"] == pytest.approx(
                rows["deficit_eur"].quantile(0.9, interpolation="linear"), rel=1e-12
            )
            assert values[f"{name}|{year}|p_vangnet"] == pytest.approx(
                rows["vangnet_eligible"].mean()
            )


def test_differences_are_paired_replication_by_replication(comparison: Path) -> None:
    values = figures(comparison).values
    basis = pl.read_parquet(comparison.parent / "basis" / "finance.parquet")
    variant = pl.read_parquet(comparison.parent / "tweede-golf" / "finance.parquet")
    paired = basis.join(variant, on=["replication", "year"], suffix="_v").filter(year=2021)
    diff = paired["expenditure_eur_v"] - paired["expenditure_eur"]
    key = "verschil|tweede-golf|2021|expenditure_eur"
    assert values[f"{key}_mean"] == pytest.approx(diff.mean())
    assert values[f"{key}_p10"] == pytest.approx(diff.quantile(0.1, interpolation="linear"))
    assert values[f"{key}_p90"] == pytest.approx(diff.quantile(0.9, interpolation="linear"))


def test_a_run_compared_with_itself_differs_by_exactly_zero(comparison: Path) -> None:
    finance = pl.read_parquet(comparison.parent / "basis" / "finance.parquet")
    diffs = aggregates.differences(finance, finance, paired=True).drop("year")
    known = [v for column in diffs.iter_columns() for v in column if v is not None]
    assert len(known) > 20 and all(v == 0 for v in known)


def test_without_finance_columns_it_shows_expenditure_and_says_why(
    basis_with_history: Path, tmp_path: Path
) -> None:
    copies = []
    for name in ("a", "b"):
        shutil.copytree(
            basis_with_history, tmp_path / name, ignore=shutil.ignore_patterns("events")
        )
        simulated_only(tmp_path / name)
        copies.append(tmp_path / name)
    out = write_comparison_report(copies, tmp_path / "comparison.html")
    page = out.read_text(encoding="utf-8")
    assert 'data-chart="vergelijking-lasten"' in page
    assert "vergelijking-vangnet" not in page and "geen vangnetberekening" in page
    assert "basis (a)" in page and "basis (b)" in page  # one name twice: the folder tells apart
    assert "Verschil met" not in page  # no baseline, no differences


def test_bad_input_is_a_user_error(basis_with_history: Path, tmp_path: Path) -> None:
    with pytest.raises(RunDirectoryError, match="not one of the compared"):
        write_comparison_report([basis_with_history], tmp_path / "c.html", baseline=tmp_path)
    with pytest.raises(RunDirectoryError, match="did not finish"):
        write_comparison_report([basis_with_history, tmp_path], tmp_path / "c.html")
    with pytest.raises(RunDirectoryError, match="at least one"):
        write_comparison_report([], tmp_path / "c.html")
