"""Backtest results in Dutch for the terminal, and as plain data for --json.

Made not to mislead: it names the series that was forecast, shows the outcome beside every
method's forecast at the horizon's last scored date, scores every method on the same dates
(the own forecast's few dates in a table of their own), gives the number of scored months
behind each figure, and marks a coverage figure resting on fewer than MIN_POINTS months.
"""

from __future__ import annotations

from typing import Any

from simbijstand.estimation.backtest.results import (
    LEVELS,
    MIN_POINTS,
    OURS,
    OWN,
    OriginResult,
    summary,
)
from simbijstand.reporting.terminal import number

METHODS_NL = {
    "simbijstand": "simbijstand",
    "naive": "laatste waarde",
    "drift": "drift",
    "seasonal_naive": "seizoensnaïef",
    "eigen_prognose": "eigen prognose",
}
FEW = "*"
FEW_NOTE = f"{FEW} minder dan {MIN_POINTS} peildata achter dit dekkingscijfer: zegt weinig"


def backtest_text(
    results: list[OriginResult],
    *,
    target: str | None = None,
    failures: dict[Any, str] | None = None,
    inflation: Any = None,
) -> str:
    lines: list[str] = [f"Doel: {target}", ""] if target else []
    for result in results:
        lines += [*_origin_lines(result), ""]
    for own in (False, True):
        for horizon, methods in summary(results, own=own).items():
            where = " (op de peildata van de eigen prognose)" if own else ""
            count = round(next(iter(methods.values()))["origins"])
            lines += [
                f"Gemiddeld over {count} {'oorsprong' if count == 1 else 'oorsprongen'}, "
                f"horizon {horizon} maanden{where}",
                *_table(_rows(methods)),
                "",
            ]
    if inflation is not None:
        lines += [*_inflation_lines(inflation), ""]
    for origin, message in (failures or {}).items():
        lines.append(f"niet gelukt: {origin}: {message}")
    if any(FEW in line for line in lines):
        lines += ["", FEW_NOTE]
    return "\n".join(lines).rstrip()


def _origin_lines(result: OriginResult) -> list[str]:
    last = result.dates[-1]
    lines = [
        f"Oorsprong {result.origin}, horizon {result.horizon} maanden: "
        f"{len(result.dates)} peildata, fit {number(result.seconds['fit'], 1)} s, "
        f"simulatie {number(result.seconds['simulate'], 1)} s",
    ]
    if result.inflation:
        factors = ", ".join(
            f"t/m {h} mnd {number(f, 2)}"
            for h, f in zip(
                result.inflation["horizon_maanden"], result.inflation["factor"], strict=True
            )
        )
        lines.append(f"  inflatie van de schommeling (uit eerdere oorsprongen): {factors}")
    lines.append(f"  werkelijk op {last}: {number(float(result.actual[-1]), 0)}")
    main = {m: s for m, s in result.scores.items() if m != OWN}
    lines += _table(_rows(main, result, last_column=True), last_column=True)
    if result.own_scores:
        lines += [
            f"  op de {result.own_scores[OWN].points} peildata van de eigen prognose:",
            *_table(_rows(result.own_scores)),
        ]
    return lines


def _inflation_lines(inflation: Any) -> list[str]:
    rows = zip(
        inflation.horizon_maanden, inflation.relatieve_fout_80, inflation.punten, strict=False
    )
    parts = [f"t/m {h} mnd: ±{number(100 * f, 1)}% ({p} peildata)" for h, f, p in rows]
    covered = ", ".join(f"{number(100 * c, 0)}%" for c in inflation.dekking_80)
    origins = inflation.oorsprongen
    span = f"{origins[0]} t/m {origins[-1]}" if origins else "geen"
    return [
        "Bandbreedte voor een prognose na deze oorsprongen (80%-band rond de prognose, "
        "conformaal op de fouten hierboven):",
        f"  {'; '.join(parts)}",
        f"  oorsprongen {span}; de geneste kalibratie haalde dekking 80%: {covered}",
        "  Neem over in de kalibratieconfig als [instroom.schommeling.inflatie] (--json geeft "
        "de tabel).",
    ]


def backtest_json(
    results: list[OriginResult],
    *,
    target: str | None = None,
    failures: dict[Any, str] | None = None,
    inflation: Any = None,
) -> dict[str, Any]:
    return {
        "target": target,
        "origins": [_origin_json(r) for r in results],
        "summary": {str(h): m for h, m in summary(results).items()},
        "summary_own_dates": {str(h): m for h, m in summary(results, own=True).items()},
        "inflation": None if inflation is None else inflation.model_dump(mode="json"),
        "failures": {str(k): v for k, v in (failures or {}).items()},
    }


def _origin_json(r: OriginResult) -> dict[str, Any]:
    return {
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
        "scores": {name: _score_json(s) for name, s in r.scores.items()},
        "scores_own_dates": {name: _score_json(s) for name, s in r.own_scores.items()},
        "inflation": r.inflation,
        "seconds": r.seconds,
    }


def _score_json(s: Any) -> dict[str, Any]:
    return {
        "mae": s.mae,
        "mape": s.mape,
        "mase": s.mase,
        "points": s.points,
        "coverage": {str(k): v for k, v in (s.coverage or {}).items()} or None,
    }


def _values(array: Any) -> list[float | None]:
    """A series for JSON: no value (NaN) as null, which JSON has and NaN is not."""
    return [None if value != value else float(value) for value in array]


def _rows(
    scores: dict[str, Any], result: OriginResult | None = None, *, last_column: bool = False
) -> list[list[str]]:
    rows = []
    for method, s in scores.items():
        values = s if isinstance(s, dict) else _score_values(s)
        points = values.get("punten", 0)
        few = FEW if points < MIN_POINTS and values.get("dekking_80") is not None else ""
        row = [
            METHODS_NL.get(method, method),
            _value(points, 0),
            _value(values.get("mae"), 0),
            _value(values.get("mape"), 1, "%"),
            _value(values.get("mase"), 2),
            *(
                _value(_pct(values.get(f"dekking_{round(100 * lv)}")), 0, "%" + few)
                for lv in LEVELS
            ),
        ]
        if last_column and result is not None:
            row.append(_at_last(result, method))
        rows.append(row)
    return rows


def _score_values(s: Any) -> dict[str, Any]:
    return {
        "punten": s.points,
        "mae": s.mae,
        "mape": s.mape,
        "mase": s.mase,
        **{f"dekking_{round(100 * lv)}": (s.coverage or {}).get(lv) for lv in LEVELS},
    }


def _at_last(result: OriginResult, method: str) -> str:
    """The method's forecast at the last scored date, with its 80% band where it has one."""
    band = result.forecasts[method]
    value = float(band.mean[-1])
    if value != value:
        return "–"
    text = number(value, 0)
    if band.bands is not None and method in (OURS, "naive", "drift", "seasonal_naive"):
        low, high = band.bands[0.8]
        text += f" ({number(float(low[-1]), 0)}-{number(float(high[-1]), 0)})"
    return text


def _pct(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _value(value: float | None, decimals: int, unit: str = "") -> str:
    return "–" if value is None else number(value, decimals) + unit


def _table(rows: list[list[str]], *, last_column: bool = False) -> list[str]:
    header = ["methode", "punten", "MAE", "MAPE", "MASE", "dekking 80%", "dekking 90%"]
    if last_column:
        header.append("prognose laatste peildatum (80%)")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  "
        + "  ".join(
            [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))]
        )
        for r in [header, *rows]
    ]
