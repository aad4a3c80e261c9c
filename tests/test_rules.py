"""Today's rules shipped as dated data: AOW ages, bijstand norms, and what a run says it carried."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.conftest import one_group_parameters, scenario_data, write_toml

from simbijstand.finance.cost import price_level
from simbijstand.reporting.rules_text import carried_rows, regime_rows, rules_block
from simbijstand.scenario import load_scenario
from simbijstand.scenario.rules import (
    aow_age_months,
    default_rules,
    indexation,
    rules_in_force,
    shipped_rises,
)
from simbijstand.scenario.schema import Kosten
from simbijstand.scenario.schema_policy import Aow


def test_the_shipped_aow_ages_run_through_2031_with_67_and_3_months_from_2028() -> None:
    age = aow_age_months(Aow.model_validate({}))
    years = {y: age.at(dt.date(y, 6, 1)) for y in (2019, 2023, 2024, 2027, 2028, 2031)}
    assert years == {2019: 796, 2023: 802, 2024: 804, 2027: 804, 2028: 807, 2031: 807}
    assert not age.is_carried(dt.date(2031, 12, 31)) and age.is_carried(dt.date(2032, 1, 1))
    assert all(e.bron and e.zekerheid for e in default_rules().aow.leeftijd.values())


def test_norm_rises_come_from_consecutive_shipped_norms() -> None:
    rises = shipped_rises()
    norms = {k: e.bedrag for k, e in default_rules().normen.gehuwden.items()}
    jan_2023 = next(v for p, v in rises.items() if p.start == dt.date(2023, 1, 1))
    assert jan_2023 == pytest.approx(norms["2023-1"] / norms["2022-2"] - 1)
    assert min(p.start for p in rises) == dt.date(2022, 1, 1)  # 2021-2 is the first norm known


def kosten(**extra: object) -> Kosten:
    return Kosten.model_validate({"prijsjaar": 2024, "per_maand": {"x": 1.0}, **extra})


def test_the_cost_follows_the_shipped_norm_and_then_the_yearly_rise() -> None:
    norms = {k: e.bedrag for k, e in default_rules().normen.gehuwden.items()}
    own = kosten(indexatie_per_jaar=0.03)
    assert price_level(own, dt.date(2024, 6, 1)) == pytest.approx(1.0)
    assert price_level(own, dt.date(2025, 7, 1)) == pytest.approx(norms["2025-2"] / norms["2024-1"])
    assert price_level(own, dt.date(2026, 1, 1)) == pytest.approx(
        norms["2025-2"] / norms["2024-1"] * 1.03
    )
    assert indexation(own).is_carried(dt.date(2026, 1, 1))
    assert not indexation(own).is_carried(dt.date(2025, 12, 1))


def test_a_scenario_year_replaces_the_shipped_rises_of_that_year_only() -> None:
    norms = {k: e.bedrag for k, e in default_rules().normen.gehuwden.items()}
    own = kosten(indexatie={"2025": 0.10})
    assert price_level(own, dt.date(2025, 12, 1)) == pytest.approx(
        norms["2024-2"] / norms["2024-1"] * 1.10
    )
    without = kosten(indexatie_per_jaar=0.02, ingebouwde_normen=False)
    assert price_level(without, dt.date(2025, 12, 1)) == pytest.approx(1.02)


def scenario_2027(tmp_path: Path, **extra: object) -> Path:
    params = one_group_parameters(exit_per_year=0.3, routes={"werk": 0.8, "aow": 0.2})
    params["klantgroepen"]["a"]["leeftijd"] = {"18-45": 0.5, "45-67": 0.5}
    write_toml(tmp_path / "params.toml", params)
    data = scenario_data(start=dt.date(2027, 1, 1), months=60, replications=2, **extra)
    data["kosten"] = {"prijsjaar": 2027, "per_maand": {"participatiewet": 1500.0}}
    data["aow"] = {}
    return write_toml(tmp_path / "scenario.toml", data)


def test_a_run_names_every_regime_and_every_value_it_carried(tmp_path: Path) -> None:
    record = rules_in_force(load_scenario(scenario_2027(tmp_path)))
    assert [y["jaar"] for y in record["vangnet"]] == [2027, 2028, 2029, 2030, 2031]
    assert {y["regime"] for y in record["vangnet"]} == {"vanaf-2019"}
    assert all(y["doorgetrokken"] for y in record["vangnet"])  # known in force up to 2025
    carried = {c["wat"]: c for c in record["doorgetrokken"]}
    assert set(carried) == {"bijstandsnorm", "vangnetregime"}  # AOW is known through 2031
    assert carried["bijstandsnorm"]["laatst_bekend"] == "2025-2"
    manifest = {"regels": record}
    assert regime_rows(manifest)[0]["jaren"] == "2027–2031"
    text = "\n".join(rules_block(manifest))
    assert "vanaf-2019, drempel 7,5%; voorwaarden bevestigd, schijven bevestigd" in text
    assert "bijstandsnorm" in text and "2e halfjaar 2025" in text
    assert "vangnetregime vanaf-2019: bekend t/m 2025" in text
    assert next(c["naam"] for c in carried_rows(manifest)).startswith("bijstandsnorm")


def test_an_aow_table_beyond_the_shipped_years_is_carried_and_named(tmp_path: Path) -> None:
    scenario_2027(tmp_path)  # writes params.toml, with ages
    longer = write_toml(
        tmp_path / "longer.toml",
        {**scenario_data(start=dt.date(2030, 1, 1), months=36, replications=2), "aow": {}},
    )
    record = rules_in_force(load_scenario(longer))
    aow = next(c for c in record["doorgetrokken"] if c["wat"] == "aow_leeftijd")
    assert (aow["laatst_bekend"], aow["waarde"], aow["vanaf"]) == ("2031", 807, 2032)
    assert "AOW-leeftijd: bekend t/m 2031; 67 jaar en 3 maanden" in "\n".join(
        rules_block({"regels": record})
    )
