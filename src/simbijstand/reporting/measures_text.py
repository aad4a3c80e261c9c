"""The measures (trajecten) block of the terminal summary, in Dutch: per measure and year what
capacity and queue did, what waiting cost in time, and what the measure cost."""

from __future__ import annotations

import polars as pl

from simbijstand.reporting.numbers import euro, number
from simbijstand.reporting.table import table


def measures_block(measures: pl.DataFrame | None) -> list[str]:
    """Lines for the summary; none when the scenario has no measures. Years in which a measure
    had no clients, no queue and no cost (it had not opened yet) are left out."""
    if measures is None or measures.is_empty():
        return []
    yearly = _yearly(measures)
    header = [
        "traject",
        "jaar",
        "deelnemers",
        "wachtrij",
        "gestart",
        "afgerond",
        "wachttijd (dagen)",
        "kosten",
    ]
    rows = [
        [
            r["traject"],
            str(r["year"]),
            number(r["participants"]),
            number(r["queue"]),
            number(r["starts"]),
            number(r["completed"]),
            "–" if r["wait"] is None else number(r["wait"]),
            euro(r["cost"]),
        ]
        for r in yearly.iter_rows(named=True)
    ]
    return [
        "",
        "Trajecten per jaar: gemiddelde over replicaties (kosten uit het Participatiebudget)",
        *table(header, rows),
        "  deelnemers en wachtrij: gemiddeld aantal op de eerste van de maand; wachttijd: "
        "gemiddeld over wie startte",
    ]


def _yearly(measures: pl.DataFrame) -> pl.DataFrame:
    # the mean wait weighs each month by its starts, so it is the mean over everyone who started
    per_replication = (
        measures.with_columns(
            year=pl.col("month").dt.year(),
            waited=pl.col("mean_wait_days").fill_null(0.0) * pl.col("starts"),
        )
        .group_by("traject", "year", "replication")
        .agg(
            pl.col("participants").mean(),
            pl.col("queue").mean(),
            pl.col("starts").sum(),
            pl.col("completed").sum(),
            pl.col("waited").sum(),
            pl.col("cost_eur").sum().alias("cost"),
        )
    )
    return (
        per_replication.group_by("traject", "year", maintain_order=False)
        .agg(
            pl.col("participants").mean(),
            pl.col("queue").mean(),
            pl.col("starts").mean(),
            pl.col("completed").mean(),
            (pl.col("waited").sum() / pl.col("starts").sum()).alias("wait"),
            pl.col("cost").mean(),
        )
        .with_columns(pl.when(pl.col("starts") > 0).then(pl.col("wait")).alias("wait"))
        .filter((pl.col("cost") > 0) | (pl.col("participants") > 0) | (pl.col("queue") > 0))
        .sort("traject", "year")
    )
