"""Backtest results in Dutch for the terminal, and as plain data for --json."""

from __future__ import annotations

from typing import Any

from simbijstand.estimation.backtest.results import LEVELS, OriginResult, summary
from simbijstand.reporting.terminal import number

METHODS_NL = {
    "simbijstand": "simbijstand",
    "naive": "laatste waarde",
    "drift": "drift",
    "seasonal_naive": "seizoensnaïef",
    "eigen_prognose": "eigen prognose",
}


def backtest_text(results: list[OriginResult]) -> str:
    lines: list[str] = []
    for result in results:
        lines += [
            f"Oorsprong {result.origin}, horizon {result.horizon} maanden: "
            f"{len(result.dates)} peildata, fit {number(result.seconds['fit'], 1)} s, "
            f"simulatie {number(result.seconds['simulate'], 1)} s",
            *_table(_rows(result.scores)),
            "",
        ]
    for horizon, methods in summary(results).items():
        lines += [
            f"Gemiddeld over oorsprongen, horizon {horizon} maanden",
            *_table(_rows(methods)),
            "",
        ]
    return "\n".join(lines).rstrip()


def backtest_json(results: list[OriginResult]) -> dict[str, Any]:
    return {
        "origins": [
            {
                "origin": str(r.origin),
                "horizon_months": r.horizon,
                "dates": [str(d) for d in r.dates],
                "actual": r.actual.tolist(),
                "forecasts": {
                    name: {
                        "mean": _values(band.mean),
                        **{
                            f"band_{round(100 * level)}": [_values(lo), _values(hi)]
                            for level, (lo, hi) in (band.bands or {}).items()
                        },
                    }
                    for name, band in r.forecasts.items()
                },
                "scores": {
                    name: {
                        "mae": s.mae,
                        "mape": s.mape,
                        "mase": s.mase,
                        "coverage": {str(k): v for k, v in (s.coverage or {}).items()} or None,
                    }
                    for name, s in r.scores.items()
                },
                "seconds": r.seconds,
            }
            for r in results
        ],
        "summary": {str(h): m for h, m in summary(results).items()},
    }


def _values(array: Any) -> list[float | None]:
    """A series for JSON: no value (NaN) as null, which JSON has and NaN is not."""
    return [None if value != value else float(value) for value in array]


def _rows(scores: dict[str, Any]) -> list[list[str]]:
    rows = []
    for method, s in scores.items():
        values = (
            s
            if isinstance(s, dict)
            else {
                "mae": s.mae,
                "mape": s.mape,
                "mase": s.mase,
                **{f"dekking_{round(100 * lv)}": (s.coverage or {}).get(lv) for lv in LEVELS},
            }
        )
        rows.append(
            [
                METHODS_NL.get(method, method),
                _value(values.get("mae"), 0),
                _value(values.get("mape"), 1, "%"),
                _value(values.get("mase"), 2),
                *(_value(_pct(values.get(f"dekking_{round(100 * lv)}")), 0, "%") for lv in LEVELS),
            ]
        )
    return rows


def _pct(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _value(value: float | None, decimals: int, unit: str = "") -> str:
    return "–" if value is None else number(value, decimals) + unit


def _table(rows: list[list[str]]) -> list[str]:
    header = ["methode", "MAE", "MAPE", "MASE", "dekking 80%", "dekking 90%"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  "
        + "  ".join(
            [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))]
        )
        for r in [header, *rows]
    ]
