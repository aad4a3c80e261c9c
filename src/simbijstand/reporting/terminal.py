"""The run summary a planner reads in the terminal, in Dutch."""

from __future__ import annotations

import datetime as dt

import polars as pl

from simbijstand.projections import TOTAL
from simbijstand.reporting.finance_text import finance_block
from simbijstand.reporting.table import number
from simbijstand.reporting.table import table as _table

MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def euro_millions(value: float) -> str:
    return f"{number(value / 1e6, 1)} mln"


def run_summary(
    name: str,
    description: str,
    start: dt.date,
    end: dt.date,
    replications: int,
    seed: int,
    summary: pl.DataFrame,
    finance: pl.DataFrame,
    run_dir: str,
    finance_summary: pl.DataFrame | None = None,
) -> str:
    last_day = end - dt.timedelta(days=1)
    lines = [
        f"Scenario {name}: {description}" if description else f"Scenario {name}",
        f"{_date(start)} t/m {_date(last_day)}, {replications} replicaties, seed {seed}",
        "",
        *_caseload_table(summary, start, end),
        "",
        *_group_table(summary, start, end),
        "",
        *_cost_table(finance),
        *(finance_block(finance_summary, finance) if finance_summary is not None else []),
        "",
        f"Uitvoer: {run_dir}",
    ]
    return "\n".join(lines)


def _peildata(summary: pl.DataFrame, start: dt.date, end: dt.date) -> list[dt.date]:
    dates = summary["date"].unique().sort().to_list()
    return [d for d in dates if d in (start, end) or (d.month == 1 and d.day == 1)]


def _caseload_table(summary: pl.DataFrame, start: dt.date, end: dt.date) -> list[str]:
    totals = summary.filter(pl.col("klantgroep") == TOTAL)
    gemeenten = [g for g in totals["gemeente"].unique(maintain_order=True).to_list()]
    if len(gemeenten) == 2:  # one gemeente and its identical total
        gemeenten = [g for g in gemeenten if g != TOTAL]
    header = ["peildatum", *gemeenten]
    rows = []
    for day in _peildata(summary, start, end):
        row = [str(day)]
        for gemeente in gemeenten:
            r = totals.filter((pl.col("gemeente") == gemeente) & (pl.col("date") == day)).row(
                0, named=True
            )
            row.append(f"{number(r['p50'])} ({number(r['p10'])}–{number(r['p90'])})")
        rows.append(row)
    title = "Bestand (uitkeringen met BUIG-financiering): mediaan (P10–P90)"
    return [title, *_table(header, rows)]


def _group_table(summary: pl.DataFrame, start: dt.date, end: dt.date) -> list[str]:
    groups = summary.filter((pl.col("gemeente") == TOTAL) & (pl.col("klantgroep") != TOTAL))
    names = groups["klantgroep"].unique(maintain_order=True).to_list()
    rows = []
    for day in _peildata(summary, start, end):
        on_day = groups.filter(pl.col("date") == day)
        medians = dict(zip(on_day["klantgroep"].to_list(), on_day["p50"].to_list(), strict=True))
        rows.append([str(day), *(number(medians[n]) for n in names)])
    return ["Bestand per klantgroep: mediaan", *_table(["peildatum", *names], rows)]


def _cost_table(finance: pl.DataFrame) -> list[str]:
    yearly = (
        finance.group_by("replication", "year")
        .agg(pl.col("expenditure_eur").sum(), pl.col("months").first())
        .group_by("year")
        .agg(
            mean=pl.col("expenditure_eur").mean(),
            p10=pl.col("expenditure_eur").quantile(0.10, interpolation="linear"),
            p90=pl.col("expenditure_eur").quantile(0.90, interpolation="linear"),
            months=pl.col("months").first(),
        )
        .sort("year")
    )
    rows = [
        [
            _year_label(r["year"], r["months"]),
            f"€ {number(r['mean'])}",
            f"{euro_millions(r['p10'])} – {euro_millions(r['p90'])}",
        ]
        for r in yearly.iter_rows(named=True)
    ]
    return [
        "BUIG-lasten per jaar: gemiddelde (P10–P90)",
        *_table(["jaar", "lasten", "P10–P90"], rows),
    ]


def _year_label(year: int, months: int) -> str:
    return str(year) if months == 12 else f"{year} ({months} mnd)"


def _date(day: dt.date) -> str:
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"
