"""Scenarios side by side with common random numbers: finance per year and paired differences.

Every scenario runs with the same seed and number of replications, so replication r of each
uses the same random stream (`SeedSequence(seed, spawn_key=(r,))`): differences between
scenarios are differences of the scenarios, not of the luck of the draw. Per scenario, gemeente,
year and quantity (those of finance_summary.csv) the table holds the mean and quantiles over
replications and, against the baseline, the paired difference per replication summarised two
ways:
- `diff_mean` with `diff_mean_low`/`diff_mean_high`: the mean difference and its 90% confidence
  interval (Student t over the replications' paired differences): how precisely the expected
  difference is known;
- `diff_p05`/`diff_p95`: the 5th and 95th percentile of the paired differences themselves, a
  90% interval of the difference in one possible future.
Measures (trajecten) that a run writes in `trajecten.parquet` add their cost per year; see
`measures_table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from scipy import stats

from simbijstand.errors import SimbijstandError
from simbijstand.finance.summary import QUANTILES, per_replication, summarise
from simbijstand.runs.execution import Progress
from simbijstand.runs.run import RunResult, new_run_dir, run
from simbijstand.scenario import Scenario, load_scenario
from simbijstand.store.csv_tables import write_csv
from simbijstand.store.files import write_atomic
from simbijstand.store.rundir import (
    COMPARISON_CSV,
    COMPARISON_MEASURES,
    COMPARISON_PARQUET,
    COMPARISON_REPORT,
    TRAJECTEN,
)

CONFIDENCE = 0.90
KEYS = ["gemeente", "year", "quantity"]


class CompareError(SimbijstandError):
    """A comparison that cannot be made as asked (a baseline that is not among the scenarios)."""


@dataclass(frozen=True, slots=True)
class Comparison:
    compare_dir: Path
    baseline: str
    seed: int
    replications: int
    runs: dict[str, RunResult]  # by scenario name, in the order given
    table: pl.DataFrame  # comparison.csv
    measures: pl.DataFrame | None  # measures.csv, when a run has trajecten.parquet


def compare(
    scenarios: Sequence[str | Path],
    *,
    baseline: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Run `scenarios` with common random numbers and compare each with the baseline.

    Args:
        baseline: a scenario's name or file as given; default the first.
        replications, seed: for every scenario; default the baseline's own.
        out: the compare directory (new or empty); default outputs/compare-<time>. Each
            scenario's run directory is <out>/<scenario name>.
    """
    loaded = _load(scenarios)
    base = _baseline(loaded, scenarios, baseline)
    sim = loaded[base].spec.simulatie
    seed = sim.seed if seed is None else seed
    replications = sim.replicaties if replications is None else replications
    compare_dir = new_run_dir(out, "compare")
    runs = {
        name: run(
            scenario,
            replications=replications,
            seed=seed,
            out=compare_dir / name,
            workers=workers,
            progress=progress,
        )
        for name, scenario in loaded.items()
    }
    values = {name: run_values(result) for name, result in runs.items()}
    table = _with_notes(comparison_table(values, base), runs)
    measures = measures_table(values, base) if _has_measures(runs) else None
    write_atomic(compare_dir / COMPARISON_CSV, lambda p: write_csv(table, p))
    write_atomic(compare_dir / COMPARISON_PARQUET, table.write_parquet)
    if measures is not None:
        write_atomic(compare_dir / COMPARISON_MEASURES, lambda p: write_csv(measures, p))
    _write_report(compare_dir, runs, base)
    return Comparison(compare_dir, base, seed, replications, runs, table, measures)


def _write_report(compare_dir: Path, runs: dict[str, RunResult], base: str) -> None:
    # imported here: matplotlib is slow to load and only the report needs it
    from simbijstand.reporting.compare_report import write_comparison_report

    run_dirs = [result.run_dir for result in runs.values()]
    write_comparison_report(run_dirs, compare_dir / COMPARISON_REPORT, baseline=runs[base].run_dir)


def _load(scenarios: Sequence[str | Path]) -> dict[str, Scenario]:
    if len(scenarios) < 2:
        raise CompareError(f"scenarios: {len(scenarios)} given; compare needs at least two")
    loaded: dict[str, Scenario] = {}
    for path in scenarios:
        scenario = load_scenario(path)
        if scenario.name in loaded:
            raise CompareError(
                f"{path}: scenario name '{scenario.name}' is also that of "
                f"{loaded[scenario.name].path}; give each scenario its own naam"
            )
        loaded[scenario.name] = scenario
    return loaded


def _baseline(loaded: dict[str, Scenario], given: Sequence[str | Path], name: str | None) -> str:
    if name is None:
        return next(iter(loaded))
    for scenario_name, path in zip(loaded, given, strict=True):
        if name in (scenario_name, str(path), Path(path).name):
            return scenario_name
    raise CompareError(
        f"--baseline = {name!r}: not one of the scenarios; choose one of {', '.join(loaded)}"
    )


def _with_notes(table: pl.DataFrame, runs: dict[str, RunResult]) -> pl.DataFrame:
    notes = pl.concat(
        r.finance_summary.select(
            pl.lit(name).alias("scenario"), "gemeente", "year", "note"
        ).unique()
        for name, r in runs.items()
    )
    keys = ["scenario", "gemeente", "year"]
    return table.join(notes, on=keys, how="left").with_columns(pl.col("note").fill_null(""))


# --- values per replication ----------------------------------------------------------------


def run_values(result: RunResult) -> pl.DataFrame:
    """The run's finance per replication (long), with the measures' cost when it has any."""
    long = per_replication(result.finance)
    cost = measures_cost(result.run_dir / TRAJECTEN, result.finance)
    return long if cost is None else pl.concat([long, cost], how="vertical_relaxed")


def measures_cost(path: Path, finance: pl.DataFrame) -> pl.DataFrame | None:
    """`measures_cost_eur` per replication, gemeente and year from a run's trajecten.parquet
    (cost_eur summed over measures and months); 0 where the file has no rows."""
    if not path.is_file():
        return None
    cost = (
        pl.read_parquet(path, columns=["replication", "month", "gemeente", "cost_eur"])
        .group_by("replication", "gemeente", pl.col("month").dt.year().alias("year"))
        .agg(pl.col("cost_eur").sum().cast(pl.Float64))
        .with_columns(pl.col("replication", "year").cast(pl.Int32))
    )
    return (
        finance.select("replication", "gemeente", "year")
        .join(cost, on=["replication", "gemeente", "year"], how="left")
        .select(
            "replication",
            "gemeente",
            "year",
            pl.lit("measures_cost_eur").alias("quantity"),
            pl.col("cost_eur").fill_null(0.0).alias("value"),
        )
    )


def _has_measures(runs: dict[str, RunResult]) -> bool:
    return any((r.run_dir / TRAJECTEN).is_file() for r in runs.values())


# --- the tables --------------------------------------------------------------------------


def comparison_table(values: dict[str, pl.DataFrame], baseline: str) -> pl.DataFrame:
    """Per scenario, gemeente, year and quantity: statistics and the paired difference."""
    base = values[baseline].rename({"value": "base_value"})
    parts = []
    for name, long in values.items():
        summary = summarise(long, ["gemeente", "year"]).drop("p05", "p25", "p75", "p95")
        paired = long.join(base, on=["replication", *KEYS], how="left").with_columns(
            (pl.col("value") - pl.col("base_value")).alias("diff")
        )
        parts.append(
            summary.join(paired_differences(paired, KEYS), on=KEYS, how="left").select(
                pl.lit(name).alias("scenario"), pl.all()
            )
        )
    spread = ["diff_p05", "diff_p95"]  # of a 0/100 indicator these say nothing: leave empty
    return pl.concat(parts).with_columns(
        pl.when(~pl.col("quantity").str.starts_with("p_")).then(pl.col(c)).alias(c) for c in spread
    )


def paired_differences(paired: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """diff_mean with its 90% t-interval, and the 5th and 95th percentile of `diff`.

    Empty where a replication lacks a value (the difference would hide which ones)."""
    t = float(stats.t.ppf(0.5 + CONFIDENCE / 2, max(paired["replication"].n_unique() - 1, 1)))
    diff = pl.col("diff")
    complete = diff.null_count() == 0
    half = t * diff.std() / diff.count().sqrt()
    low, high = QUANTILES["p05"], QUANTILES["p95"]
    return paired.group_by(by).agg(
        pl.when(complete).then(diff.mean()).alias("diff_mean"),
        pl.when(complete).then(diff.mean() - half.fill_null(0.0)).alias("diff_mean_low"),
        pl.when(complete).then(diff.mean() + half.fill_null(0.0)).alias("diff_mean_high"),
        pl.when(complete).then(diff.quantile(low, interpolation="linear")).alias("diff_p05"),
        pl.when(complete).then(diff.quantile(high, interpolation="linear")).alias("diff_p95"),
    )


def measures_table(values: dict[str, pl.DataFrame], baseline: str) -> pl.DataFrame:
    """Per scenario, gemeente and year: the measures' extra cost against the baseline, the
    BUIG saving (baseline net lasten minus the scenario's; the simulated lasten where a year is
    partial) and the net effect = saving - extra cost, each a mean with its 90% interval."""
    wide = {name: _measure_inputs(long) for name, long in values.items()}
    base = wide[baseline].rename({"cost": "base_cost", "lasten": "base_lasten", "net": "base_net"})
    parts = []
    for name, own in wide.items():
        paired = own.join(base, on=["replication", "gemeente", "year"]).with_columns(
            (pl.col("cost") - pl.col("base_cost")).alias("measures_extra_cost_eur"),
            (pl.col("base_lasten") - pl.col("lasten")).alias("buig_saving_eur"),
            (pl.col("net") & pl.col("base_net")).alias("net"),
        )
        paired = paired.with_columns(
            (pl.col("buig_saving_eur") - pl.col("measures_extra_cost_eur")).alias("net_effect_eur")
        )
        parts.append(_measure_stats(name, paired))
    return pl.concat(parts)


def _measure_inputs(long: pl.DataFrame) -> pl.DataFrame:
    """replication, gemeente, year, cost, lasten (net if known, else the simulated part)."""
    wide = long.pivot(on="quantity", index=["replication", "gemeente", "year"], values="value")
    for column in ("measures_cost_eur", "net_expenditure_eur"):
        if column not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(column))
    return wide.select(
        "replication",
        "gemeente",
        "year",
        pl.col("measures_cost_eur").fill_null(0.0).alias("cost"),
        pl.coalesce("net_expenditure_eur", "expenditure_eur").alias("lasten"),
        pl.col("net_expenditure_eur").is_not_null().alias("net"),
    )


def _measure_stats(name: str, paired: pl.DataFrame) -> pl.DataFrame:
    long = paired.unpivot(
        on=["measures_extra_cost_eur", "buig_saving_eur", "net_effect_eur"],
        index=["replication", "gemeente", "year", "net"],
        variable_name="quantity",
        value_name="diff",
    )
    table = paired_differences(long, KEYS)
    basis = paired.group_by("gemeente", "year").agg(pl.col("net").all().alias("saving_on_net"))
    return (
        table.join(basis, on=["gemeente", "year"])
        .select(pl.lit(name).alias("scenario"), pl.all())
        .sort("gemeente", "year", "quantity")
    )
