"""Builders for small scenarios with known answers, written to a temporary folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"


def one_group_parameters(
    *,
    exit_per_year: float = 0.5,
    inflow_per_year: float = 0.0,
    routes: dict[str, float] | None = None,
    bands: list[float] | None = None,
    duur_factor: list[float] | None = None,
) -> dict[str, Any]:
    """A parameter file with one klantgroep 'a' and optional duration bands."""
    routes = routes or {"werk": 1.0}
    group: dict[str, Any] = {"uitstroom_per_jaar": exit_per_year, "uitstroom_routes": routes}
    if duur_factor is not None:
        group["duur_factor"] = duur_factor
    return {
        "schema_version": 1,
        "routes": sorted(set(routes) | {"werk"}),
        "duurbanden_maanden": bands or [0],
        "instroom": {"per_jaar": inflow_per_year, "klantgroepen": {"a": 1.0}},
        "klantgroepen": {"a": group},
    }


def scenario_data(
    *,
    start: dt.date = dt.date(2021, 1, 1),
    months: int = 24,
    replications: int = 50,
    seed: int = 1,
    gemeenten: dict[str, dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data = {
        "naam": "test",
        "simulatie": {
            "start": start,
            "horizon_maanden": months,
            "replicaties": replications,
            "seed": seed,
        },
        "gemeenten": gemeenten
        or {"Testdorp": {"parameters": "params.toml", "beginstand": {"aantallen": {"a": 100}}}},
        "kosten": {"prijsjaar": start.year, "per_maand": {"participatiewet": 1000.0}},
    }
    data.update(extra)
    return data


def write_toml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def make_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write params.toml and scenario.toml into a fresh folder; return the scenario's path."""

    def make(
        parameters: dict[str, Any],
        scenario: dict[str, Any] | None = None,
        name: str = "scenario.toml",
    ) -> Path:
        write_toml(tmp_path / "params.toml", parameters)
        return write_toml(tmp_path / name, scenario or scenario_data())

    return make
