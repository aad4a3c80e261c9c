"""The run summary a planner reads in the terminal, in Dutch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from simbijstand.projections import TOTAL
from simbijstand.reporting import aggregates
from simbijstand.reporting.bands_text import bands_calibration
from simbijstand.reporting.finance_text import finance_block
from simbijstand.reporting.measures_text import measures_block
from simbijstand.reporting.numbers import (
    date_nl,
    euro,
    flow_name,
    label,
    millions,
    number,
    year_label,
)
from simbijstand.reporting.overview import MAX_CHARTED
from simbijstand.reporting.rules_text import rules_block
from simbijstand.reporting.rundata import RunData
from simbijstand.reporting.table import table as _table
from simbijstand.scenario import Scenario
from simbijstand.store.rundir import REPORT


class FinishedRun(Protocol):
    """What the summary reads of a run that just finished: `runs.run.RunResult` is one. Named
    here, not imported, because reporting does not depend on the application layer above it."""

    @property
    def run_dir(self) -> Path: ...
    @property
    def scenario(self) -> Scenario: ...
    @property
    def summary(self) -> pl.DataFrame: ...
    @property
    def finance(self) -> pl.DataFrame: ...
    @property
    def finance_summary(self) -> pl.DataFrame: ...
    @property
    def measures(self) -> pl.DataFrame | None: ...
    @property
    def manifest(self) -> dict[str, Any]: ...


def run_summary(run: FinishedRun, details: str = "") -> str:
    """The compact summary; `details` (run -v) goes before the closing lines with the paths."""
    start, end = run.scenario.start, run.scenario.end
    lines = [
        *_heading(run),
        "",
        *_caseload_table(run.summary, start, end),
        "",
        *_group_table(run.summary, start, end, _without_buig(run.manifest)),
        "",
        *_cost_table(run.finance),
        *finance_block(run.finance_summary, run.finance),
        *rules_block(run.manifest),
        *measures_block(run.measures),
        "",
        *([details, ""] if details else []),
        f"Uitvoer: {run.run_dir}",
    ]
    report = run.run_dir / REPORT
    if report.is_file():
        lines.append(f"Rapport: {report}")
    return "\n".join(lines)


def _heading(run: FinishedRun) -> list[str]:
    """Which scenario, which period, how many replications, and what the bands contain."""
    scenario, sim = run.scenario, run.scenario.spec.simulatie
    description = scenario.spec.beschrijving
    last_day = scenario.end - dt.timedelta(days=1)
    return [
        f"Scenario {scenario.name}: {description}" if description else f"Scenario {scenario.name}",
        f"{date_nl(scenario.start)} t/m {date_nl(last_day)}, {sim.replicaties} replicaties, "
        f"seed {sim.seed}",
        _bands_line(sim.parameteronzekerheid, "inflow_deviation" in run.manifest["uncertainty"]),
        *filter(None, [bands_calibration(run.manifest)]),
    ]


def _bands_line(parameter_uncertainty: bool, inflow_deviation: bool = False) -> str:
    parameters = "onzekerheid in de geschatte parameters"
    deviation = (
        "blijvende schommelingen van de instroom (economie, beleid; eigen pad per replicatie)"
    )
    if parameter_uncertainty and inflow_deviation:
        return f"Banden: toeval, {parameters} (eigen trekking per replicatie) én {deviation}"
    if parameter_uncertainty:
        return f"Banden: toeval én {parameters} (elke replicatie trekt eigen parameters)"
    if inflow_deviation:
        return f"Banden: toeval én {deviation}; {parameters} zit er niet in"
    return f"Banden: alleen toeval; {parameters} zit er niet in"


def _peildata(summary: pl.DataFrame, start: dt.date, end: dt.date) -> list[dt.date]:
    dates = summary["date"].unique().sort().to_list()
    return [d for d in dates if d in (start, end) or (d.month == 1 and d.day == 1)]


def _caseload_table(summary: pl.DataFrame, start: dt.date, end: dt.date) -> list[str]:
    totals = summary.filter(pl.col("klantgroep") == TOTAL)
    gemeenten = [g for g in totals["gemeente"].unique(maintain_order=True).to_list()]
    title = "Bestand (uitkeringen met BUIG-financiering): mediaan (P10–P90)"
    if len(gemeenten) == 2:  # one gemeente and its identical total
        gemeenten = [g for g in gemeenten if g != TOTAL]
    elif len(gemeenten) - 1 > MAX_CHARTED:  # a table hundreds of columns wide helps nobody
        title += (
            f", {len(gemeenten) - 1} gemeenten samen; per gemeente: het overzicht in "
            f"{REPORT} en summary.csv"
        )
        gemeenten = [TOTAL]
    header = ["peildatum", *gemeenten]
    # one pass over the rows, not a filter per gemeente and date (390 gemeenten took seconds);
    # the first row of a (gemeente, date) is the one shown, as a filter's first row was
    cells: dict[tuple[str, dt.date], dict[str, Any]] = {}
    for r in totals.select("gemeente", "date", "p10", "p50", "p90").iter_rows(named=True):
        cells.setdefault((r["gemeente"], r["date"]), r)
    rows = []
    for day in _peildata(summary, start, end):
        row = [str(day)]
        for gemeente in gemeenten:
            r = cells[(gemeente, day)]
            row.append(f"{number(r['p50'])} ({number(r['p10'])}–{number(r['p90'])})")
        rows.append(row)
    return [title, *_table(header, rows)]


def _without_buig(manifest: dict[str, Any]) -> set[str]:
    """Klantgroepen whose benefits no gemeente pays from BUIG (sheltered work, say)."""
    groups = manifest.get("klantgroepen", [])
    buig = {k["klantgroep"] for k in groups if k["buig"]}
    return {k["klantgroep"] for k in groups} - buig


def _group_table(
    summary: pl.DataFrame, start: dt.date, end: dt.date, without_buig: set[str] | None = None
) -> list[str]:
    groups = summary.filter((pl.col("gemeente") == TOTAL) & (pl.col("klantgroep") != TOTAL))
    names = groups["klantgroep"].unique(maintain_order=True).to_list()
    without_buig = without_buig or set()
    rows = []
    for day in _peildata(summary, start, end):
        on_day = groups.filter(pl.col("date") == day)
        medians = dict(zip(on_day["klantgroep"].to_list(), on_day["p50"].to_list(), strict=True))
        rows.append([str(day), *(number(medians[n]) for n in names)])
    header = ["peildatum", *(f"{n}*" if n in without_buig else n for n in names)]
    legend = (
        ["  * geen BUIG: gesimuleerd, maar niet in het BUIG-bestand en niet in de lasten"]
        if without_buig & set(names)
        else []
    )
    return ["Bestand per klantgroep: mediaan", *_table(header, rows), *legend]


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
            year_label(r["year"], r["months"]),
            euro(r["mean"]),
            f"{millions(r['p10'])} – {millions(r['p90'])}",
        ]
        for r in yearly.iter_rows(named=True)
    ]
    return [
        "Bruto BUIG-lasten per jaar, alleen de gesimuleerde maanden: gemiddelde en P10–P90 "
        "(80% van de replicaties); de netto lasten tegen het budget staan hieronder",
        *_table(["jaar", "bruto lasten", "P10–P90"], rows),
    ]


# --- run -v: the detail behind the summary ------------------------------------------------------


def run_details(data: RunData) -> str:
    """Per gemeente and klantgroep, flows per year by route, and how the run went."""
    lines: list[str] = []
    for gemeente in aggregates.shown_gemeenten(data.summary):
        lines += [*_gemeente_groups(data, gemeente), ""]
    lines += [*_flow_table(data), "", *_timings(data.manifest)]
    return "\n".join(lines)


def _gemeente_groups(data: RunData, gemeente: str) -> list[str]:
    rows = data.summary.filter(pl.col("gemeente") == gemeente)
    names = [k for k in rows["klantgroep"].unique(maintain_order=True).to_list() if k != TOTAL]
    dates = aggregates.peildata(rows["date"].unique().sort().to_list(), data.start, data.end)
    body = []
    for day in dates:
        on_day = rows.filter(pl.col("date") == day)
        cells = dict(zip(on_day["klantgroep"], on_day.iter_rows(named=True), strict=True))
        body.append([str(day), *(_band_cell(cells[n]) for n in [*names, TOTAL])])
    title = "alle gemeenten" if gemeente == TOTAL else gemeente
    header = ["peildatum", *(label(n) for n in names), "totaal BUIG"]
    return [f"Bestand per klantgroep, {title}: mediaan (P10–P90)", *_table(header, body)]


def _band_cell(row: dict[str, Any]) -> str:
    return f"{number(row['p50'])} ({number(row['p10'])}–{number(row['p90'])})"


def _flow_table(data: RunData) -> list[str]:
    yearly = aggregates.yearly_flows(data)
    years = sorted(yearly["year"].unique().to_list())
    body = []
    for (kind, category), rows in yearly.group_by("kind", "category", maintain_order=True):
        values = dict(rows.select("year", "mean").iter_rows())
        body.append(
            [flow_name(str(kind), str(category)), *(number(values.get(y, 0.0), 1) for y in years)]
        )
    title = "Instroom en uitstroom van het BUIG-bestand per jaar: gemiddelde over replicaties"
    return [title, *_table(["", *(str(y) for y in years)], body)]


def _timings(manifest: dict[str, Any]) -> list[str]:
    timings = manifest.get("timings", {})
    names = {
        "prepare_s": "voorbereiden",
        "simulate_s": "simuleren",
        "write_s": "wegschrijven",
        "report_s": "rapport",
        "total_s": "totaal",
    }
    body = [[name, f"{number(timings[k], 2)} s"] for k, name in names.items() if k in timings]
    execution = manifest.get("execution", {})
    events = manifest.get("events", {})
    return [
        f"Rekentijd ({execution.get('workers', '?')} processen, "
        f"{execution.get('chunks', '?')} delen, {number(events.get('total_events', 0))} events)",
        *_table(["stap", "tijd"], body),
    ]
