"""Macro paths and dated policy turned into monthly multipliers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import simbijstand
from conftest import one_group_parameters, scenario_data, write_toml
from simbijstand.scenario.paths import macro_multipliers, preventie_multipliers, unemployment_path
from simbijstand.scenario.schema_policy import Beleid, Macro

MONTHS = [dt.date(2021, m, 1) for m in range(1, 13)]


def macro(**changes: object) -> Macro:
    values = {
        "werkloosheid": {"2021-01": 4.0, "2021-05": 8.0},
        "referentie": 4.0,
        "elasticiteit_instroom": 0.5,
        "elasticiteit_werk": -1.0,
    }
    return Macro.model_validate(values | changes)


def test_unemployment_is_linear_between_points_and_flat_outside() -> None:
    path = unemployment_path(macro(), [dt.date(2020, 12, 1), *MONTHS[:6]])
    assert path.tolist() == [4.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0]


def test_multipliers_follow_the_elasticities_with_their_lags() -> None:
    inflow, work = macro_multipliers(macro(vertraging_werk_maanden=2), MONTHS[:6])
    assert inflow[4] == pytest.approx(2.0**0.5)
    assert work[4] == pytest.approx((6.0 / 4.0) ** -1.0)  # u two months earlier: March, 6%
    assert inflow[0] == pytest.approx(1.0)


def test_preventiequote_scales_inflow_from_its_month_on() -> None:
    beleid = Beleid.model_validate(
        {"preventiequote": {"2021-04": 0.4}, "preventiequote_referentie": 0.34}
    )
    factor = preventie_multipliers(beleid, MONTHS[:6])
    assert factor[0] == pytest.approx(1.0 * 0.6 / 0.66)  # the first quote also holds before it
    assert np.allclose(factor, 0.6 / 0.66)
    stepped = Beleid.model_validate(
        {"preventiequote": {"2021-01": 0.34, "2021-04": 0.5}, "preventiequote_referentie": 0.34}
    )
    assert preventie_multipliers(stepped, MONTHS[:6]).round(4).tolist() == [
        1.0,
        1.0,
        1.0,
        0.7576,
        0.7576,
        0.7576,
    ]


def test_a_higher_preventiequote_lowers_inflow_in_a_run(tmp_path: Path) -> None:
    write_toml(tmp_path / "params.toml", one_group_parameters(inflow_per_year=600))

    def inflow(quote: float) -> float:
        data = scenario_data(
            months=12,
            replications=10,
            beleid={"preventiequote": {"2021-01": quote}, "preventiequote_referentie": 0.34},
        )
        path = write_toml(tmp_path / f"s{quote}.toml", data)
        result = simbijstand.run(path, out=tmp_path / f"run{quote}", workers=1)
        return result.flows.filter(pl.col("event") == "instroom")["count"].sum() / 10

    assert inflow(0.34) == pytest.approx(600, rel=0.05)
    assert inflow(0.67) == pytest.approx(300, rel=0.08)
