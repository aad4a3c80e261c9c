"""Ages and the exit at AOW age."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

import simbijstand
from conftest import one_group_parameters, scenario_data, write_toml
from simbijstand.scenario.rules import aow_age_months
from simbijstand.store.replay import read_events

AOW = {"leeftijd": {"2020": "66-4", "2022": "66-7"}, "route": "aow"}


def run(tmp_path: Path, ages: dict[str, float], **extra: object) -> simbijstand.RunResult:
    params = one_group_parameters(exit_per_year=0.5, routes={"werk": 0.5, "aow": 0.5})
    params["klantgroepen"]["a"]["leeftijd"] = ages
    write_toml(tmp_path / "params.toml", params)
    write_toml(tmp_path / "scenario.toml", scenario_data(months=24, replications=20, **extra))
    return simbijstand.run(tmp_path / "scenario.toml", out=tmp_path / "run", workers=1)


def test_clients_leave_on_reaching_aow_age(tmp_path: Path) -> None:
    """Everyone is 66 at the start (2021-01-01), AOW age 66y4m: all who have not left by other
    routes reach it within four months; nobody after."""
    result = run(tmp_path, {"66-67": 1.0}, aow=AOW)
    events = read_events(result.run_dir).filter(pl.col("route") == "aow").collect()
    assert events.height > 0.8 * 100 * 20 * 0.7  # most reach it before leaving otherwise
    # four months of 365.25 / 12 days: by 2 May 2021, 18:00
    assert events["time"].max() < dt.datetime(2021, 5, 2, 18)


def test_young_clients_never_leave_by_aow_and_its_hazard_is_not_used(tmp_path: Path) -> None:
    result = run(tmp_path, {"18-27": 1.0}, aow=AOW)
    assert result.flows.filter(route="aow").height == 0
    assert result.flows.filter(route="werk")["count"].sum() > 0


def test_without_an_aow_table_the_route_keeps_its_hazard(tmp_path: Path) -> None:
    result = run(tmp_path, {"18-27": 1.0})
    assert result.flows.filter(route="aow")["count"].sum() > 0


def test_measure_selects_by_age(tmp_path: Path) -> None:
    measure = {
        "naam": "jong",
        "klantgroepen": ["a"],
        "leeftijd_max": 27.0,
        "capaciteit": {"plaatsen": 1000},
        "duur_maanden": 3.0,
        "van": dt.date(2021, 1, 1),
        "effect": {"uitstroom": 1.0},
    }
    result = run(tmp_path, {"18-27": 0.5, "40-55": 0.5}, traject=[measure])
    starts = result.measures["starts"].sum()
    assert 0.3 * 100 * 20 < starts < 0.7 * 100 * 20  # about the half that is young


def test_the_scenario_ages_replace_the_shipped_years_they_name_and_the_last_is_carried() -> None:
    from simbijstand.scenario.schema_policy import Aow

    age = aow_age_months(Aow.model_validate(AOW))
    months = {y: age.at(dt.date(y, 1, 1)) for y in (2019, 2020, 2021, 2022, 2023, 2024, 2028, 2033)}
    # 2020 and 2022 from the scenario; 2019, 2021, 2023 on shipped (67-3 from 2028, known to 2031)
    assert months == {2019: 796, 2020: 796, 2021: 796, 2022: 799, 2023: 802, 2024: 804,
                      2028: 807, 2033: 807}  # fmt: skip
    assert not age.is_carried(dt.date(2031, 12, 31))
    assert age.is_carried(dt.date(2032, 1, 1))
