"""Measures (trajecten) with limited capacity: known answers at the extremes, and bookkeeping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

import simbijstand
from conftest import scenario_data, write_toml
from simbijstand.store.replay import read_events

PARAMETERS = {
    "schema_version": 1,
    "routes": ["werk", "overig"],
    "duurbanden_maanden": [0, 12],
    "instroom": {"per_jaar": 40.0, "klantgroepen": {"a": 0.5, "b": 0.5}},
    "klantgroepen": {
        "a": {
            "uitstroom_per_jaar": 0.4,
            "uitstroom_routes": {"werk": 0.5, "overig": 0.5},
            "duur_factor": [1.2, 0.8],
            "doorstroom_per_jaar": {"b": 0.2},
        },
        "b": {"uitstroom_per_jaar": 0.3, "uitstroom_routes": {"werk": 0.4, "overig": 0.6}},
    },
}


def measure(**changes: Any) -> dict[str, Any]:
    base = {
        "naam": "coaching",
        "klantgroepen": ["a"],
        "capaciteit": {"coaches": 2, "klanten_per_coach": 10},
        "duur_maanden": 6.0,
        "van": dt.date(2021, 3, 1),
        "effect": {"uitstroom": {"werk": 3.0}},
        "effect_na": {"uitstroom": {"werk": 1.5}, "maanden": 6.0},
        "kosten": {"per_deelnemer": 500.0, "per_plaats_per_jaar": 1200.0},
    }
    return base | changes


def run(
    tmp_path: Path,
    name: str,
    measures: list[dict[str, Any]],
    params: dict | None = None,
    **extra: Any,
) -> simbijstand.RunResult:
    folder = tmp_path / name
    folder.mkdir()
    write_toml(folder / "params.toml", params or PARAMETERS)
    data = scenario_data(
        months=24,
        replications=extra.pop("replications", 40),
        seed=3,
        gemeenten={
            "Testdorp": {
                "parameters": "params.toml",
                "beginstand": {"aantallen": {"a": 80, "b": 40}},
            }
        },
        traject=measures,
        **extra,
    )
    write_toml(folder / "scenario.toml", data)
    return simbijstand.run(folder / "scenario.toml", out=folder / "run", workers=1)


def test_a_measure_without_capacity_changes_nothing(tmp_path: Path) -> None:
    without = run(tmp_path, "without", [])
    empty = run(tmp_path, "empty", [measure(capaciteit={"plaatsen": 0})])
    for name in ["caseload", "flows", "finance"]:
        assert getattr(without, name).equals(getattr(empty, name)), name
    assert empty.measures["participants"].sum() == 0
    assert empty.measures["queue"].max() > 0  # clients did queue, and waited in vain


def test_limited_capacity_is_never_exceeded_and_every_queued_client_is_accounted_for(
    tmp_path: Path,
) -> None:
    result = run(tmp_path, "limited", [measure()])
    assert result.measures["participants"].max() == 20  # 2 coaches x 10 clients, and they fill up
    events = read_events(result.run_dir).filter(pl.col("traject") == "coaching").collect()
    counts = events.group_by("event", "route").len()
    joined = counts.filter(event="traject_wacht")["len"].sum()
    started = counts.filter(event="traject_start")["len"].sum()
    left_queue = counts.filter(event="traject_einde", route="niet_gestart")["len"].sum()
    assert joined == started + left_queue + _waiting_at_end(events)
    assert joined > started > 0


def _waiting_at_end(events: pl.DataFrame) -> int:
    """Clients still queued at the horizon: joined, never started nor left the queue."""
    per_case = events.group_by("replication", "person_id").agg(pl.col("event"), pl.col("route"))
    waiting = per_case.filter(
        ~pl.col("event").list.contains("traject_start")
        & ~pl.col("route").list.contains("niet_gestart")
    )
    return waiting.height


def test_participants_never_exceed_capacity_at_any_moment(tmp_path: Path) -> None:
    result = run(tmp_path, "moments", [measure(capaciteit={"plaatsen": 5}, duur_maanden=2.0)])
    events = read_events(result.run_dir).filter(pl.col("traject") == "coaching").collect()
    delta = events.with_columns(
        change=pl.when(pl.col("event") == "traject_start")
        .then(1)
        .when((pl.col("event") == "traject_einde") & (pl.col("route") != "niet_gestart"))
        .then(-1)
        .otherwise(0)
    ).sort("replication", "time", pl.col("change"))  # ends before starts at the same moment
    in_measure = delta.with_columns(now=pl.col("change").cum_sum().over("replication"))
    assert in_measure["now"].max() == 5
    assert in_measure["now"].min() >= 0


def test_unlimited_capacity_equals_the_multiplier_for_every_eligible_client(tmp_path: Path) -> None:
    """No inflow, no moves, everyone eligible from the start and for the whole horizon: the
    measure's effect is then the same as a calendar multiplier on the group."""
    params = {**PARAMETERS, "instroom": {"per_jaar": 0.0, "klantgroepen": {"a": 1.0}}}
    params["klantgroepen"] = {
        **PARAMETERS["klantgroepen"],
        "a": {**PARAMETERS["klantgroepen"]["a"], "doorstroom_per_jaar": {}},
    }
    everyone = measure(
        capaciteit={"plaatsen": 10**6}, van=dt.date(2021, 1, 1), duur_maanden=48.0, intake_dagen=1
    )
    with_measure = run(tmp_path, "measure", [everyone], params, replications=300)
    multiplied = run(
        tmp_path,
        "multiplier",
        [],
        params,
        replications=300,
        multiplicator=[
            {"van": dt.date(2021, 1, 1), "klantgroepen": ["a"], "uitstroom": {"werk": 3.0}}
        ],
    )
    for result_a, result_b in [(with_measure, multiplied)]:
        a = _final(result_a, "a")
        b = _final(result_b, "a")
        standard_error = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        assert abs(a.mean() - b.mean()) <= 4 * standard_error
    assert _final(with_measure, "a").mean() < 0.5 * 80  # and the effect is real


def _final(result: simbijstand.RunResult, group: str) -> np.ndarray:
    last = result.caseload.filter(
        (pl.col("date") == pl.col("date").max()) & (pl.col("klantgroep") == group)
    )
    return last.sort("replication")["count"].to_numpy().astype(float)


def test_a_measure_speeds_up_exits_to_work(tmp_path: Path) -> None:
    without = run(tmp_path, "plain", [])
    coached = run(tmp_path, "coached", [measure(capaciteit={"plaatsen": 30})])

    def work_exits(result: simbijstand.RunResult) -> int:
        return result.flows.filter(event="uitstroom", route="werk")["count"].sum()

    assert work_exits(coached) > work_exits(without)


def test_measure_cost_follows_starts_and_places(tmp_path: Path) -> None:
    result = run(tmp_path, "cost", [measure()])
    table = result.measures.filter(pl.col("replication") == 0)
    open_days = (dt.date(2023, 1, 1) - dt.date(2021, 3, 1)).days
    expected = table["starts"].sum() * 500.0 + 20 * 1200.0 * open_days / 365.25
    assert table["cost_eur"].sum() == pytest.approx(expected)


def test_priority_intake_serves_the_first_group_first(tmp_path: Path) -> None:
    both = measure(
        klantgroepen=["a", "b"],
        intake="prioriteit",
        prioriteit=["b", "a"],
        capaciteit={"plaatsen": 10},
    )
    result = run(tmp_path, "priority", [both])
    starts = read_events(result.run_dir).filter(pl.col("event") == "traject_start").collect()
    first_month = starts.filter(pl.col("time") < dt.datetime(2021, 3, 2))
    assert first_month["klantgroep"].unique().to_list() == ["b"]
