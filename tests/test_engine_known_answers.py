"""The engine against cases with known answers, with tolerances from Monte Carlo error.

Every test uses a fixed seed, so it is deterministic; the tolerance (4 standard errors) is what
makes a correct engine pass for almost any seed, and a biased one fail.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import simbijstand
from conftest import one_group_parameters, scenario_data
from simbijstand.domain.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from simbijstand.store.schema import EVENT_SCHEMA

Z = 4.0  # standard errors allowed


def years_since_start(result: simbijstand.RunResult) -> dict[dt.date, float]:
    start = result.scenario.start
    return {d: (d - start).days / DAYS_PER_YEAR for d in result.caseload["date"].unique().to_list()}


def mean_caseload(result: simbijstand.RunResult) -> pl.DataFrame:
    return (
        result.caseload.group_by("date").agg(mean=pl.col("count").mean(), n=pl.len()).sort("date")
    )


def test_one_group_with_inflow_follows_the_closed_form(make_scenario, tmp_path: Path) -> None:
    """E[N(t)] = N0 e^(-mu t) + (lambda/mu)(1 - e^(-mu t)) for constant inflow and exit hazard."""
    n0, lam, mu, reps = 100, 120.0, 0.5, 400
    path = make_scenario(
        one_group_parameters(exit_per_year=mu, inflow_per_year=lam),
        scenario_data(months=36, replications=reps, seed=11),
    )
    result = simbijstand.run(path, out=tmp_path / "run", workers=1)
    t = years_since_start(result)
    for row in mean_caseload(result).iter_rows(named=True):
        survive = np.exp(-mu * t[row["date"]])
        expected = n0 * survive + lam / mu * (1 - survive)
        variance = n0 * survive * (1 - survive) + lam / mu * (1 - survive)
        tolerance = Z * np.sqrt(variance / reps) + 1e-9
        assert abs(row["mean"] - expected) <= tolerance, (row["date"], row["mean"], expected)


def test_exit_routes_are_chosen_in_proportion_to_their_hazards(
    make_scenario, tmp_path: Path
) -> None:
    shares = {"werk": 0.6, "verhuizing": 0.3, "overig": 0.1}
    path = make_scenario(
        one_group_parameters(exit_per_year=1.0, routes=shares),
        scenario_data(months=24, replications=100, seed=5),
    )
    result = simbijstand.run(path, out=tmp_path / "run", workers=1)
    exits = (
        result.flows.filter(pl.col("event") == "uitstroom")
        .group_by("route")
        .agg(pl.col("count").sum())
    )
    total = exits["count"].sum()
    assert total > 5000
    for route, count in exits.iter_rows():
        p = shares[route]
        assert abs(count / total - p) <= Z * np.sqrt(p * (1 - p) / total), route


def write_history(folder: Path, start: dt.date, cases: int, klantgroep: str = "a") -> Path:
    """An event log in which `cases` benefits started one second before `start`."""
    moment = dt.datetime.combine(start, dt.time()) - dt.timedelta(seconds=1)
    frame = pl.DataFrame(
        {
            "replication": [0] * cases,
            "time": [moment] * cases,
            "person_id": list(range(cases)),
            "event": ["instroom"] * cases,
            "gemeente": ["Testdorp"] * cases,
            "klantgroep": [klantgroep] * cases,
            "klantgroep_from": [None] * cases,
            "route": [None] * cases,
            "traject": [None] * cases,
        },
        schema=EVENT_SCHEMA,
    )
    folder.mkdir(parents=True)
    frame.write_parquet(folder / "history.parquet")
    return folder


def test_duration_bands_shape_the_exit_curve(make_scenario, tmp_path: Path) -> None:
    """A cohort starting together survives exp(-H(d)) with H piecewise linear over the bands."""
    n0, mu, factors, reps = 2000, 0.6, [2.0, 1.0, 0.5], 20
    start = dt.date(2021, 1, 1)
    write_history(tmp_path / "history", start, n0)
    gemeenten = {"Testdorp": {"parameters": "params.toml", "beginstand": {"eventlog": "history"}}}
    path = make_scenario(
        one_group_parameters(exit_per_year=mu, bands=[0, 6, 12], duur_factor=factors),
        scenario_data(start=start, months=24, replications=reps, seed=3, gemeenten=gemeenten),
    )
    result = simbijstand.run(path, out=tmp_path / "run", workers=1)
    edges = np.array([0, 6, 12, np.inf]) * DAYS_PER_MONTH
    for row in mean_caseload(result).iter_rows(named=True):
        days = (row["date"] - start).days + 1 / 86_400
        in_band = np.clip(days - edges[:-1], 0, np.diff(edges))
        survive = np.exp(-mu / DAYS_PER_YEAR * np.dot(factors, in_band))
        tolerance = Z * np.sqrt(n0 * survive * (1 - survive) / reps) + 1e-9
        assert abs(row["mean"] - n0 * survive) <= tolerance, (
            row["date"],
            row["mean"],
            n0 * survive,
        )


def test_initial_counts_per_duration_band_are_respected(make_scenario, tmp_path: Path) -> None:
    """Cases placed in the last band leave at that band's (lower) rate from the start."""
    (tmp_path / "start.csv").write_text("klantgroep,duur_vanaf_maanden,aantal\na,12,1000\n")
    gemeenten = {"Testdorp": {"parameters": "params.toml", "beginstand": {"bestand": "start.csv"}}}
    mu, factors = 1.2, [2.0, 1.0, 0.25]
    path = make_scenario(
        one_group_parameters(exit_per_year=mu, bands=[0, 6, 12], duur_factor=factors),
        scenario_data(months=12, replications=20, seed=9, gemeenten=gemeenten),
    )
    result = simbijstand.run(path, out=tmp_path / "run", workers=1)
    end = mean_caseload(result).row(-1, named=True)
    survive = np.exp(-mu * factors[2] * (end["date"] - result.scenario.start).days / DAYS_PER_YEAR)
    assert abs(end["mean"] - 1000 * survive) <= Z * np.sqrt(1000 * survive * (1 - survive) / 20)


def test_replications_do_not_depend_on_how_many_are_run(make_scenario, tmp_path: Path) -> None:
    path = make_scenario(
        one_group_parameters(exit_per_year=0.8, inflow_per_year=50), scenario_data(months=12)
    )
    few = simbijstand.run(path, replications=3, out=tmp_path / "few", workers=1)
    many = simbijstand.run(path, replications=8, out=tmp_path / "many", workers=1)
    assert few.caseload.equals(many.caseload.filter(pl.col("replication") < 3))


@pytest.mark.parametrize("seed", [1, 2])
def test_seed_changes_results_and_same_seed_repeats_them(
    make_scenario, tmp_path: Path, seed: int
) -> None:
    path = make_scenario(
        one_group_parameters(exit_per_year=0.8, inflow_per_year=50), scenario_data(months=12)
    )
    first = simbijstand.run(path, seed=seed, replications=5, out=tmp_path / "a", workers=1)
    again = simbijstand.run(path, seed=seed, replications=5, out=tmp_path / "b", workers=1)
    other = simbijstand.run(path, seed=seed + 100, replications=5, out=tmp_path / "c", workers=1)
    assert (tmp_path / "a" / "summary.csv").read_bytes() == (
        tmp_path / "b" / "summary.csv"
    ).read_bytes()
    assert not first.caseload.equals(other.caseload)
    assert first.caseload.equals(again.caseload)


def test_benefit_months_integrate_the_survival_curve_exactly(make_scenario, tmp_path: Path) -> None:
    """Without inflow, a month's expected benefit-months are N0/mu (e^(-mu a) - e^(-mu b)) / (b - a)
    for the month [a, b) in years: this checks the event moments, not only their months."""
    n0, mu, reps = 100, 1.5, 100  # scenario_data starts with 100 cases
    path = make_scenario(
        one_group_parameters(exit_per_year=mu), scenario_data(months=12, replications=reps, seed=21)
    )
    result = simbijstand.run(path, out=tmp_path / "run", workers=1)
    per_month = result.finance.filter(pl.col("year") == 2021)["benefit_months"]
    assert abs(
        per_month.mean() - _expected_year_benefit_months(n0, mu, result)
    ) <= Z * per_month.std() / np.sqrt(reps)


def _expected_year_benefit_months(n0: int, mu: float, result: simbijstand.RunResult) -> float:
    dates = sorted(result.caseload["date"].unique().to_list())
    t = years_since_start(result)
    total = 0.0
    for a, b in itertools.pairwise(dates):
        total += n0 / mu * (np.exp(-mu * t[a]) - np.exp(-mu * t[b])) / (t[b] - t[a])
    return total


def test_exit_moments_within_a_month_follow_the_exponential_law(
    make_scenario, tmp_path: Path
) -> None:
    """With a constant hazard h, the position x of an exit within its month (as a fraction of the
    month's length L) has CDF (1 - e^(-h L x)) / (1 - e^(-h L)): the moments are exact, not
    bucketed. Kolmogorov-Smirnov over some 10,000 exits from the stored event log."""
    from scipy import stats

    from simbijstand.store.replay import read_events

    mu = 3.0
    path = make_scenario(
        one_group_parameters(exit_per_year=mu), scenario_data(months=12, replications=100, seed=4)
    )
    simbijstand.run(path, out=tmp_path / "run", workers=1)
    exits = read_events(tmp_path / "run").filter(pl.col("event") == "uitstroom").collect()
    month_start = exits["time"].dt.truncate("1mo")
    length = (month_start.dt.offset_by("1mo") - month_start).dt.total_microseconds()
    fraction = ((exits["time"] - month_start).dt.total_microseconds() / length).to_numpy()
    hl = mu / DAYS_PER_YEAR * (length / 86_400e6).to_numpy()

    # each exit has its own month length; transform to uniform with its own CDF, then test
    uniform = -np.expm1(-hl * fraction) / -np.expm1(-hl)
    assert len(uniform) > 9000
    assert stats.kstest(uniform, "uniform").pvalue > 0.001
