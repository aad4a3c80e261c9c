"""The figures the reports show, computed from a run's tables (polars, no plotting here).

Means over replications divide by the run's number of replications, not by the rows present:
flows.parquet and trajecten.parquet leave out zero counts.

The same run must give the same report byte for byte, so floats are only summed over rows in a
fixed order: counts are summed as integers and divided last, and tables are sorted before they
are aggregated again (polars returns groups, and joins return rows, in no fixed order).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from simbijstand.projections import TOTAL
from simbijstand.reporting.rundata import RunData

BAND_COLUMNS = ("p10", "p25", "p50", "p75", "p90")
AMOUNTS = (
    "expenditure_eur",  # simulated BUIG lasten of the year's months in the horizon
    "net_expenditure_eur",  # lasten - baten + LKS of a complete year: set against the budget
    "budget_eur",
    "deficit_eur",
    "vangnet_eur",
    "remaining_deficit_eur",
)
ELIGIBLE = "vangnet_eligible"  # bool, null when undecided: the year meets the entry conditions
FLAGS = (ELIGIBLE, "meets_single_year")
INFLOW, FROM_OTHER, TO_OTHER = "instroom", "uit groep zonder BUIG", "naar groep zonder BUIG"


def shown_gemeenten(summary: pl.DataFrame) -> list[str]:
    """The gemeenten a caseload chart shows: one gemeente alone, or each one and the total."""
    names = summary["gemeente"].unique(maintain_order=True).to_list()
    own = [g for g in names if g != TOTAL]
    return own if len(own) == 1 else [*own, TOTAL]


def band(summary: pl.DataFrame, gemeente: str, klantgroep: str = TOTAL) -> pl.DataFrame:
    """date, mean and the quantile columns of one caseload series, by date."""
    rows = summary.filter((pl.col("gemeente") == gemeente) & (pl.col("klantgroep") == klantgroep))
    return rows.select("date", "mean", *BAND_COLUMNS).sort("date")


def klantgroepen(summary: pl.DataFrame) -> list[str]:
    groups = summary.filter(pl.col("gemeente") == TOTAL)["klantgroep"]
    return [g for g in groups.unique(maintain_order=True).to_list() if g != TOTAL]


def history_of(data: RunData, gemeente: str) -> pl.DataFrame | None:
    """Observed caseload (date, count) of a gemeente as shown; the total sums the gemeenten on
    the dates all of them have a count, unless the history has its own total."""
    if data.history is None:
        return None
    history = data.history
    own = history.filter(pl.col("gemeente") == gemeente)
    if own.height == 0 and len(data.gemeenten) == 1:
        own = history.filter(pl.col("gemeente") == TOTAL)
    if own.height == 0 and gemeente == TOTAL:
        parts = history.filter(pl.col("gemeente").is_in(data.gemeenten))
        own = (
            parts.group_by("date")
            .agg(pl.col("count").sum(), n=pl.col("gemeente").n_unique())
            .filter(pl.col("n") == len(data.gemeenten))
        )
    return own.select("date", "count").sort("date") if own.height else None


def peildata(dates: list[dt.date], start: dt.date, end: dt.date) -> list[dt.date]:
    """The start, every 1 January and the end: the dates the key-figure tables show."""
    return [d for d in dates if d in (start, end) or (d.month == 1 and d.day == 1)]


def monthly_flows(data: RunData) -> pl.DataFrame:
    """month, kind (in/uit), category, mean: flows into and out of the BUIG caseload.

    Moves between a BUIG group and a group without BUIG (such as sheltered work) count as in- or
    outflow, so that in - out equals the change in the BUIG total (`totaal`)."""
    flows = _with_buig_flags(data)
    inflow = flows.filter(pl.col("to_buig") & ~pl.col("from_buig")).with_columns(
        kind=pl.lit("in"),
        category=pl.when(pl.col("event") == "instroom")
        .then(pl.lit(INFLOW))
        .otherwise(pl.lit(FROM_OTHER)),
    )
    outflow = flows.filter(pl.col("from_buig") & ~pl.col("to_buig")).with_columns(
        kind=pl.lit("uit"),
        category=pl.when(pl.col("event") == "uitstroom").then("route").otherwise(pl.lit(TO_OTHER)),
    )
    return (
        pl.concat([inflow, outflow])
        .group_by("month", "kind", "category")
        .agg(total=pl.col("count").sum())  # integers: exact in any order
        .with_columns(mean=pl.col("total") / data.replications)
        .sort("month", "kind", "category")
    )


def _with_buig_flags(data: RunData) -> pl.DataFrame:
    """flows with from_buig/to_buig: whether the case was / is in a BUIG group around the event."""
    buig = pl.DataFrame(
        [(g, k) for g, k in sorted(data.buig_groups)],
        schema={"gemeente": pl.String, "klantgroep": pl.String},
        orient="row",
    ).with_columns(flag=pl.lit(True))
    flows = data.flow_totals.join(buig, on=["gemeente", "klantgroep"], how="left").rename(
        {"flag": "in_to"}
    )
    flows = flows.join(
        buig.rename({"klantgroep": "klantgroep_from"}),
        on=["gemeente", "klantgroep_from"],
        how="left",
    ).rename({"flag": "in_from"})
    member = pl.col("in_to").fill_null(False)
    return flows.with_columns(
        from_buig=pl.when(pl.col("event") == "doorstroom")
        .then(pl.col("in_from").fill_null(False))
        .when(pl.col("event") == "uitstroom")
        .then(member)
        .otherwise(False),
        to_buig=pl.when(pl.col("event") == "uitstroom").then(False).otherwise(member),
    )


def yearly_flows(data: RunData) -> pl.DataFrame:
    """year, kind, category, mean: `monthly_flows` summed per calendar year, inflow first;
    the last rows (kind `saldo`) are the balance in - out of each year."""
    yearly = (
        monthly_flows(data)
        .with_columns(year=pl.col("month").dt.year())
        .group_by("year", "kind", "category")
        .agg(pl.col("total").sum())
    )
    signed = pl.when(pl.col("kind") == "in").then(pl.col("total")).otherwise(-pl.col("total"))
    balance = yearly.group_by("year").agg(
        kind=pl.lit("saldo"), category=pl.lit("saldo"), total=signed.sum()
    )
    yearly = pl.concat([yearly, balance.select(yearly.columns)]).with_columns(
        mean=pl.col("total") / data.replications
    )
    # Inflow, then outflow routes from the largest, then the balance: the order readers scan.
    size = pl.col("mean").abs().sum().over("kind", "category")
    rank = pl.col("kind").replace_strict({"in": 0, "uit": 1, "saldo": 2}, return_dtype=pl.Int8)
    return yearly.sort(rank, -size, "category", "year").drop("total")


def finance_per_replication(finance: pl.DataFrame) -> pl.DataFrame:
    """replication, year, months and the amounts summed over the gemeenten (null when a gemeente
    has none: a sum would hide that). A year is eligible for a vangnet claim when a gemeente is;
    undecided (null) when none is but some are undecided. Without deficit_eur, a budget gives it.
    """
    amounts = [c for c in AMOUNTS if c in finance.columns]
    aggregations = [pl.col("months").max(), *(_sum_or_null(c) for c in amounts)]
    for flag in (c for c in FLAGS if c in finance.columns):
        aggregations.append(pl.col(flag).any(ignore_nulls=False))  # true, else null, else false
    if ELIGIBLE not in finance.columns and "vangnet_eur" in finance.columns:
        aggregations.append((pl.col("vangnet_eur") > 0).any().alias(ELIGIBLE))
    ordered = finance.sort("replication", "year", "gemeente")
    totals = ordered.group_by("replication", "year").agg(aggregations)
    if "deficit_eur" not in totals.columns and "budget_eur" in totals.columns:
        totals = totals.with_columns(deficit_eur=pl.col("expenditure_eur") - pl.col("budget_eur"))
    return totals.sort("replication", "year")


def _sum_or_null(column: str) -> pl.Expr:
    values = pl.col(column).cast(pl.Float64)
    return pl.when(values.null_count() == 0).then(values.sum()).alias(column)


def yearly_finance(finance: pl.DataFrame) -> pl.DataFrame:
    """Per year: months; each amount's mean, p10, p50, p90 (`<amount>_mean` ...); and where
    present p_deficit and p_vangnet, the shares of replications with a deficit and with a
    vangnet claim. A statistic is null when a replication lacks its value (a partial year), as
    in finance_summary.csv. When eligibility is undecided in some replications, p_vangnet is
    null and p_vangnet_max bounds it: the share meeting the single-year condition."""
    per_replication = finance_per_replication(finance)
    aggregations: list[pl.Expr] = [pl.col("months").max()]
    for column in (c for c in AMOUNTS if c in per_replication.columns):
        aggregations += _quantiles(column)
    if "deficit_eur" in per_replication.columns:
        aggregations.append(_share(pl.col("deficit_eur") > 0).alias("p_deficit"))
    if ELIGIBLE in per_replication.columns:
        aggregations += _vangnet_chance(per_replication)
    return per_replication.group_by("year").agg(aggregations).sort("year")


def _share(condition: pl.Expr) -> pl.Expr:
    return pl.when(condition.null_count() == 0).then(condition.cast(pl.Float64).mean())


def _vangnet_chance(per_replication: pl.DataFrame) -> list[pl.Expr]:
    eligible = pl.col(ELIGIBLE)
    columns = per_replication.columns
    upper = (
        _share(pl.col("meets_single_year"))
        if "meets_single_year" in columns
        else eligible.fill_null(True).cast(pl.Float64).mean()
    )
    # A bound only where the deficit is known: a partial year has no chance at all.
    known = pl.col("deficit_eur").null_count() == 0 if "deficit_eur" in columns else pl.lit(True)
    undecided = eligible.null_count() > 0
    return [
        _share(eligible).alias("p_vangnet"),
        pl.when(undecided & known).then(upper).alias("p_vangnet_max"),
    ]


def _quantiles(column: str) -> list[pl.Expr]:
    values = pl.col(column)
    complete = values.null_count() == 0
    return [
        pl.when(complete).then(values.mean()).alias(f"{column}_mean"),
        *(
            pl.when(complete)
            .then(values.quantile(q, interpolation="linear"))
            .alias(f"{column}_{name}")
            for name, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9))
        ),
    ]


def monthly_measures(data: RunData) -> pl.DataFrame | None:
    """traject, month, participants, queue (means over replications, summed over gemeenten)."""
    if data.measures is None:
        return None
    return (
        data.measures.sort("traject", "month", "gemeente", "replication")
        .group_by("traject", "month")
        .agg(
            participants=pl.col("participants").sum() / data.replications,
            queue=pl.col("queue").sum() / data.replications,
        )
        .sort("traject", "month")
    )


def yearly_measures_cost(data: RunData) -> pl.DataFrame | None:
    """traject, year, cost_eur: mean cost per year over replications."""
    if data.measures is None:
        return None
    return (
        data.measures.sort("traject", "month", "gemeente", "replication")
        .with_columns(year=pl.col("month").dt.year())
        .group_by("traject", "year")
        .agg(cost_eur=pl.col("cost_eur").sum() / data.replications)
        .sort("traject", "year")
    )


def differences(base: pl.DataFrame, other: pl.DataFrame, paired: bool) -> pl.DataFrame:
    """year and, per amount both finance tables have, the difference other - base:
    `<amount>_diff_mean`, and when paired (same seed and replications: common random numbers)
    also `_diff_p10` and `_diff_p90` over the replication-by-replication differences. Null
    where a replication lacks the amount (a partial year)."""
    left, right = finance_per_replication(base), finance_per_replication(other)
    amounts = [c for c in AMOUNTS if c in left.columns and c in right.columns]
    if not paired:
        means = [_quantiles(c)[0].alias(c) for c in amounts]
        joined = (
            left.group_by("year")
            .agg(means)
            .join(right.group_by("year").agg(means), on="year", suffix="_other")
        )
        return joined.select(
            "year", *((pl.col(f"{c}_other") - pl.col(c)).alias(f"{c}_diff_mean") for c in amounts)
        ).sort("year")
    joined = left.join(right, on=["replication", "year"], suffix="_other").sort(
        "year", "replication"
    )
    diffs = joined.select("year", *((pl.col(f"{c}_other") - pl.col(c)).alias(c) for c in amounts))
    aggregations = [stat for c in amounts for stat in _quantiles(c)]
    return (
        diffs.group_by("year")
        .agg(aggregations)
        .sort("year")
        .rename(
            {f"{c}_{s}": f"{c}_diff_{s}" for c in amounts for s in ("mean", "p10", "p50", "p90")}
        )
        .drop([f"{c}_diff_p50" for c in amounts])
    )
