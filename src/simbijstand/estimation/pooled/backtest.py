"""The pooled calibration's out-of-sample test: forecast the last year of the gemeente data
from the year before alone, per gemeente, and score it (see benchmarks/backtest_gemeenten.py).

Everything a forecast uses comes from the year before the origin and the national series up to
the origin, except the own year-level variance, which is cross-fitted (`crossfit`): the spread
of other gemeenten's errors, never their common shift nor the gemeente's own outcome. Scored
as `scores` says (band coverage by the randomized PIT), with beside it the spread one year's
coverage has if the forecast is right (`yearcoverage`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.pooled.crossfit import crossfit
from simbijstand.estimation.pooled.files import parameter_data
from simbijstand.estimation.pooled.national import last_growth, year_end_stocks
from simbijstand.estimation.pooled.ownvariance import OwnVarianceFit
from simbijstand.estimation.pooled.panel import read_years
from simbijstand.estimation.pooled.rates import exposure, uncounted_from_growth
from simbijstand.estimation.pooled.scores import (
    CLASSES,
    Forecasts,
    as_published,
    score,
    size_class,
)
from simbijstand.estimation.pooled.yearcoverage import (
    NEAREST,
    TARGET,
    coverage_per_replication,
    year_coverage,
)
from simbijstand.estimation.pooled.yearlevel import common_variance

Simulate = Callable[[dict[str, dict[str, Any]], dict[str, int]], np.ndarray]


def backtest_year(
    data: Path,
    herindelingen: Path,
    national: Path,
    *,
    origin: dt.date,
    simulate: Simulate,
    folds: int,
    seed: int,
    leeftijd_code: int = 90100,
) -> dict[str, Any]:
    """Forecast year origin.year from origin.year - 1 and score it; a JSON-ready result."""
    years = read_years(data, herindelingen, leeftijd_code)
    if origin.year not in years or origin.year - 1 not in years:
        raise EstimationError(f"{data}: needs {origin.year - 1} and {origin.year} to score")
    year, following = years[origin.year - 1], years[origin.year]
    stocks = year_end_stocks(national, origin)
    uncounted = uncounted_from_growth(year, last_growth(stocks))
    common = common_variance(stocks)
    parts = crossfit(year, following, uncounted, common, folds=folds, seed=seed)
    params, counts, order = {}, {}, []
    for fold in parts:
        for j, row in enumerate(fold.rows):
            name = year.gemeenten[row]
            params[name] = parameter_data(fold.rates, fold.level, j, None)
            counts[name] = int(year.stock[row])
            order.append(row)
    simulated = simulate(params, counts)[:, np.argsort(order)]  # back to the year's order
    drift = year.stock + year.inflow - year.outflow - uncounted * exposure(year, uncounted)
    forecasts = Forecasts(year.gemeenten, year.stock, simulated, year.stock, drift, following.stock)
    return {
        "beschrijving": f"prognose {origin.year} per gemeente uit {origin.year - 1} alleen "
        f"(CBS, personen 15 jaar tot AOW-leeftijd); {folds}-voudige kruisvalidatie over gemeenten",
        "origin": origin.isoformat(),
        "horizon_maanden": 12,
        "klassen": {"klein": "minder dan 500 personen bij de start", "middel": "de rest",
                    "G4": "Amsterdam, Rotterdam, 's-Gravenhage, Utrecht"},
        "drift": "eind vorig jaar + verandering vorig jaar (instroom - uitstroom - ongetelde "
        "uitstroom uit de landelijke groei)",
        "ongetelde_uitstroom_per_jaar": uncounted,
        "gemeenschappelijke_variantie": common,
        "eigen_variantie_per_fold": [_own(f.own_variance) for f in parts],
        "tabel": score(forecasts),
        "dekking": "gerandomiseerde PIT (Czado, Gneiting & Held 2009): CBS publiceert in "
        "tientallen, en een waarneming op de rand van een band telt voor het deel van haar kans "
        "dat binnen de band valt",
        "dekking_volgens_model": _year_coverage(forecasts),
        "totaal": _total(forecasts),
        "per_gemeente": _rows(forecasts),
    }  # fmt: skip


def _own(fit: OwnVarianceFit) -> dict[str, Any]:
    """The fold's own-variance form and fit, and the inner held-out log density of each form
    it was chosen by (on the other folds alone)."""
    m = fit.model
    return {"vorm": m.form, "kappa": m.kappa, "beta": m.beta, "lineair": m.lineair,
            "logdichtheid_weggelaten": fit.held_out}  # fmt: skip


def _year_coverage(f: Forecasts) -> dict[str, Any]:
    """What the 80% coverage of one year could be if the forecast is right (`yearcoverage`)."""
    coverage = coverage_per_replication(as_published(f.simulated))
    classes = size_class(f.gemeenten, f.start)
    total, observed = f.simulated.sum(axis=1), float(f.observed.sum())
    return {
        "uitleg": "elke replicatie op haar beurt als uitkomst, gescoord tegen de banden van de "
        f"andere; doel {TARGET[0]:.0%}-{TARGET[1]:.0%}; bij_dit_landelijk_jaar: de "
        f"{NEAREST:.0%} replicaties met een landelijk totaal het dichtst bij het waargenomen",
        **{
            name: year_coverage(coverage, total, observed, (classes == name) | (name == "alle"))
            for name in CLASSES
        },
    }


def _total(f: Forecasts) -> dict[str, float]:
    """The national total (the sum over gemeenten per replication): shown, never scored or
    tuned on; its band holds one national year because the gemeenten share it."""
    q = np.percentile(f.simulated.sum(axis=1), [10, 50, 90])
    return {"start": float(f.start.sum()), "waargenomen": float(f.observed.sum()),
            "p10": float(q[0]), "mediaan": float(q[1]), "p90": float(q[2])}  # fmt: skip


def _rows(f: Forecasts) -> list[dict[str, Any]]:
    q = np.percentile(as_published(f.simulated), [5, 10, 50, 90, 95], axis=0)
    return [
        {"gemeente": g, "start": float(f.start[i]), "waargenomen": float(f.observed[i]),
         "p05": q[0, i], "p10": q[1, i], "mediaan": q[2, i], "p90": q[3, i], "p95": q[4, i]}
        for i, g in enumerate(f.gemeenten)
    ]  # fmt: skip


def table_text(table: dict[str, dict[str, Any]]) -> str:
    """The score table as Markdown (Dutch)."""
    lines = [
        "| klasse | gemeenten | MAE mediaan | MAE laatste waarde | MAE drift "
        "| dekking 80% | dekking 90% | 80%, rand meegeteld |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in CLASSES:
        r = table[name]
        lines.append(
            f"| {name} | {r['gemeenten']} | {r['mae_mediaan']:.1f} | {r['mae_laatste_waarde']:.1f} "
            f"| {r['mae_drift']:.1f} | {r['dekking_80']:.0%} | {r['dekking_90']:.0%} "
            f"| {r['dekking_80_rand_meegeteld']:.0%} |"
        )
    return "\n".join(lines)


def year_coverage_text(result: dict[str, Any]) -> str:
    """What one year's 80% coverage could be under the forecast, next to what it was (Dutch)."""
    lines = [
        "| klasse | gemeten | verwacht bij dit landelijk jaar | elk jaar P10-P90 | "
        f"kans op {TARGET[0]:.0%}-{TARGET[1]:.0%} |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in CLASSES:
        m, r = result["dekking_volgens_model"][name], result["tabel"][name]
        lines.append(
            f"| {name} | {r['dekking_80']:.0%} | {m['bij_dit_landelijk_jaar']:.0%} "
            f"| {m['p10']:.0%}-{m['p90']:.0%} | {m['kans_in_doel']:.0%} |"
        )
    return "\n".join(lines)
