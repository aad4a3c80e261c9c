"""Statushouders entering the caseload under the national housing quota."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

import simbijstand
from conftest import one_group_parameters, scenario_data, write_toml


def run(tmp_path: Path, statushouders: dict, replications: int = 200) -> simbijstand.RunResult:
    write_toml(
        tmp_path / "params.toml", one_group_parameters(exit_per_year=0.3, inflow_per_year=20)
    )
    data = scenario_data(months=24, replications=replications, seed=5, statushouders=statushouders)
    write_toml(tmp_path / "scenario.toml", data)
    return simbijstand.run(tmp_path / "scenario.toml", out=tmp_path / "run", workers=1)


def entries_per_replication(
    result: simbijstand.RunResult, first: dt.date, after: dt.date
) -> np.ndarray:
    flows = result.flows.filter(
        (pl.col("route") == "statushouders")
        & (pl.col("month") >= first)
        & (pl.col("month") < after)
    )
    per_rep = flows.group_by("replication").agg(pl.col("count").sum())
    counts = np.zeros(result.scenario.spec.simulatie.replicaties)
    counts[per_rep["replication"].to_numpy()] = per_rep["count"].to_numpy()
    return counts


def test_a_half_years_entries_add_up_to_the_gemeentes_share_of_the_quota(tmp_path: Path) -> None:
    quota, share = 10_000, 0.004  # 40 housed in the first half of 2021, all entering at once
    result = run(
        tmp_path,
        {
            "taakstelling": {"2021-1": quota},
            "aandeel": {"Testdorp": share},
            "instroomkans": 1.0,
            "vertraging_maanden": 0.0,
            "klantgroep": "a",
        },
    )
    entries = entries_per_replication(result, dt.date(2021, 1, 1), dt.date(2021, 7, 1))
    expected = quota * share
    assert abs(entries.mean() - expected) <= 4 * np.sqrt(expected / len(entries))
    later = entries_per_replication(result, dt.date(2021, 7, 1), dt.date(2023, 1, 1))
    assert later.sum() == 0


def test_delay_and_entry_share_shift_and_shrink_the_entries(tmp_path: Path) -> None:
    """With a mean delay of 2 months, the entries within the half year fall short by the part
    still waiting: E = Q a p (1 - tau (1 - exp(-L / tau)) / L) for a half year of length L."""
    quota, share, chance, tau_months = 10_000, 0.004, 0.8, 2.0
    result = run(
        tmp_path,
        {
            "taakstelling": {"2021-1": quota},
            "aandeel": {"Testdorp": share},
            "instroomkans": chance,
            "vertraging_maanden": tau_months,
            "klantgroep": "a",
        },
    )
    half_year = (dt.date(2021, 7, 1) - dt.date(2021, 1, 1)).days
    tau = tau_months * 365.25 / 12
    expected = quota * share * chance * (1 - tau * (1 - np.exp(-half_year / tau)) / half_year)
    entries = entries_per_replication(result, dt.date(2021, 1, 1), dt.date(2021, 7, 1))
    assert abs(entries.mean() - expected) <= 4 * np.sqrt(expected / len(entries))


def test_doubling_the_quota_doubles_the_entries(tmp_path: Path) -> None:
    plain = {
        "taakstelling": {"2021-1": 5_000, "2021-2": 5_000},
        "aandeel": {"Testdorp": 0.004},
        "instroomkans": 0.9,
        "klantgroep": "a",
    }
    doubled = {**plain, "taakstelling": {"2021-1": 10_000, "2021-2": 10_000}}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = entries_per_replication(
        run(tmp_path / "a", plain, 50), dt.date(2021, 1, 1), dt.date(2023, 1, 1)
    )
    two = entries_per_replication(
        run(tmp_path / "b", doubled, 50), dt.date(2021, 1, 1), dt.date(2023, 1, 1)
    )
    assert 1.8 < two.mean() / one.mean() < 2.2
