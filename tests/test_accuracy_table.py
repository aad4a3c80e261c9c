"""benchmarks/accuracy.py: the README's accuracy table from backtest results, the gemeenten'
cross-section read from its own file, few points marked, a missing file said, not made up."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "accuracy.py"


def accuracy():
    spec = importlib.util.spec_from_file_location("accuracy", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scores(points: int, mae: float, covered: float | None = 0.8) -> dict:
    values = {"origins": 18, "punten": points, "mae": mae, "mase": 5.25}
    if covered is not None:
        values |= {"dekking_80": covered, "dekking_90": 0.9}
    return values


def test_the_table_reads_every_source_and_marks_thin_coverage(tmp_path: Path) -> None:
    national = {
        "summary": {"12": {"simbijstand": scores(216, 8385.3), "naive": scores(216, 10144.6)}}
    }
    (tmp_path / "backtest-nederland.json").write_text(json.dumps(national))
    gemeenten = {"summary": {"12": {"simbijstand": scores(4680, 41.2, 0.77)}}}
    (tmp_path / "accuracy-gemeenten.json").write_text(json.dumps(gemeenten))
    lines = accuracy().accuracy_table(tmp_path)
    assert (
        "| Nederland, rollende oorsprongen | 12 | simbijstand | 18 | 216 | 8.385 | 5,25 | 80% "
        "| 90% |" in lines
    )
    assert (
        "| Alle gemeenten (dwarsdoorsnede) | 12 | simbijstand | 18 | 4.680 | 41 | 5,25 | 77% "
        "| 90% |" in lines
    )
    assert any("BMWE: nog niet beschikbaar" in line for line in lines)
    bmwe = {
        "summary": {"12": {"simbijstand": scores(2, 30.0)}},
        "summary_own_dates": {"12": {"eigen_prognose": scores(1, 55.0, None)}},
    }
    (tmp_path / "backtest-bmwe.json").write_text(json.dumps(bmwe))
    lines = accuracy().accuracy_table(tmp_path)
    assert "| BMWE | 12 | simbijstand | 18 | 2 | 30 | 5,25 | 80%* | 90%* |" in lines
    assert (
        "| BMWE, op de data van de eigen prognose | 12 | eigen prognose | 18 | 1 | 55 | 5,25 "
        "| – | – |" in lines
    )


def test_the_gemeenten_cross_section_is_read_per_size_class(tmp_path: Path) -> None:
    """The format benchmarks/backtest_gemeenten.py writes: one scored point per gemeente."""
    table = {
        "klein": {
            "gemeenten": 236,
            "mae_mediaan": 17.9,
            "mae_laatste_waarde": 20.3,
            "mae_drift": 19.4,
            "dekking_80": 0.847,
            "dekking_90": 0.907,
        }
    }
    data = {"horizon_maanden": 12, "tabel": table}
    (tmp_path / "accuracy-gemeenten.json").write_text(json.dumps(data))
    lines = accuracy().accuracy_table(tmp_path)
    assert (
        "| Alle gemeenten (dwarsdoorsnede), klein | 12 | simbijstand | 236 | 236 | 18 | – | 85% "
        "| 91% |" in lines
    )
    assert (
        "| Alle gemeenten (dwarsdoorsnede), klein | 12 | laatste waarde | 236 | 236 | 20 | – | – "
        "| – |" in lines
    )


def test_the_cross_section_says_how_it_counted_and_what_one_year_can_show(tmp_path: Path) -> None:
    table = {"alle": {"gemeenten": 390, "mae_mediaan": 37.7, "dekking_80": 0.9}}
    expected = {"p10": 0.652, "p90": 0.889, "bij_dit_landelijk_jaar": 0.878}
    data = {
        "tabel": table,
        "dekking": "gerandomiseerde PIT",
        "dekking_volgens_model": {"alle": expected},
    }
    (tmp_path / "accuracy-gemeenten.json").write_text(json.dumps(data))
    notes = "\n".join(accuracy().accuracy_table(tmp_path))
    assert "dekking volgens gerandomiseerde PIT." in notes
    assert "tussen 65% en 89% (P10-P90)" in notes and "verwacht zij 88%." in notes


def test_readme_table_replaced_between_markers_only():
    module = accuracy()
    readme = f"intro\n{module.BEGIN}\nold table\n{module.END}\nrest\n"
    new = module.with_table(readme, "| new |\n")
    assert new == f"intro\n{module.BEGIN}\n| new |\n{module.END}\nrest\n"
    assert module.with_table(new, "| new |\n") == new


def test_readme_without_markers_is_refused():
    with pytest.raises(SystemExit, match="markers"):
        accuracy().with_table("no markers here\n", "| new |\n")
