"""The key-figure tables of a report. Every figure carries its exact value and a key
(`data-key`, `data-value`), so tests and scripts can check the page against summary.csv and
finance.parquet without parsing Dutch number formats."""

from __future__ import annotations

import polars as pl

from simbijstand.projections import TOTAL
from simbijstand.reporting import aggregates
from simbijstand.reporting.html import Cell, esc, table
from simbijstand.reporting.numbers import (
    chance_text,
    date_nl,
    euro,
    euro_mln,
    flow_name,
    gemeente_title,
    label,
    month_nl,
    number,
    percent,
    result_text,
    year_label,
)
from simbijstand.reporting.rundata import RunData

# (column of aggregates.yearly_finance, header, format), in two tables so both fit the page.
# Gross (the simulated months, before receipts) and net (the full year, set against the budget)
# are different quantities and named so.
EXPENDITURE_COLUMNS = (
    ("expenditure_eur_mean", "bruto lasten, gesimuleerde maanden (gem.)", "euro"),
    ("expenditure_eur_p10", "P10", "euro"),
    ("expenditure_eur_p90", "P90", "euro"),
    ("net_expenditure_eur_mean", "netto lasten, tegen het budget (gem.)", "euro"),
    ("budget_eur_mean", "budget (gem.)", "euro"),
)
GAP_COLUMNS = (
    ("deficit_eur_mean", "tekort (gem.; − = overschot)", "euro"),
    ("deficit_eur_p10", "P10", "euro"),
    ("deficit_eur_p90", "P90", "euro"),
    ("p_deficit", "kans op tekort", "percent"),
    ("p_vangnet", "kans op vangnet", "percent"),
    ("vangnet_eur_mean", "vangnet (gem.)", "euro"),
    ("remaining_deficit_eur_mean", "tekort na vangnet (gem.)", "result"),
)


def caseload_table(data: RunData) -> str:
    """Median, P10 and P90 of the BUIG caseload per peildatum and gemeente shown."""
    gemeenten = aggregates.shown_gemeenten(data.summary)
    dates = aggregates.peildata(
        data.summary["date"].unique().sort().to_list(), data.start, data.end
    )
    rows: list[list[Cell | str]] = []
    for day in dates:
        row: list[Cell | str] = [date_nl(day)]
        for gemeente in gemeenten:
            found = aggregates.band(data.summary, gemeente).filter(pl.col("date") == day)
            row += [_count(f"bestand|{gemeente}|{day}|{q}", found[q][0]) for q in QUANTILES]
        rows.append(row)
    header = ["peildatum"]
    for gemeente in gemeenten:
        name = f"{gemeente_title(gemeente)}: mediaan" if len(gemeenten) > 1 else "mediaan"
        header += [name, "P10", "P90"]
    return table(header, rows, "bestand")


QUANTILES = ("p50", "p10", "p90")


def groups_table(data: RunData) -> str:
    """Median caseload per klantgroep (all gemeenten together) per peildatum."""
    groups = aggregates.klantgroepen(data.summary)
    dates = aggregates.peildata(
        data.summary["date"].unique().sort().to_list(), data.start, data.end
    )
    rows: list[list[Cell | str]] = []
    for day in dates:
        on_day = data.summary.filter((pl.col("gemeente") == TOTAL) & (pl.col("date") == day))
        medians = dict(zip(on_day["klantgroep"], on_day["p50"], strict=True))
        row: list[Cell | str] = [date_nl(day)]
        row += [_count(f"klantgroep|{g}|{day}|p50", medians[g]) for g in [*groups, TOTAL]]
        rows.append(row)
    buig = {k for _, k in data.buig_groups}
    names = [label(g) if g in buig else f"{label(g)} (geen BUIG)" for g in groups]
    header = ["peildatum", *names, "totaal BUIG"]
    return table(header, rows, "klantgroepen")


def flows_table(data: RunData) -> str:
    """Mean yearly in- and outflow of the BUIG caseload by category, and the balance."""
    yearly = aggregates.yearly_flows(data)
    years = sorted(yearly["year"].unique().to_list())
    rows: list[list[Cell | str]] = []
    for (kind, category), group in yearly.group_by("kind", "category", maintain_order=True):
        values = dict(group.select("year", "mean").iter_rows())
        row: list[Cell | str] = [flow_name(str(kind), str(category))]
        row += [_count(f"stroom|{kind}|{category}|{y}", values.get(y, 0.0)) for y in years]
        rows.append(row)
    return table(["gemiddeld per jaar", *(str(y) for y in years)], rows, "stromen")


def finance_tables(data: RunData) -> list[str]:
    """BUIG expenditure (and budget) per year; deficit and vangnet where the run has them."""
    yearly = aggregates.yearly_finance(data.finance)
    parts = [_yearly_table(without_partial_budgets(yearly), EXPENDITURE_COLUMNS, "financien")]
    if has_values(yearly, "deficit_eur_mean"):
        parts += [
            "<h3>Tekort en vangnet per jaar</h3>",
            _yearly_table(yearly, GAP_COLUMNS, "tekort"),
        ]
    elif "budget_eur_mean" in yearly.columns:
        parts.append(
            "<p>Het scenario geeft geen BUIG-budget: tekort en vangnet zijn niet berekend.</p>"
        )
    return parts


def without_partial_budgets(yearly: pl.DataFrame) -> pl.DataFrame:
    """No full-year budget beside the cost of part of a year: where a year has no net lasten
    (months before the start not given, or the horizon ends in it), its budget is left out."""
    if "budget_eur_mean" not in yearly.columns or "net_expenditure_eur_mean" not in yearly.columns:
        return yearly
    partial = pl.col("net_expenditure_eur_mean").is_null() & (pl.col("months") < 12)
    return yearly.with_columns(
        pl.when(partial).then(None).otherwise(pl.col("budget_eur_mean")).alias("budget_eur_mean")
    )


def has_values(frame: pl.DataFrame, column: str) -> bool:
    """Whether a column has a figure (or an upper bound) in some year: a column of dashes only
    says nothing, as when a scenario has no budget."""
    return any(
        c in frame.columns and frame[c].null_count() < frame.height
        for c in (column, f"{column}_max")
    )


def _yearly_table(yearly: pl.DataFrame, wanted: tuple[tuple[str, str, str], ...], name: str) -> str:
    columns = [c for c in wanted if has_values(yearly, c[0])]
    rows: list[list[Cell | str]] = []
    for record in yearly.iter_rows(named=True):
        year = record["year"]
        row: list[Cell | str] = [year_label(year, record["months"])]
        row += [
            _money_or_share(f"financien|{year}|{c}", record[c], kind, record.get(f"{c}_max"))
            for c, _, kind in columns
        ]
        rows.append(row)
    return table(["jaar", *(h for _, h, _ in columns)], rows, name)


def _money_or_share(key: str, value: float | None, kind: str, bound: float | None = None) -> Cell:
    """A figure; none (a partial year) shows a dash, an undecided chance its upper bound."""
    if value is None:
        if bound is not None:
            return Cell(f"≤ {percent(bound)}", f"{key}_max", float(bound))
        return Cell("–")
    if kind == "percent":
        text = percent(value)
    else:
        text = result_text(value, euro) if kind == "result" else euro(value)
    return Cell(text, key, float(value))


def _count(key: str, value: float) -> Cell:
    return Cell(number(value), key, float(value))


def headline(data: RunData) -> list[str]:
    """The sentences a reader takes away, as HTML list items."""
    items = []
    for gemeente in aggregates.shown_gemeenten(data.summary):
        fan = aggregates.band(data.summary, gemeente)
        first, last = fan.row(0, named=True), fan.row(-1, named=True)
        where = f"{esc(gemeente_title(gemeente))}: het" if len(data.gemeenten) > 1 else "Het"
        items.append(
            f"{where} bestand {_direction(first['p50'], last['p50'])} van "
            f"<strong>{number(first['p50'])}</strong> uitkeringen op {date_nl(first['date'])} "
            f"naar <strong>{number(last['p50'])}</strong> op {date_nl(last['date'])} "
            f"(80% zeker: tussen {number(last['p10'])} en {number(last['p90'])})"
            f"{_peak(fan, first['p50'], last['p50'])}."
        )
    items.append(_finance_headline(aggregates.yearly_finance(data.finance)))
    return items


def _peak(fan: pl.DataFrame, first: float, last: float) -> str:
    """Mention a top or a dip in between that stands out from both ends (2% or more)."""
    top, bottom = (
        fan.row(fan["p50"].arg_max(), named=True),
        fan.row(fan["p50"].arg_min(), named=True),
    )
    if top["p50"] >= 1.02 * max(first, last):
        return f", met een hoogtepunt van {number(top['p50'])} rond {month_nl(top['date'])}"
    if bottom["p50"] <= 0.98 * min(first, last):
        return f", met een dal van {number(bottom['p50'])} rond {month_nl(bottom['date'])}"
    return ""


def _direction(first: float, last: float) -> str:
    if abs(last - first) <= 0.01 * first:
        return "blijft naar verwachting ongeveer gelijk: het gaat"
    return "stijgt naar verwachting" if last > first else "daalt naar verwachting"


def _finance_headline(yearly: pl.DataFrame) -> str:
    """The last full year's cost: the net lasten that are set against the budget where the run
    has them, else the simulated (gross) lasten, named as such."""
    full = yearly.filter(pl.col("months") == 12)
    last = (full if full.height else yearly).row(-1, named=True)
    if last.get("net_expenditure_eur_mean") is not None:
        column, what = "net_expenditure_eur", "Netto BUIG-lasten (gezet tegen het budget)"
    else:
        column, what = "expenditure_eur", "BUIG-lasten (bruto, gesimuleerd)"
    text = (
        f"{what} {last['year']}: gemiddeld <strong>{euro_mln(last[f'{column}_mean'])}"
        f"</strong> (80% zeker: tussen {euro_mln(last[f'{column}_p10'])} en "
        f"{euro_mln(last[f'{column}_p90'])})"
    )
    if last.get("budget_eur_mean") is not None and column == "net_expenditure_eur":
        text += f", tegen een budget van {euro_mln(last['budget_eur_mean'])}"
    if last.get("p_deficit") is not None:
        text += f"; kans op een tekort {percent(last['p_deficit'])}"
    chance = chance_text(last)
    if chance.startswith("kans op vangnet"):
        text += ", " + chance.replace("kans op vangnet:", "kans op een vangnetuitkering")
    return text + "."


def measures_cost_table(data: RunData) -> str:
    """Mean cost per traject and year; empty without trajecten."""
    cost = aggregates.yearly_measures_cost(data)
    if cost is None or cost.height == 0:
        return ""
    years = sorted(cost["year"].unique().to_list())
    rows: list[list[Cell | str]] = []
    for name in sorted(cost["traject"].unique().to_list()):
        values = dict(cost.filter(traject=name).select("year", "cost_eur").iter_rows())
        row: list[Cell | str] = [label(name)]
        row += [_money_or_share(f"traject|{name}|{y}", values.get(y, 0.0), "euro") for y in years]
        rows.append(row)
    return table(["traject", *(str(y) for y in years)], rows, "trajecten")
