"""finance_summary.csv: the finance of a run over replications, per gemeente and year.

One row per (gemeente, year, quantity) with the mean and quantiles over replications, like
summary.csv. Amounts end in `_eur`, percentages in `_pct`. The probabilities are quantities too:
`p_deficit_pct` (a deficit), `p_single_year_pct` (the single-year vangnet condition holds) and
`p_vangnet_pct` (eligible for the vangnet), in % of replications; their quantiles are empty.
The expected vangnet is the mean of `vangnet_eur`. A statistic over replications of which some
have no value (eligibility undecided) is left empty rather than computed on the rest, and
`replications` says how many had one. `totaal` sums the amounts of several gemeenten.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from simbijstand.finance.ledger import FinancePlan
from simbijstand.finance.vangnet import required_previous_years
from simbijstand.projections.summary import QUANTILES, TOTAL
from simbijstand.scenario.money import complete_years
from simbijstand.scenario.schema import Gemeente

AMOUNTS = (
    "expenditure_eur",
    "gross_expenditure_eur",
    "receipts_eur",
    "wage_subsidy_eur",
    "net_expenditure_eur",
    "budget_eur",
    "deficit_eur",
    "vangnet_eur",
    "remaining_deficit_eur",
)
PROBABILITIES = {
    "p_deficit_pct": pl.col("deficit_eur") > 0,
    "p_single_year_pct": pl.col("meets_single_year"),
    "p_vangnet_pct": pl.col("vangnet_eligible"),
}
QUANTITIES = (*AMOUNTS, "deficit_pct", *PROBABILITIES)
PROVISIONAL_NOTE = "alleen het voorlopige budget is bekend: het tekort is daarop berekend"
MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def per_replication(finance: pl.DataFrame) -> pl.DataFrame:
    """Long: replication, gemeente, year, quantity, value; probabilities as 0 or 100."""
    # A quantity that no replication has is left out (a partial year's deficit), except in a
    # gemeente's year with a deficit, where an empty vangnet means "not known" and must show.
    wide = finance.with_columns(
        pl.col(*AMOUNTS).cast(pl.Float64),
        *((expr.cast(pl.Float64) * 100).alias(name) for name, expr in PROBABILITIES.items()),
        pl.col("deficit_eur").is_not_null().alias("has_deficit"),
    )
    if finance["gemeente"].n_unique() > 1:
        wide = pl.concat([wide, _totals(wide)], how="diagonal_relaxed")
    long = wide.unpivot(
        on=list(QUANTITIES),
        index=["replication", "gemeente", "year", "has_deficit"],
        variable_name="quantity",
    )
    shown = pl.col("value").is_not_null().any().over("gemeente", "year", "quantity")
    return long.filter(shown | pl.col("has_deficit").any().over("gemeente", "year")).drop(
        "has_deficit"
    )


def _totals(wide: pl.DataFrame) -> pl.DataFrame:
    """Amounts summed over gemeenten; null when a gemeente has none (sum would hide that).
    Percentages and probabilities do not add up, so the total has none."""
    return wide.group_by("replication", "year").agg(
        pl.lit(TOTAL).alias("gemeente"),
        pl.lit(False).alias("has_deficit"),
        *(pl.when(pl.col(c).null_count() == 0).then(pl.col(c).sum()).alias(c) for c in AMOUNTS),
    )


def summarise(long: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Mean and quantiles of `value` per group; empty when any replication lacks a value."""
    complete = pl.col("value").null_count() == 0
    probability = pl.col("quantity").first().str.starts_with("p_")
    stats = [pl.when(complete).then(pl.col("value").mean()).alias("mean")]
    stats += [
        pl.when(complete & ~probability)
        .then(pl.col("value").quantile(q, interpolation="linear"))
        .alias(name)
        for name, q in QUANTILES.items()
    ]
    return long.group_by(*by, "quantity", maintain_order=True).agg(
        pl.col("value").count().alias("replications"), *stats
    )


def finance_summary(plan: FinancePlan, finance: pl.DataFrame) -> pl.DataFrame:
    """The table of finance_summary.csv: gemeente, year, quantity, replications, mean,
    p05 ... p95, note."""
    table = summarise(per_replication(finance), ["gemeente", "year"])
    notes = year_notes(plan, finance)
    order = {q: i for i, q in enumerate(QUANTITIES)}
    return (
        table.join(notes, on=["gemeente", "year"], how="left")
        .with_columns(pl.col("note").fill_null(""))
        .sort(
            pl.col("gemeente") == TOTAL,
            "gemeente",
            "year",
            pl.col("quantity").replace_strict(order, return_dtype=pl.Int32),
        )
    )


# --- notes ---------------------------------------------------------------------------------


def year_notes(plan: FinancePlan, finance: pl.DataFrame) -> pl.DataFrame:
    """One line per gemeente and year that needs explaining: gemeente, year, note."""
    first = finance.filter(pl.col("replication") == finance["replication"].min())
    undecided = finance.group_by("gemeente", "year").agg(
        pl.col("regime").is_not_null().any() & pl.col("vangnet_eligible").is_null().any()
    )
    undecided_set = {(g, y) for g, y, u in undecided.iter_rows() if u}
    rows = []
    for row in first.iter_rows(named=True):
        gemeente = plan.gemeenten[row["gemeente"]]
        notes = _months_note(plan, row) + _budget_note(row)
        if (row["gemeente"], row["year"]) in undecided_set:
            notes += _history_note(plan, gemeente, row["year"])
        if notes:
            rows.append((row["gemeente"], row["year"], "; ".join(notes)))
    return pl.DataFrame(
        rows, schema={"gemeente": pl.String, "year": pl.Int32, "note": pl.String}, orient="row"
    )


def _months_note(plan: FinancePlan, row: dict[str, Any]) -> list[str]:
    year, simulated, realised = row["year"], row["months"], row["realised_months"]
    if realised:
        return [f"{_span(1, realised)} gerealiseerd, {_span(realised + 1, 12)} gesimuleerd"]
    if row["complete"]:
        return []
    if year == plan.start.year:
        before = _span(1, plan.start.month - 1)
        return [
            f"alleen {_span(plan.start.month, plan.start.month + simulated - 1)} gesimuleerd; "
            f'zonder de lasten van {before} (realisatie."{year}".lasten) geen tekort'
        ]
    return [f"alleen {_span(1, simulated)} in de horizon; geen tekort over het hele jaar"]


def _budget_note(row: dict[str, Any]) -> list[str]:
    basis = row["budget_basis"]
    if basis is None:
        return ["geen budget in het scenario"] if row["complete"] else []
    if basis == "voorlopig":
        return [PROVISIONAL_NOTE]
    if basis in ("groei", "historisch"):
        return [f"budget: {basis} (zie budget_basis)"]
    return []


def _history_note(plan: FinancePlan, gemeente: Gemeente, year: int) -> list[str]:
    """Why eligibility is undecided in some replications: earlier results that are unknown."""
    years = required_previous_years(year, plan.chosen.get(year), plan.regimes)
    unknown = [y for y in years if not _result_known(plan, gemeente, y)]
    keys = ", ".join(f'realisatie."{y}".resultaat' for y in unknown if y < plan.start.year)
    listed = " en ".join(map(str, unknown))
    text = f"recht op vangnet soms onbekend: resultaat {listed} niet bekend (meerjarige voorwaarde)"
    return [f"{text}; geef {keys}" if keys else text]


def _result_known(plan: FinancePlan, gemeente: Gemeente, year: int) -> bool:
    if year >= plan.start.year:
        complete = complete_years(plan.start, plan.horizon_months, gemeente)
        return gemeente.budget is not None and year in complete
    realised = gemeente.realisatie.get(str(year))
    if realised is None:
        return False
    derivable = realised.lasten is not None and realised.budget is not None
    return realised.resultaat is not None or derivable


def _span(first: int, last: int) -> str:
    return (
        MONTHS_NL[first - 1] if first == last else f"{MONTHS_NL[first - 1]}–{MONTHS_NL[last - 1]}"
    )
