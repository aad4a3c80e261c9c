"""The accuracy table: how well simbijstand forecast, next to the simple baselines.

Reads the backtest results in benchmarks/results/, writes the Markdown table to
benchmarks/results/accuracy.md and between the README's accuracy markers, and prints it:

- national rolling origins: backtest-nederland.json (`python benchmarks/backtest_nederland.py`);
- BMWE: backtest-bmwe.json (`simbijstand backtest calibration/bmwe/kalibratie.toml
  --origin 2017-01-01 --horizon 12 --json > benchmarks/results/backtest-bmwe.json`), with
  the municipality's own forecast on its own dates;
- every gemeente: accuracy-gemeenten.json, written by the per-gemeente cross-section.

Each file holds what `simbijstand backtest --json` writes; only these keys are read:

    {
      "target": "what was forecast, in words",                      (optional)
      "summary": {                                                   per horizon in months
        "12": {
          "simbijstand": {"origins": 18, "punten": 216, "mae": 8385.3, "mase": 5.24,
                          "dekking_80": 0.43, "dekking_90": 0.54},
          "naive": {...}, "drift": {...}, ...                        same keys per method
        }
      },
      "summary_own_dates": {...}                 (optional) the same, on the own forecast's dates
    }

`origins` counts forecasts (origins, or gemeenten x origins for the cross-section), `punten`
the scored months behind the coverage; dekking_* may be absent (no band). The cross-section as
benchmarks/backtest_gemeenten.py writes it is read too: `horizon_maanden` and a `tabel` per size
class ({"gemeenten", "mae_mediaan", "mae_laatste_waarde", "mae_drift", "dekking_80",
"dekking_90"}; one scored point per gemeente), and if present how coverage was counted
(`dekking`) and what one year's coverage could be if the forecast is right
(`dekking_volgens_model`), both as notes under the table. A file that is missing is listed as
not (yet) available; nothing is made up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN = "<!-- accuracy: written by benchmarks/accuracy.py -->"
END = "<!-- end of accuracy -->"
SOURCES = (
    ("Nederland, rollende oorsprongen", "backtest-nederland.json"),
    ("Alle gemeenten (dwarsdoorsnede)", "accuracy-gemeenten.json"),
    ("BMWE", "backtest-bmwe.json"),
)
METHODS = {
    "simbijstand": "simbijstand",
    "naive": "laatste waarde",
    "drift": "drift",
    "seasonal_naive": "seizoensnaïef",
    "eigen_prognose": "eigen prognose",
}
MIN_POINTS = 10


def main() -> None:
    lines = accuracy_table(RESULTS)
    text = "\n".join(lines) + "\n"
    (RESULTS / "accuracy.md").write_text(text, encoding="utf-8")
    README.write_text(with_table(README.read_text(encoding="utf-8"), text), encoding="utf-8")
    print(text, end="")


def with_table(readme: str, table: str) -> str:
    """The README with the text between its accuracy markers replaced by the table."""
    head, begin, rest = readme.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise SystemExit(f"error: {README}: the markers {BEGIN!r} and {END!r} are missing")
    return f"{head}{BEGIN}\n{table}{END}{tail}"


def accuracy_table(folder: Path) -> list[str]:
    lines = [
        "| reeks | horizon | methode | prognoses | peildata | MAE | MASE | dekking 80% | "
        "dekking 90% |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    missing: list[str] = []
    notes = [f"* minder dan {MIN_POINTS} peildata: een dekkingscijfer dat weinig zegt."]
    for name, file in SOURCES:
        path = folder / file
        if not path.exists():
            missing.append(f"{name}: nog niet beschikbaar ({file})")
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if "tabel" in data and "summary" not in data:
            lines += _class_rows(name, data)
            notes += _cross_section_notes(name, data)
            continue
        lines += _rows(name, data.get("summary", {}))
        own = data.get("summary_own_dates") or {}
        lines += _rows(f"{name}, op de data van de eigen prognose", own)
    return [*lines, *(line for note in [*notes, *missing] for line in ("", note))]


def _rows(name: str, summary: dict[str, Any]) -> list[str]:
    rows = []
    for horizon, methods in summary.items():
        for method, values in methods.items():
            few = "*" if values.get("punten", 0) < MIN_POINTS else ""
            rows.append(
                f"| {name} | {horizon} | {METHODS.get(method, method)} | "
                f"{_int(values.get('origins'))} | {_int(values.get('punten'))} | "
                f"{_int(values.get('mae'))} | {_num(values.get('mase'))} | "
                f"{_pct(values.get('dekking_80'), few)} | {_pct(values.get('dekking_90'), few)} |"
            )
    return rows


def _class_rows(name: str, data: dict[str, Any]) -> list[str]:
    """The per-gemeente cross-section's table per size class as {horizon: {method: scores}}."""
    rows = []
    horizon = str(data.get("horizon_maanden", ""))
    for klasse, values in data["tabel"].items():
        count = values.get("gemeenten")
        methods = {
            "simbijstand": {
                "mae": values.get("mae_mediaan"),
                "dekking_80": values.get("dekking_80"),
                "dekking_90": values.get("dekking_90"),
            },
            "naive": {"mae": values.get("mae_laatste_waarde")},
            "drift": {"mae": values.get("mae_drift")},
        }
        for scores in methods.values():
            scores |= {"origins": count, "punten": count}
        rows += _rows(f"{name}, {klasse}", {horizon: methods})
    return rows


def _cross_section_notes(name: str, data: dict[str, Any]) -> list[str]:
    """How the cross-section counted coverage, and what one year's coverage could be if the
    forecast is right (both optional in the file)."""
    notes = []
    if "dekking" in data:
        notes.append(f"{name}: dekking volgens {data['dekking']}.")
    expected = (data.get("dekking_volgens_model") or {}).get("alle")
    if expected:
        notes.append(
            f"{name}: alle gemeenten delen in één jaar één landelijke trekking, dus ook een "
            f"prognose die klopt haalt in één jaar een 80%-dekking tussen {_pct(expected['p10'])} "
            f"en {_pct(expected['p90'])} (P10-P90); in een landelijk jaar als het gescoorde "
            f"verwacht zij {_pct(expected['bij_dit_landelijk_jaar'])}."
        )
    return notes


def _int(value: float | None) -> str:
    return "–" if value is None else f"{round(value):,}".replace(",", ".")


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def _pct(value: float | None, few: str = "") -> str:
    return "–" if value is None else f"{round(100 * value)}%{few}"


if __name__ == "__main__":
    main()
