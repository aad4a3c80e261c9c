"""The charts of a run's report, each returned as an inline SVG string."""

from __future__ import annotations

import datetime as dt
import math

import matplotlib.dates as mdates
import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection

from simbijstand.projections import TOTAL
from simbijstand.reporting import aggregates
from simbijstand.reporting.chartkit import (
    BLUE,
    GREY,
    INK,
    SKY,
    VERMILLION,
    count_axis,
    figure,
    legend_above,
    month_axis,
    observed_line,
    route_colour,
    signed_counts,
    to_svg,
)
from simbijstand.reporting.numbers import gemeente_title, label, number
from simbijstand.reporting.rundata import RunData

BAND_OUTER, BAND_INNER = "#A6CEE8", "#5DA4D3"  # light and mid blue around the dark median


def caseload_fan(data: RunData) -> str:
    """Median and P25-P75 and P10-P90 bands per gemeente shown, after the observed history.

    With several gemeenten their total comes first, full width, then the gemeenten two by two."""
    gemeenten = aggregates.shown_gemeenten(data.summary)
    if len(gemeenten) == 1:
        with figure(height=4.2) as fig:
            ax = fig.subplots()
            _fan_panel(ax, data, gemeenten[0], small=False)
            legend_above(ax, columns=5)
            return to_svg(fig, "bestand", "Bestand met onzekerheidsbanden")
    parts = [g for g in gemeenten if g != TOTAL]
    rows = 1 + math.ceil(len(parts) / 2)
    with figure(height=3.2 * rows + 0.5) as fig:
        grid = fig.add_gridspec(rows, 2)
        total = fig.add_subplot(grid[0, :])
        _fan_panel(total, data, TOTAL, small=False)
        for i, gemeente in enumerate(parts):
            _fan_panel(fig.add_subplot(grid[1 + i // 2, i % 2]), data, gemeente, small=True)
        handles, labels = total.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper left", ncol=5)
        return to_svg(fig, "bestand", "Bestand met onzekerheidsbanden per gemeente")


def _fan_panel(ax: Axes, data: RunData, gemeente: str, *, small: bool) -> None:
    fan = aggregates.band(data.summary, gemeente)
    dates = fan["date"].to_list()
    history = _recent(aggregates.history_of(data, gemeente), data)
    if history is not None:
        observed_line(ax, history["date"], history["count"])
    ax.fill_between(
        dates, fan["p10"], fan["p90"], color=BAND_OUTER, linewidth=0, label="80% zeker (P10–P90)"
    )
    ax.fill_between(
        dates, fan["p25"], fan["p75"], color=BAND_INNER, linewidth=0, label="50% zeker (P25–P75)"
    )
    ax.plot(dates, fan["p50"], color=BLUE, linewidth=2.2, label="mediaan")
    ax.axvline(data.start, color=GREY, linewidth=1, linestyle=(0, (4, 3)), label="start prognose")
    _label_end(ax, dates[-1], fan.row(-1, named=True))
    first = min(history["date"].min(), dates[0]) if history is not None else dates[0]
    month_axis(ax, first, dates[-1], max_ticks=8 if small else 16)
    # A margin before the first date, so the start line is not hidden under the y-axis.
    margin = dt.timedelta(days=max(15, (dates[-1] - first).days // 40))
    ax.set_xlim(first - margin, _months_after(dates[-1], 6 if small else 4))
    count_axis(ax, "uitkeringen (aantal)")
    if len(data.gemeenten) > 1:
        ax.set_title(gemeente_title(gemeente))


def _label_end(ax: Axes, day: dt.date, last: dict[str, float]) -> None:
    """The last median and its P10-P90 range, written at the end of the line."""
    ax.annotate(
        f"{number(last['p50'])}\n({number(last['p10'])}–{number(last['p90'])})",
        xy=(day, last["p50"]),
        xytext=(5, 0),
        textcoords="offset points",
        va="center",
        fontsize=9,
        color=BLUE,
    )


def _months_after(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def klantgroepen_chart(data: RunData) -> str:
    """One small panel per klantgroep: median and P10-P90 over all gemeenten, from zero."""
    groups = aggregates.klantgroepen(data.summary)
    buig = {k for _, k in data.buig_groups}
    columns = 3 if len(groups) > 4 else 2
    rows = math.ceil(len(groups) / columns)
    height = 2.5 * rows + 0.2
    with figure(height=height, constrained=False) as fig:
        margins = {
            "left": 0.075,
            "right": 0.985,
            "top": 1 - 0.55 / height,
            "bottom": 0.5 / height,
            "wspace": 0.22,
            "hspace": 0.6,
        }
        axes = fig.subplots(rows, columns, squeeze=False, sharex=True, gridspec_kw=margins)
        for ax, group in zip(axes.ravel(), groups, strict=False):
            _group_panel(ax, aggregates.band(data.summary, TOTAL, group), group, group in buig)
        for ax in axes.ravel()[len(groups) :]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("uitkeringen")
        for ax in axes.ravel()[len(groups) - columns : len(groups)]:
            ax.xaxis.set_tick_params(labelbottom=True)  # the lowest panel of every column
        return to_svg(fig, "klantgroepen", "Bestand per klantgroep")


def _group_panel(ax: Axes, fan: pl.DataFrame, group: str, buig: bool) -> None:
    dates = fan["date"].to_list()
    ax.fill_between(dates, fan["p10"], fan["p90"], color=BAND_OUTER, linewidth=0)
    ax.plot(dates, fan["p50"], color=BLUE, linewidth=2)
    ax.set_ylim(0, max(fan["p90"].max() * 1.15, 5))
    count_axis(ax, "")
    month_axis(ax, dates[0], dates[-1], max_ticks=5)
    suffix = "" if buig else " (geen BUIG)"
    start, end = fan["p50"][0], fan["p50"][-1]
    ax.set_title(f"{label(group)}{suffix}\n{number(start)} → {number(end)}", fontsize=10)


def flows_chart(data: RunData) -> str:
    """Mean inflow (up) and outflow per route (down) per month, stacked, with the balance."""
    flows = aggregates.monthly_flows(data)
    wide = _every_month(data, flows)
    months = wide["month"].to_list()
    inflow = [c for c in (aggregates.INFLOW, aggregates.FROM_OTHER) if c in wide.columns]
    outflow = _by_size(flows.filter(pl.col("kind") == "uit"))
    with figure(height=4.6) as fig:
        ax = fig.subplots()
        _stacked_bars(ax, wide, inflow, [BLUE, SKY][: len(inflow)], sign=1)
        _stacked_bars(ax, wide, outflow, [route_colour(r) for r in outflow], sign=-1)
        ax.plot(
            months,
            _balance(wide, inflow, outflow),
            color=INK,
            linewidth=1.6,
            marker="o",
            markersize=2.5,
            label="saldo (in − uit)",
        )
        ax.axhline(0, color=INK, linewidth=0.8)
        count_axis(ax, "uitkeringen per maand (gemiddeld)\n← uitstroom · instroom →")
        ax.yaxis.set_major_formatter(signed_counts())
        month_axis(ax, months[0], months[-1])
        ax.set_xlim(_days(months[0], -20), _days(months[-1], 20))
        legend_above(ax, columns=4)
        return to_svg(fig, "stromen", "Instroom en uitstroom per maand")


def _stacked_bars(
    ax: Axes, wide: pl.DataFrame, categories: list[str], palette: list[str], sign: int
) -> None:
    """One collection of monthly bars per category, stacked away from zero (up for sign 1).

    A PolyCollection per category, not ax.bar: one artist instead of one per month keeps a
    report of a long horizon fast."""
    left = mdates.date2num(wide["month"].to_list()) - 12  # bars 24 days wide, centred
    base = np.zeros(wide.height)
    for category, colour in zip(categories, palette, strict=True):
        top = base + sign * wide[category].to_numpy()
        boxes = [
            [(x, b), (x + 24, b), (x + 24, t), (x, t)]
            for x, b, t in zip(left, base, top, strict=True)
        ]
        name = category if sign > 0 else f"uitstroom: {label(category)}"
        ax.add_collection(PolyCollection(boxes, facecolors=colour, linewidths=0, label=name))
        base = top
    ax.autoscale_view()


def _days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def _by_size(outflow: pl.DataFrame) -> list[str]:
    """Outflow categories, largest first, so the big routes sit next to the zero line."""
    totals = outflow.group_by("category").agg(pl.col("mean").sum()).sort("mean", descending=True)
    return totals["category"].to_list()


def _every_month(data: RunData, flows: pl.DataFrame) -> pl.DataFrame:
    """month and one column per category, for every simulated month (zero without flows)."""
    months = pl.DataFrame({"month": sorted(data.summary["date"].unique())[:-1]})
    if flows.height == 0:
        return months
    wide = flows.pivot(on="category", index="month", values="mean")
    return months.join(wide, on="month", how="left").fill_null(0).sort("month")


def _balance(wide: pl.DataFrame, inflow: list[str], outflow: list[str]) -> list[float]:
    signed = [pl.col(c) for c in inflow] + [-pl.col(c) for c in outflow]
    if not signed:
        return [0.0] * wide.height
    return wide.select(pl.sum_horizontal(signed)).to_series().to_list()


HISTORY_MONTHS = 24  # at least this much observed history before the start, or the horizon


def _recent(history: pl.DataFrame | None, data: RunData) -> pl.DataFrame | None:
    """The observed history shown: no longer than the forecast (or two years), so that a long
    series does not squeeze the forecast into a corner."""
    if history is None:
        return None
    months = max(HISTORY_MONTHS, int(data.manifest["horizon"]["months"]))
    shown = history.filter(pl.col("date") >= _months_after(data.start, -months))
    return shown if shown.height else None


def measures_chart(data: RunData) -> str | None:
    """Participants and queue per month, one panel per traject; None without trajecten."""
    monthly = aggregates.monthly_measures(data)
    if monthly is None or monthly.height == 0:
        return None
    names = monthly["traject"].unique(maintain_order=True).sort().to_list()
    columns = min(len(names), 2)
    rows = math.ceil(len(names) / columns)
    with figure(height=3.0 * rows + 0.5) as fig:
        axes = fig.subplots(rows, columns, squeeze=False).ravel()
        for ax, name in zip(axes, names, strict=False):
            one = monthly.filter(pl.col("traject") == name)
            ax.plot(one["month"], one["participants"], color=BLUE, linewidth=2, label="deelnemers")
            ax.plot(
                one["month"],
                one["queue"],
                color=VERMILLION,
                linewidth=2,
                linestyle=(0, (4, 2)),
                label="wachtrij",
            )
            ax.set_ylim(0, max(one["participants"].max(), one["queue"].max(), 1) * 1.15)
            ax.set_title(label(name), fontsize=10)
            count_axis(ax, "cliënten (gemiddeld)")
            month_axis(ax, one["month"].min(), one["month"].max(), max_ticks=16 // columns)
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper left", ncol=2)
        return to_svg(fig, "trajecten", "Deelnemers en wachtrij per traject")
