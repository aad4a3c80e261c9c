"""The charts of the comparison report: several runs side by side, each as inline SVG."""

from __future__ import annotations

import polars as pl
from matplotlib.axes import Axes

from simbijstand.projections import TOTAL
from simbijstand.reporting import aggregates
from simbijstand.reporting.chartkit import (
    INK,
    colours,
    count_axis,
    euro_axis,
    figure,
    legend_above,
    month_axis,
    observed_line,
    percent_axis,
    to_svg,
)
from simbijstand.reporting.charts import BAND_OUTER
from simbijstand.reporting.finance_charts import year_labels
from simbijstand.reporting.numbers import percent
from simbijstand.reporting.rundata import RunData


def caseload_medians(runs: list[RunData], names: list[str], baseline: int | None) -> str:
    """The median BUIG caseload of every run in one chart; the baseline's P10-P90 band behind
    them, and observed history where a run has it."""
    with figure(height=4.4) as fig:
        ax = fig.subplots()
        if baseline is not None:
            fan = aggregates.band(runs[baseline].summary, TOTAL)
            ax.fill_between(
                fan["date"].to_list(),
                fan["p10"],
                fan["p90"],
                color=BAND_OUTER,
                linewidth=0,
                label=f"80% zeker (P10–P90), {names[baseline]}",
            )
        history = next(
            (h for r in runs if (h := aggregates.history_of(r, TOTAL)) is not None), None
        )
        if history is not None:
            observed_line(ax, history["date"], history["count"])
        for run, name, colour, style in _series(runs, names, baseline):
            fan = aggregates.band(run.summary, TOTAL)
            ax.plot(
                fan["date"].to_list(),
                fan["p50"],
                color=colour,
                linewidth=2.2,
                linestyle=style,
                label=f"{name} (mediaan)",
            )
        first = min(min(r.summary["date"]) for r in runs)
        if history is not None:
            first = min(first, history["date"].min())
        month_axis(ax, first, max(max(r.summary["date"]) for r in runs))
        count_axis(ax, "uitkeringen (aantal)")
        legend_above(ax, columns=3)
        return to_svg(fig, "vergelijking-bestand", "Bestand per scenario (mediaan)")


def _series(
    runs: list[RunData], names: list[str], baseline: int | None
) -> list[tuple[RunData, str, str, str | tuple]]:
    """Colour and line style per run; the baseline is black, the others dashed in turn so the
    lines stay apart where colours are hard to tell."""
    palette = iter(colours(len(runs)))
    styles = ["-", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2))]
    result = []
    for i, (run, name) in enumerate(zip(runs, names, strict=True)):
        colour = INK if i == baseline else next(palette)
        result.append((run, name, colour, "-" if i == baseline else styles[i % len(styles)]))
    return result


def yearly_bars(
    yearly: dict[str, pl.DataFrame], column: str, axis_label: str, description: str, key: str
) -> str:
    """Grouped bars per year, one per scenario: the mean of `column` with its P10-P90 range;
    no bar where a run has no value (a partial year)."""
    names = list(yearly)
    years = _years(yearly)
    width = 0.8 / len(names)
    with figure(height=4.2) as fig:
        ax = fig.subplots()
        for i, (name, colour) in enumerate(zip(names, colours(len(names)), strict=True)):
            rows = _aligned(yearly[name], years).with_columns(
                x=pl.int_range(pl.len()) + _shift(i, len(names), width)
            )
            rows = rows.filter(pl.col(f"{column}_mean").is_not_null())
            mean = rows[f"{column}_mean"]
            ax.bar(rows["x"], mean, width * 0.9, color=colour, label=name)
            low = (mean - rows[f"{column}_p10"]).clip(lower_bound=0)
            high = (rows[f"{column}_p90"] - mean).clip(lower_bound=0)
            ax.errorbar(
                rows["x"], mean, yerr=[low, high], fmt="none", ecolor=INK, capsize=3, linewidth=1.1
            )
        ax.axhline(0, color=INK, linewidth=0.8)
        euro_axis(ax, axis_label)
        ax.set_xticks(range(len(years)), year_labels(_year_frame(yearly, years)))
        ax.set_xlim(-0.5, len(years) - 0.5)
        legend_above(ax, columns=min(len(names), 4))
        return to_svg(fig, key, description)


def _shift(i: int, scenarios: int, width: float) -> float:
    """Where scenario i's bar sits beside its year's tick, the group centred on the tick."""
    return (i - (scenarios - 1) / 2) * width


def vangnet_chances(yearly: dict[str, pl.DataFrame]) -> str:
    """The share of replications with a vangnet claim, per year and scenario, labelled; where
    eligibility is undecided, a hatched bar up to its upper bound."""
    names = list(yearly)
    years = _years(yearly)
    width = 0.8 / len(names)
    with figure(height=3.8) as fig:
        ax = fig.subplots()
        for i, (name, colour) in enumerate(zip(names, colours(len(names)), strict=True)):
            rows = _aligned(yearly[name], years)
            x = [j + _shift(i, len(names), width) for j in range(len(years))]
            exact = rows["p_vangnet"].to_list()
            bound = _bounds(rows)
            ax.bar(x, [e or 0 for e in exact], width * 0.9, color=colour, label=name)
            ax.bar(
                x,
                [b or 0 for b in bound],
                width * 0.9,
                facecolor="none",
                edgecolor=colour,
                hatch="///",
                linewidth=1,
            )
            _label_bars(ax, x, exact, bound)
        percent_axis(ax, "kans op een vangnetuitkering")
        ax.set_xticks(range(len(years)), year_labels(_year_frame(yearly, years)))
        ax.set_xlim(-0.5, len(years) - 0.5)
        legend_above(ax, columns=min(len(names), 4))
        return to_svg(fig, "vergelijking-vangnet", "Kans op een vangnetuitkering per jaar")


def _bounds(rows: pl.DataFrame) -> list[float | None]:
    if "p_vangnet_max" not in rows.columns:
        return [None] * rows.height
    return rows["p_vangnet_max"].to_list()


def _label_bars(
    ax: Axes, x: list[float], exact: list[float | None], bound: list[float | None]
) -> None:
    for xi, chance, most in zip(x, exact, bound, strict=True):
        if chance is not None:
            text, height = percent(chance), chance
        elif most is not None:
            text, height = f"≤ {percent(most)}", most
        else:
            text, height = "–", 0.0
        ax.annotate(
            text,
            (xi, height),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8.5,
        )


def _years(yearly: dict[str, pl.DataFrame]) -> list[int]:
    return sorted({y for frame in yearly.values() for y in frame["year"].to_list()})


def _aligned(frame: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """One row per year in `years` (nulls where this run has no such year)."""
    return pl.DataFrame({"year": years}, schema={"year": frame.schema["year"]}).join(
        frame, on="year", how="left"
    )


def _year_frame(yearly: dict[str, pl.DataFrame], years: list[int]) -> pl.DataFrame:
    """year and months per year over all runs (the fewest months where runs differ)."""
    months = pl.concat([f.select("year", "months") for f in yearly.values()])
    return (
        months.group_by("year")
        .agg(pl.col("months").min())
        .filter(pl.col("year").is_in(years))
        .sort("year")
    )
