"""The money chart of a run's report: BUIG lasten per year against the budget, and below it the
deficit, the vangnet and what remains. Each part is drawn only where finance.parquet has it: a
run without budget shows the lasten alone, a partial year shows its simulated months only."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from matplotlib.axes import Axes

from simbijstand.reporting import aggregates
from simbijstand.reporting.chartkit import (
    BLUE,
    GREEN,
    GREY,
    INK,
    ORANGE,
    VERMILLION,
    euro_axis,
    figure,
    legend_above,
    to_svg,
)
from simbijstand.reporting.numbers import chance_text, euro_mln, year_label
from simbijstand.reporting.rundata import RunData

PARTIAL = "#9CC5E3"  # a lighter blue: lasten of the simulated months of a partial year
NET, SIMULATED = "net_expenditure_eur", "expenditure_eur"


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    mean: float
    low: float
    high: float
    net: bool  # net lasten of a complete year, set against the budget


def year_labels(yearly: pl.DataFrame) -> list[str]:
    return [
        year_label(y, m, separator="\n")
        for y, m in zip(yearly["year"], yearly["months"], strict=True)
    ]


def finance_chart(data: RunData) -> str:
    """Yearly BUIG lasten with the budget; below, the deficit and vangnet where present."""
    yearly = aggregates.yearly_finance(data.finance)
    gap = "deficit_eur_mean" in yearly.columns and yearly["deficit_eur_mean"].is_not_null().any()
    with figure(height=7.6 if gap else 4.0) as fig:
        axes = fig.subplots(2 if gap else 1, 1, squeeze=False).ravel()
        _expenditure_panel(axes[0], yearly)
        if gap:
            _gap_panel(axes[1], yearly)
        fig.get_layout_engine().set(hspace=0.12)  # room between the panels' legends
        return to_svg(fig, "financien", "BUIG-lasten per jaar")


def expenditure_bars(yearly: pl.DataFrame) -> list[Bar]:
    """Per year the net lasten where known (complete years of a run with finance), else the
    simulated lasten."""
    has_net = f"{NET}_mean" in yearly.columns
    bars = []
    for x, row in enumerate(yearly.iter_rows(named=True)):
        column = NET if has_net and row[f"{NET}_mean"] is not None else SIMULATED
        stats = (row[f"{column}_{s}"] for s in ("mean", "p10", "p90"))
        bars.append(Bar(x, *stats, net=column == NET))
    return bars


def _expenditure_panel(ax: Axes, yearly: pl.DataFrame) -> None:
    bars = expenditure_bars(yearly)
    finance_run = any(b.net for b in bars)
    for net, colour, name in (
        (True, BLUE, "netto BUIG-lasten (gemiddeld)"),
        (False, PARTIAL if finance_run else BLUE, _simulated_name(finance_run)),
    ):
        chosen = [b for b in bars if b.net == net]
        if chosen:
            ax.bar([b.x for b in chosen], [b.mean for b in chosen], 0.55, color=colour, label=name)
    _interval(ax, bars, "80% zeker (P10–P90)")
    _budget(ax, yearly, bars)
    for bar in bars:
        ax.annotate(
            euro_mln(bar.mean),
            (bar.x, bar.high),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
        )
    budgets = _column(yearly, "budget_eur_mean")
    ax.set_ylim(0, max([b.high for b in bars] + budgets) * 1.15)
    euro_axis(ax, "euro per jaar")
    _years_axis(ax, yearly)
    legend_above(ax, columns=4)


def _years_axis(ax: Axes, yearly: pl.DataFrame) -> None:
    """Every year in its place, also one without bars (a partial year has no deficit)."""
    ax.set_xticks(range(yearly.height), year_labels(yearly))
    ax.set_xlim(-0.5, yearly.height - 0.5)


def _simulated_name(finance_run: bool) -> str:
    if finance_run:
        return "bruto BUIG-lasten, alleen gesimuleerde maanden"
    return "bruto BUIG-lasten (gemiddeld)"


def _interval(ax: Axes, bars: list[Bar], label: str | None = None) -> None:
    ax.errorbar(
        [b.x for b in bars],
        [b.mean for b in bars],
        yerr=[[max(b.mean - b.low, 0) for b in bars], [max(b.high - b.mean, 0) for b in bars]],
        fmt="none",
        ecolor=INK,
        capsize=4,
        linewidth=1.2,
        label=label,
    )


def _budget(ax: Axes, yearly: pl.DataFrame, bars: list[Bar]) -> None:
    """The budget as a line across each year it can be set against: a complete year in a run
    with net lasten, or any year with a budget in a run without."""
    if "budget_eur_mean" not in yearly.columns:
        return
    finance_run = any(b.net for b in bars)
    shown = [
        (bar.x, budget)
        for bar, budget in zip(bars, yearly["budget_eur_mean"], strict=True)
        if budget is not None and (bar.net or not finance_run)
    ]
    if shown:
        x = [s[0] for s in shown]
        ax.hlines(
            [s[1] for s in shown],
            [v - 0.36 for v in x],
            [v + 0.36 for v in x],
            color=ORANGE,
            linewidth=3,
            zorder=3,
            label="BUIG-budget",
        )


def _gap_panel(ax: Axes, yearly: pl.DataFrame) -> None:
    series = [
        (column, name, colour)
        for column, name, colour in (
            ("deficit_eur", "tekort (+) of overschot (−), gemiddeld", VERMILLION),
            ("vangnet_eur", "vangnetuitkering (gemiddeld)", GREEN),
            ("remaining_deficit_eur", "tekort voor eigen rekening, na vangnet (gemiddeld)", ORANGE),
        )
        if f"{column}_mean" in yearly.columns
    ]
    width = 0.8 / len(series)
    for i, (column, name, colour) in enumerate(series):
        shift = (i - (len(series) - 1) / 2) * width
        rows = list(enumerate(yearly.iter_rows(named=True)))
        known = [(x + shift, r) for x, r in rows if _drawn(column, r[f"{column}_mean"])]
        ax.bar(
            [o for o, _ in known],
            [r[f"{column}_mean"] for _, r in known],
            width * 0.92,
            color=colour,
            label=name,
        )
        if column == "deficit_eur":
            _interval(ax, [_deficit_bar(o, r) for o, r in known])
        else:  # a year with a deficit whose vangnet is undecided says so in the bar's place
            unknown = [
                x + shift
                for x, r in rows
                if r[f"{column}_mean"] is None and r["deficit_eur_mean"] is not None
            ]
            for offset in unknown:
                ax.annotate(
                    "onbekend",
                    (offset, 0),
                    xytext=(0, 4),
                    textcoords="offset points",
                    rotation=90,
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color=GREY,
                )
    ax.axhline(0, color=INK, linewidth=0.8)
    low, high = _span(yearly)
    ax.set_ylim(low, high)
    euro_axis(ax, "euro per jaar\n← overschot · tekort →")
    _years_axis(ax, yearly)
    _chances(ax, yearly, high)
    legend_above(ax, columns=len(series))


def _drawn(column: str, mean: float | None) -> bool:
    """A surplus is drawn once, as a deficit below zero; never as a remaining deficit."""
    return mean is not None and (column != "remaining_deficit_eur" or mean > 0)


def _deficit_bar(x: float, row: dict) -> Bar:
    return Bar(x, row["deficit_eur_mean"], row["deficit_eur_p10"], row["deficit_eur_p90"], True)


def _span(yearly: pl.DataFrame) -> tuple[float, float]:
    low = min([*_column(yearly, "deficit_eur_p10"), 0.0])
    high = max([*_column(yearly, "deficit_eur_p90"), 0.0])
    span = (high - low) or 1e6
    return low - 0.08 * span, high + 0.22 * span


def _chances(ax: Axes, yearly: pl.DataFrame, top: float) -> None:
    """Above each year: the chance of a vangnet claim, an upper bound where undecided, or why
    there is none."""
    for x, row in enumerate(yearly.iter_rows(named=True)):
        ax.annotate(
            chance_text(row),
            (x, top * 0.96 if top > 0 else top),
            ha="center",
            va="top",
            fontsize=9,
            color=INK if row.get("deficit_eur_mean") is not None else GREY,
        )


def _column(yearly: pl.DataFrame, column: str) -> list[float]:
    return yearly[column].drop_nulls().to_list() if column in yearly.columns else []
