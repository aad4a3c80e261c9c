"""Estimation uncertainty in parameter files and runs: checks, draws, streams, workers."""

from __future__ import annotations

import copy
import json
import shutil

import numpy as np
import polars as pl
import pytest

import simbijstand
from conftest import one_group_parameters, scenario_data, write_toml
from simbijstand.errors import ScenarioError
from simbijstand.scenario import load_parameter_file
from simbijstand.scenario.schema import ParameterFile
from simbijstand.scenario.uncertainty import draw_parameters

BASE = {
    "schema_version": 1,
    "routes": ["werk", "overig"],
    "duurbanden_maanden": [0, 12],
    "instroom": {"per_jaar": 100.0, "trend_per_jaar": 0.02, "klantgroepen": {"a": 0.6, "b": 0.4}},
    "klantgroepen": {
        "a": {
            "uitstroom_per_jaar": 0.5,
            "uitstroom_routes": {"werk": 0.8, "overig": 0.2},
            "duur_factor": [1.2, 0.8],
            "doorstroom_per_jaar": {"b": 0.1},
        },
        "b": {"uitstroom_per_jaar": 0.2, "uitstroom_routes": {"overig": 1.0}},
    },
}


def with_blocks(*blocks: dict) -> ParameterFile:
    data = copy.deepcopy(BASE) | {"onzekerheid": list(blocks)}
    return ParameterFile.model_validate(data)


def draws(params: ParameterFile, n: int = 4000) -> list[ParameterFile]:
    rng = np.random.default_rng(7)
    return [draw_parameters(params, rng) for _ in range(n)]


def test_a_lognormal_block_draws_around_the_file_value_with_its_covariance() -> None:
    covariance = [[0.04, 0.02], [0.02, 0.09]]
    params = with_blocks(
        {
            "verdeling": "lognormaal",
            "sleutels": ["instroom.per_jaar", "klantgroepen.a.uitstroom.werk"],
            "covariantie_log": covariance,
        }
    )
    drawn = draws(params)
    logs = np.log(
        [
            [
                d.instroom.per_jaar,
                d.klantgroepen["a"].uitstroom_per_jaar
                * d.klantgroepen["a"].uitstroom_routes["werk"],
            ]
            for d in drawn
        ]
    )
    np.testing.assert_allclose(logs.mean(axis=0), np.log([100.0, 0.4]), atol=0.015)
    np.testing.assert_allclose(np.cov(logs.T), covariance, atol=0.006)
    # the other route keeps its hazard: only werk moved
    overig = [
        d.klantgroepen["a"].uitstroom_per_jaar * d.klantgroepen["a"].uitstroom_routes["overig"]
        for d in drawn
    ]
    np.testing.assert_allclose(overig, 0.1)


def test_normal_blocks_on_one_key_add_into_one_symmetric_factor() -> None:
    own = {"verdeling": "normaal", "sleutels": ["instroom.per_jaar"], "covariantie": [[0.09]]}
    national = own | {"gedeeld": "landelijk"}
    params = with_blocks(own, national)
    rng = np.random.default_rng(11)
    shared = np.random.default_rng(12)
    inflow = np.array(
        [
            draw_parameters(params, rng, lambda _, k: shared.standard_normal(k)).instroom.per_jaar
            for _ in range(20_000)
        ]
    )
    # 100 x (1 + z), z ~ N(0, 0.18): mean and median 100, sd 42.4. Monte Carlo sd of the mean
    # 0.30 and of the median 0.37; a product of the two factors would have its median at 95.6.
    assert inflow.mean() == pytest.approx(100.0, abs=1.2)
    assert np.median(inflow) == pytest.approx(100.0, abs=1.5)
    assert inflow.std() == pytest.approx(100 * np.sqrt(0.18), rel=0.03)
    assert inflow.min() >= 0.0


def test_gamma_dirichlet_and_band_keys() -> None:
    params = with_blocks(
        {
            "verdeling": "gamma",
            "sleutels": ["klantgroepen.a.uitstroom_band[2]"],
            "vorm": 40.0,
            "schaal": 0.01,
        },
        {
            "verdeling": "dirichlet",
            "sleutels": ["klantgroepen.a.uitstroom_routes"],
            "concentratie": {"werk": 80.0, "overig": 20.0},
        },
        {
            "verdeling": "dirichlet",
            "sleutels": ["instroom.klantgroepen"],
            "concentratie": {"a": 30.0, "b": 20.0},
        },
    )
    drawn = draws(params, 3000)
    band = [
        d.klantgroepen["a"].uitstroom_per_jaar * d.klantgroepen["a"].duur_factor[1] for d in drawn
    ]
    assert np.mean(band) == pytest.approx(0.4, rel=0.02)
    assert np.std(band) == pytest.approx(np.sqrt(40) * 0.01, rel=0.08)
    # band 1 keeps its hazard 0.5 x 1.2; the route shares move, their total does not
    first = [
        d.klantgroepen["a"].uitstroom_per_jaar * d.klantgroepen["a"].duur_factor[0] for d in drawn
    ]
    np.testing.assert_allclose(first, 0.6)
    werk = np.array([d.klantgroepen["a"].uitstroom_routes["werk"] for d in drawn])
    assert werk.mean() == pytest.approx(0.8, abs=0.005)
    assert werk.std() == pytest.approx(np.sqrt(0.8 * 0.2 / 101), rel=0.08)
    entry = np.array([d.instroom.klantgroepen["a"] for d in drawn])
    assert entry.mean() == pytest.approx(0.6, abs=0.01)


def test_seasonal_draws_keep_averaging_one() -> None:
    data = copy.deepcopy(BASE)
    data["instroom"]["seizoen"] = [1.2] * 6 + [0.8] * 6
    data["onzekerheid"] = [
        {
            "verdeling": "lognormaal",
            "sleutels": ["instroom.seizoen[1]", "instroom.trend_per_jaar"],
            "covariantie_log": [[0.05, 0.0], [0.0, 0.01]],
        }
    ]
    for d in draws(ParameterFile.model_validate(data), 50):
        assert np.mean(d.instroom.seizoen) == pytest.approx(1.0)
        assert d.instroom.trend_per_jaar > -1


BROKEN = [
    (
        {"verdeling": "lognormaal", "sleutels": ["instroom.per_jaarr"], "covariantie_log": [[0.1]]},
        ["onzekerheid[1]", "instroom.per_jaarr", "not a parameter key"],
    ),
    (
        {
            "verdeling": "lognormaal",
            "sleutels": ["klantgroepen.c.uitstroom_per_jaar"],
            "covariantie_log": [[0.1]],
        },
        ["names nothing"],
    ),
    (
        {
            "verdeling": "lognormaal",
            "sleutels": ["instroom.per_jaar"],
            "covariantie_log": [[0.1, 0.0]],
        },
        ["covariantie_log", "shape", "1 x 1"],
    ),
    (
        {
            "verdeling": "lognormaal",
            "sleutels": ["instroom.per_jaar", "klantgroepen.b.uitstroom_per_jaar"],
            "covariantie_log": [[0.1, 0.5], [0.5, 0.1]],
        },
        ["not positive semi-definite"],
    ),
    (
        {
            "verdeling": "gamma",
            "sleutels": ["instroom.per_jaar", "klantgroepen.b.uitstroom_per_jaar"],
            "vorm": 2.0,
            "schaal": 1.0,
        },
        ["exactly one key"],
    ),
    (
        {"verdeling": "gamma", "sleutels": ["instroom.trend_per_jaar"], "vorm": 2.0, "schaal": 1.0},
        ["trend_per_jaar can be negative"],
    ),
    (
        {
            "verdeling": "dirichlet",
            "sleutels": ["klantgroepen.a.uitstroom_routes"],
            "concentratie": {"werk": 1.0},
        },
        ["concentratie", "exactly the table's keys", "overig"],
    ),
    ({"verdeling": "gamma", "sleutels": ["instroom.per_jaar"], "vorm": 2.0}, ["needs schaal"]),
]


@pytest.mark.parametrize(("block", "words"), BROKEN)
def test_broken_uncertainty_blocks_are_refused_with_the_key(tmp_path, block, words) -> None:
    path = write_toml(tmp_path / "p.toml", copy.deepcopy(BASE) | {"onzekerheid": [block]})
    with pytest.raises(ScenarioError) as caught:
        load_parameter_file(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_parameter_uncertainty_needs_a_stated_uncertainty(make_scenario) -> None:
    scenario = scenario_data(
        simulatie={
            "start": __import__("datetime").date(2021, 1, 1),
            "horizon_maanden": 6,
            "parameteronzekerheid": True,
        }
    )
    path = make_scenario(one_group_parameters(), scenario)
    with pytest.raises(ScenarioError) as caught:
        simbijstand.load_scenario(path)
    assert "parameteronzekerheid" in str(caught.value) and "params.toml" in str(caught.value)


def uncertain_group(covariance: float) -> dict:
    params = one_group_parameters(exit_per_year=0.5, inflow_per_year=60.0)
    params["onzekerheid"] = [
        {
            "verdeling": "lognormaal",
            "sleutels": ["instroom.per_jaar", "klantgroepen.a.uitstroom_per_jaar"],
            "covariantie_log": [[covariance, 0.0], [0.0, covariance]],
        }
    ]
    return params


def run(make_scenario, tmp_path, params, flag: bool, workers: int = 1, name: str = "run"):
    scenario = scenario_data(months=12, replications=30, seed=4)
    scenario["simulatie"]["parameteronzekerheid"] = flag
    path = make_scenario(params, scenario)
    return simbijstand.run(path, out=tmp_path / name, workers=workers, keep_events=0)


def test_drawing_leaves_the_event_streams_alone(make_scenario, tmp_path) -> None:
    """With a zero covariance every draw is the point estimate: the run must equal a run
    without parameter uncertainty, replication by replication."""
    plain = run(make_scenario, tmp_path, uncertain_group(0.0), False, name="plain")
    drawn = run(make_scenario, tmp_path, uncertain_group(0.0), True, name="drawn")
    assert plain.caseload.equals(drawn.caseload)


def test_parameter_draws_widen_the_bands_and_do_not_depend_on_workers(
    make_scenario, tmp_path
) -> None:
    plain = run(make_scenario, tmp_path, uncertain_group(0.09), False, name="plain")
    one = run(make_scenario, tmp_path, uncertain_group(0.09), True, workers=1, name="one")
    two = run(make_scenario, tmp_path, uncertain_group(0.09), True, workers=2, name="two")
    assert one.caseload.equals(two.caseload)
    end = pl.col("date") == pl.col("date").max()
    spread = [r.caseload.filter(end)["count"].std() for r in (plain, one)]
    assert spread[1] > 1.3 * spread[0]
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert manifest["uncertainty"]["bands"] == "toeval en parameteronzekerheid"
    assert (
        json.loads((tmp_path / "plain" / "manifest.json").read_text())["uncertainty"]["bands"]
        == "toeval"
    )


def test_a_run_with_parameter_draws_resumes_to_the_same_caseload(make_scenario, tmp_path) -> None:
    """Killed after some replications: the resumed run draws the missing replications'
    parameters again from their own streams and ends where an uninterrupted run ends."""
    whole = run(make_scenario, tmp_path, uncertain_group(0.09), True, name="whole")
    broken = tmp_path / "broken"
    shutil.copytree(whole.run_dir, broken)
    (broken / "manifest.json").unlink()
    (broken / "caseload.parquet").unlink()
    for checkpoint in sorted((broken / "chunks").iterdir())[3:8]:
        checkpoint.unlink()
    resumed = simbijstand.resume(broken, workers=1)
    assert resumed.caseload.equals(whole.caseload)
