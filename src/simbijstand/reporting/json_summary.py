"""The machine-readable summary `simbijstand run --json` prints: plain numbers, stable keys.

Keys (documented in the README too):
    scenario       {name, description, file}
    run_dir        the run directory
    report         path of report.html, or null when the run wrote none
    seed, replications
    horizon        {start, end, months}; end is exclusive (00:00 on that day)
    caseload       per gemeente (and `totaal` with several gemeenten) at the start, every
                   1 January and the end: {gemeente, date, mean, p05, p10, p25, p50, p75, p90,
                   p95}, benefits with BUIG funding, as in summary.csv
    cost           per calendar year over all gemeenten: {year, months, expenditure_eur:
                   {mean, p10, p50, p90}}, and when finance.parquet has them the same for
                   net_expenditure_eur, budget_eur, deficit_eur, vangnet_eur,
                   remaining_deficit_eur, plus p_deficit and p_vangnet (shares of replications,
                   0 to 1) and p_vangnet_max (an upper bound where eligibility is undecided);
                   null where a year cannot have the figure (a partial year's deficit)
"""

from __future__ import annotations

from typing import Any

import polars as pl

from simbijstand.projections.summary import QUANTILES
from simbijstand.reporting import aggregates
from simbijstand.reporting.rundata import RunData
from simbijstand.store.rundir import REPORT


def run_json(data: RunData) -> dict[str, Any]:
    manifest = data.manifest
    report = data.run_dir / REPORT
    return {
        "scenario": manifest["scenario"],
        "run_dir": str(data.run_dir),
        "report": str(report) if report.is_file() else None,
        "seed": manifest["seed"],
        "replications": data.replications,
        "horizon": manifest["horizon"],
        "caseload": _caseload(data),
        "cost": _cost(data),
    }


def _caseload(data: RunData) -> list[dict[str, Any]]:
    dates = aggregates.peildata(
        data.summary["date"].unique().sort().to_list(), data.start, data.end
    )
    rows = data.summary.filter(
        (pl.col("klantgroep") == aggregates.TOTAL)
        & pl.col("gemeente").is_in(aggregates.shown_gemeenten(data.summary))
        & pl.col("date").is_in(dates)
    )
    return [
        {"gemeente": r["gemeente"], "date": str(r["date"]), "mean": r["mean"]}
        | {q: r[q] for q in QUANTILES}
        for r in rows.sort("gemeente", "date").iter_rows(named=True)
    ]


def _cost(data: RunData) -> list[dict[str, Any]]:
    yearly = aggregates.yearly_finance(data.finance)
    result = []
    for row in yearly.iter_rows(named=True):
        entry: dict[str, Any] = {"year": row["year"], "months": row["months"]}
        for amount in aggregates.AMOUNTS:
            if f"{amount}_mean" in row:
                entry[amount] = {s: row[f"{amount}_{s}"] for s in ("mean", "p10", "p50", "p90")}
        entry |= {k: row[k] for k in ("p_deficit", "p_vangnet", "p_vangnet_max") if k in row}
        result.append(entry)
    return result
