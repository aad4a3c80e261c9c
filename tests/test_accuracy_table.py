"""benchmarks/accuracy.py: the README's accuracy table from backtest results, the gemeenten'
cross-section read from its own file, few points marked, a missing file said, not made up."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

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
