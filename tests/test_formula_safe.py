"""No text becomes a formula: names are refused at load (see the broken-scenario corpus), and the
writers do not rely on it: the workbook keeps every text a text, the CSV tables quote a text cell
that would start a formula, and the terminal shows escape sequences instead of obeying them."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from fuzzing import write_valid
from simbijstand.reporting.printable import printable
from simbijstand.reporting.workbook import write_workbook
from simbijstand.runs.compare import Comparison, compare
from simbijstand.store.csv_tables import spreadsheet_safe, write_csv

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "=1+1"]


def test_a_text_cell_that_would_start_a_formula_is_quoted() -> None:
    frame = pl.DataFrame({"name": [*FORMULAS, "Testdorp", "a-b"], "value": [-1.5] * 8})
    safe = spreadsheet_safe(frame)
    assert safe["name"].to_list() == [*(f"'{f}" for f in FORMULAS), "Testdorp", "a-b"]
    assert safe["value"].to_list() == [-1.5] * 8  # numbers stay numbers, negative ones too


def test_the_csv_writer_quotes_them(tmp_path: Path) -> None:
    write_csv(pl.DataFrame({"gemeente": ["=1+1", "Testdorp"], "mean": [-3.0, 4.0]}), tmp_path / "x")
    lines = (tmp_path / "x").read_text().splitlines()
    assert lines == ["gemeente,mean", "'=1+1,-3.00", "Testdorp,4.00"]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    folder = tmp_path_factory.mktemp("compare")
    write_valid(folder)
    variant = folder / "variant.toml"
    variant.write_text('extends = "scenario.toml"\nnaam = "variant"\n')
    return compare([folder / "scenario.toml", variant], out=folder / "c", workers=1)


def with_formula_names(comparison: Comparison) -> Comparison:
    """The comparison as if a scenario and a gemeente had been named like formulas."""
    rename = {"fuzz": "=1+1", "Testdorp": FORMULAS[0]}
    runs = {}
    for name, result in comparison.runs.items():
        finance = result.finance.with_columns(pl.col("gemeente").replace(rename))
        runs[rename.get(name, name)] = dataclasses.replace(result, finance=finance)
    table = comparison.table.with_columns(
        pl.col("scenario").replace(rename), pl.col("gemeente").replace(rename)
    )
    return dataclasses.replace(comparison, runs=runs, table=table, baseline="=1+1")


def test_the_workbook_writes_formula_like_names_as_text(
    comparison: Comparison, tmp_path: Path
) -> None:
    path = tmp_path / "book.xlsx"
    write_workbook(path, with_formula_names(comparison))
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for sheet in sheets:
            assert b"<f>" not in archive.read(sheet), sheet  # no formula in any cell
    book = openpyxl.load_workbook(path)
    texts = {
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "s"
    }
    assert {"=1+1", FORMULAS[0]} <= texts


def test_the_comparison_csv_of_a_real_compare_holds_no_formula(comparison: Comparison) -> None:
    for name in ("comparison.csv",):
        for line in (comparison.compare_dir / name).read_text().splitlines():
            assert not any(cell.startswith(("=", "+", "@")) for cell in line.split(","))


def test_the_terminal_shows_escape_sequences_escaped() -> None:
    assert printable("Test\x1b[31mdorp\r\n") == "Test\\x1b[31mdorp\\x0d\n"
    assert printable("caf\u00e9 \u202eevil") == "caf\u00e9 \\u202eevil"  # a bidi override
    assert printable("gewoon\tzo\n") == "gewoon\tzo\n"
