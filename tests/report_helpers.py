"""Helpers for the report tests: hand-made additions to a run directory, standing in for outputs
other parts of simbijstand will write (finance columns with budget, deficit and vangnet;
trajecten.parquet for measures), and reading the figures of a page back."""

from __future__ import annotations

import datetime as dt
import html.parser
from pathlib import Path

import numpy as np
import polars as pl

# Steenwijkerland's definitive BUIG budgets (calibration/steenwijkerland/bron), lowered 10% so
# that deficits and vangnet claims occur.
BUDGETS = {2020: 0.9 * 11_805_798 / 2, 2021: 0.9 * 12_647_305, 2022: 0.9 * 12_941_365}
BUDGETS[2023] = BUDGETS[2022]


def add_finance_columns(run_dir: Path, budgets: dict[int, float] | None = None) -> pl.DataFrame:
    """Rewrite finance.parquet with budget_eur, deficit_eur, vangnet_eligible, vangnet_eur and
    remaining_deficit_eur, by the single-year rule of the 2019 regime (own risk 7.5% of the
    budget, half of 7.5-12.5%, all above); returns the new table."""
    budgets = budgets or BUDGETS
    finance = simulated_only(run_dir)
    budget = pl.col("year").replace_strict(budgets, return_dtype=pl.Float64)
    deficit = pl.col("expenditure_eur") - pl.col("budget_eur")
    share = pl.col("deficit_eur") / pl.col("budget_eur")
    tier = (share.clip(0.075, 0.125) - 0.075) * 0.5 + (share - 0.125).clip(lower_bound=0)
    finance = (
        finance.with_columns(budget_eur=budget)
        .with_columns(deficit_eur=deficit)
        .with_columns(vangnet_eligible=share > 0.075)
        .with_columns(
            vangnet_eur=pl.when("vangnet_eligible").then(tier * pl.col("budget_eur")).otherwise(0.0)
        )
        .with_columns(remaining_deficit_eur=pl.col("deficit_eur") - pl.col("vangnet_eur"))
    )
    finance.write_parquet(run_dir / "finance.parquet")
    return finance


SIMULATED = ("replication", "year", "gemeente", "months", "benefit_months", "expenditure_eur")


def simulated_only(run_dir: Path) -> pl.DataFrame:
    """Rewrite finance.parquet with the simulated expenditure only, as a run without budget
    (or of an older simbijstand) has it; returns the new table."""
    finance = pl.read_parquet(run_dir / "finance.parquet").select(SIMULATED)
    finance.write_parquet(run_dir / "finance.parquet")
    return finance


def write_trajecten(run_dir: Path, replications: int, start: dt.date, months: int) -> pl.DataFrame:
    """trajecten.parquet: two measures whose participants fill to capacity and whose queue grows."""
    rng = np.random.default_rng(7)
    rows = []
    for traject, capacity, intake in (("parttime naar fulltime", 100, 9), ("jongeren", 40, 5)):
        for r in range(replications):
            queue = 0.0
            for m in range(months):
                month = dt.date(
                    start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1, 1
                )
                participants = min(capacity, intake * (m + 1))
                queue = max(0.0, queue + rng.poisson(intake) - (capacity - participants) - 4)
                rows.append(
                    (
                        r,
                        month,
                        "Steenwijkerland",
                        traject,
                        participants,
                        int(queue),
                        participants * 250.0,
                    )
                )
    frame = pl.DataFrame(
        rows,
        schema={
            "replication": pl.Int32,
            "month": pl.Date,
            "gemeente": pl.String,
            "traject": pl.String,
            "participants": pl.Int64,
            "queue": pl.Int64,
            "cost_eur": pl.Float64,
        },
        orient="row",
    )
    frame.write_parquet(run_dir / "trajecten.parquet")
    return frame


class _Figures(html.parser.HTMLParser):
    """data-key -> data-value of every figure in a page, and the ids of its sections."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, float] = {}
        self.sections: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "data-key" in found:
            self.values[str(found["data-key"])] = float(str(found["data-value"]))
        if tag == "section":
            self.sections.append(str(found["id"]))


def figures(page: Path) -> _Figures:
    parser = _Figures()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser
