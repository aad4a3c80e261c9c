"""Consistency of the engine with itself and with a literal per-case model: conservation, replay,
determinism across workers and batches, and agreement in distribution with the reference model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import simbijstand
from conftest import SCENARIOS, scenario_data, write_toml
from simbijstand.engine import EventBatch, simulate
from simbijstand.engine.reference import ReferenceRun
from simbijstand.runs.run import prepare
from simbijstand.store.replay import caseload_at, read_events

TWO_GROUPS = {
    "schema_version": 1,
    "routes": ["werk", "overig"],
    "duurbanden_maanden": [0, 6, 12],
    "instroom": {
        "per_jaar": 60.0,
        "seizoen": [1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2],
        "klantgroepen": {"a": 0.7, "b": 0.3},
    },
    "klantgroepen": {
        "a": {
            "uitstroom_per_jaar": 0.9,
            "uitstroom_routes": {"werk": 0.8, "overig": 0.2},
            "duur_factor": [1.5, 1.0, 0.5],
            "doorstroom_per_jaar": {"b": 0.4},
        },
        "b": {
            "uitstroom_per_jaar": 0.2,
            "uitstroom_routes": {"werk": 0.1, "overig": 0.9},
            "doorstroom_per_jaar": {"a": 0.1},
        },
    },
}


def two_group_scenario(folder: Path, replications: int = 30, seed: int = 2) -> Path:
    write_toml(folder / "params.toml", TWO_GROUPS)
    data = scenario_data(
        months=18,
        replications=replications,
        seed=seed,
        gemeenten={
            "Testdorp": {
                "parameters": "params.toml",
                "beginstand": {"aantallen": {"a": 40, "b": 25}},
            }
        },
        multiplicator=[
            {
                "van": dt.date(2021, 4, 1),
                "tot": dt.date(2021, 10, 1),
                "instroom": 1.5,
                "uitstroom": {"werk": 0.5},
            }
        ],
    )
    return write_toml(folder / "scenario.toml", data)


@pytest.fixture(scope="module")
def two_group_run(tmp_path_factory: pytest.TempPathFactory) -> simbijstand.RunResult:
    folder = tmp_path_factory.mktemp("two-groups")
    return simbijstand.run(two_group_scenario(folder), out=folder / "run", workers=1)


def test_caseload_is_conserved_per_group_and_month(two_group_run: simbijstand.RunResult) -> None:
    """bestand(t+1) = bestand(t) + instroom + doorstroom in - uitstroom - doorstroom out."""
    keys = ["replication", "month", "gemeente"]
    flows = two_group_run.flows
    gains = (
        flows.filter(pl.col("event") != "uitstroom")
        .group_by(*keys, "klantgroep")
        .agg(gain=pl.col("count").sum())
    )
    losses = (
        pl.concat(
            [
                flows.filter(pl.col("event") == "uitstroom").select(*keys, "klantgroep", "count"),
                flows.filter(pl.col("event") == "doorstroom").select(
                    *keys, klantgroep="klantgroep_from", count="count"
                ),
            ]
        )
        .group_by(*keys, "klantgroep")
        .agg(loss=pl.col("count").sum())
    )
    caseload = two_group_run.caseload.sort("replication", "klantgroep", "date")
    change = caseload.with_columns(
        month=pl.col("date"),
        change=pl.col("count").shift(-1).over("replication", "klantgroep") - pl.col("count"),
    ).drop_nulls("change")
    checked = (
        change.join(gains, on=[*keys, "klantgroep"], how="left")
        .join(losses, on=[*keys, "klantgroep"], how="left")
        .fill_null(0)
    )
    assert checked.height == 30 * 18 * 2
    assert (checked["change"] == checked["gain"] - checked["loss"]).all()
    assert checked["gain"].sum() > 0 and checked["loss"].sum() > 0


def test_replaying_the_stored_log_gives_the_stored_caseload(
    two_group_run: simbijstand.RunResult,
) -> None:
    events = read_events(two_group_run.run_dir)
    for day in [dt.date(2021, 1, 1), dt.date(2021, 7, 1), dt.date(2022, 7, 1)]:
        stored = (
            two_group_run.caseload.filter((pl.col("date") == day) & (pl.col("count") != 0))
            .select("replication", "gemeente", "klantgroep", pl.col("count").cast(pl.Int64))
            .sort("replication", "gemeente", "klantgroep")
        )
        assert caseload_at(events, day).equals(stored), day


def test_all_events_are_stored_and_ordered(two_group_run: simbijstand.RunResult) -> None:
    events = read_events(two_group_run.run_dir).collect()
    assert events.height == two_group_run.manifest["events"]["total_events"]
    assert events.select(pl.col("time").is_sorted().over("replication").all()).item()
    assert set(events["event"].unique()) == {"instroom", "doorstroom", "uitstroom"}


def test_the_engine_agrees_with_the_per_case_reference_model(tmp_path: Path) -> None:
    """Same model, two samplers: means (4 SE) and spreads (ratio) of each group at the end."""
    reps = 200
    model = prepare(two_group_scenario(tmp_path)).model
    engine = simbijstand.run(
        two_group_scenario(tmp_path, replications=reps, seed=77), out=tmp_path / "run", workers=1
    )
    final = engine.caseload.filter(pl.col("date") == pl.col("date").max()).sort(
        "replication", "klantgroep"
    )
    fast = final["count"].to_numpy().reshape(reps, 2)
    slow = np.array([ReferenceRun(model, seed).run().caseload[-1] for seed in range(reps)])
    for group in range(2):
        a, b = fast[:, group], slow[:, group]
        standard_error = np.sqrt(a.var(ddof=1) / reps + b.var(ddof=1) / reps)
        assert abs(a.mean() - b.mean()) <= 4 * standard_error, group
        assert 0.6 < a.var(ddof=1) / b.var(ddof=1) < 1.6, group


class _Collect:
    def __init__(self) -> None:
        self.batches: list[EventBatch] = []

    def record(self, batch: EventBatch) -> None:
        self.batches.append(batch)

    def of(self, replication: int) -> EventBatch:
        events = EventBatch.concat(self.batches)
        return events.take(np.flatnonzero(events.replication == replication))


def test_a_replication_is_the_same_alone_or_in_a_batch(tmp_path: Path) -> None:
    model = prepare(two_group_scenario(tmp_path)).model
    batch, alone = _Collect(), _Collect()
    simulate(model, 5, range(0, 8), batch)
    simulate(model, 5, [3], alone)
    together, single = batch.of(3), alone.of(3)
    for column in EventBatch.__slots__:
        assert np.array_equal(getattr(together, column), getattr(single, column)), column


def test_outputs_are_byte_identical_for_one_and_two_workers(tmp_path: Path) -> None:
    scenario = SCENARIOS / "basis.toml"
    one = simbijstand.run(scenario, replications=240, out=tmp_path / "one", workers=1)
    two = simbijstand.run(scenario, replications=240, out=tmp_path / "two", workers=2)
    assert one.manifest["execution"]["chunks"] > 1  # so two workers really split the work
    for name in ["summary.csv", "caseload.parquet", "flows.parquet", "finance.parquet"]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), (
            name
        )
    assert one.manifest["events"]["segments"] == two.manifest["events"]["segments"]
