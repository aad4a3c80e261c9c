"""Persistent inflow deviation ([instroom.schommeling]): the engine's AR(1) path against theory,
the expected inflow kept, sd 0 equal to no table, the same path for any workers and scenario,
sigma and rho recovered by the calibration, and bad values refused with file and key."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import tomli_w

import simbijstand
from conftest import one_group_parameters, scenario_data, write_toml
from recovery import START, simulate, write_aggregates, write_config, write_toy
from simbijstand.engine.draws import deviation_variance, inflow_multipliers
from simbijstand.engine.streams import deviation_seed
from simbijstand.errors import ScenarioError
from simbijstand.estimation.aggregate.deviation import (
    MIN_TERMS,
    DeviationFitter,
    DeviationSeries,
    cumulative_sd,
)
from simbijstand.estimation.calibrate import calibrate
from simbijstand.estimation.config.config import load_config
from simbijstand.estimation.errors import ConfigError, EstimationError
from simbijstand.estimation.parameter_files import parameter_file_data
from simbijstand.reporting.report import _band_sources
from simbijstand.runs.backtest import backtest
from simbijstand.runs.calibrate import run_calibration
from simbijstand.runs.run import prepare
from simbijstand.scenario import load_parameter_file
from simbijstand.scenario.schema import Schommeling


def deviating(sd: float, rho: float, **group: float) -> dict:
    params = one_group_parameters(**group)
    params["instroom"]["schommeling"] = {"sd_per_maand": sd, "persistentie": rho, "bron": "proef"}
    return params


# --- the path ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("sigma", "rho"), [(0.1, 0.8), (0.05, 1.0), (0.2, 0.0)])
def test_the_path_is_an_ar1_from_zero_with_mean_one(sigma: float, rho: float) -> None:
    """Var(eta_t) = sigma^2 (1 - rho^2t) / (1 - rho^2) (t sigma^2 for rho = 1),
    Cov(eta_t, eta_t+1) = rho Var(eta_t), E[multiplier] = 1; 6000 seeded paths, so the
    variances are within 4 standard errors (sqrt(2 / 6000) = 1.8%)."""
    months, n = 36, 6000
    deviation = Schommeling(sd_per_maand=sigma, persistentie=rho)
    paths = np.array(
        [
            inflow_multipliers(deviation, months, np.random.default_rng(deviation_seed(5, r, 0)))
            for r in range(n)
        ]
    )
    t = np.arange(1, months + 1)
    theory = sigma**2 * t if rho == 1 else sigma**2 * (1 - rho ** (2 * t)) / (1 - rho**2)
    np.testing.assert_allclose(deviation_variance(sigma, rho, months), theory)
    eta = np.log(paths) + theory / 2
    np.testing.assert_allclose(eta.var(axis=0), theory, rtol=0.075)
    np.testing.assert_allclose(eta.mean(axis=0), 0, atol=float(4 * np.sqrt(theory.max() / n)))
    lagged = np.mean(eta[:, 1:] * eta[:, :-1], axis=0)
    np.testing.assert_allclose(lagged, rho * theory[:-1], atol=float(4 * theory.max() / np.sqrt(n)))
    mean_se = np.sqrt(np.expm1(theory) / n)
    assert np.all(np.abs(paths.mean(axis=0) - 1) < 4 * mean_se)


def test_cumulative_sd_matches_simulated_paths() -> None:
    deviation = Schommeling(sd_per_maand=0.1, persistentie=0.8)
    paths = np.array(
        [
            inflow_multipliers(deviation, 12, np.random.default_rng(deviation_seed(2, r, 0)))
            for r in range(4000)
        ]
    )
    assert paths.mean(axis=1).std() == pytest.approx(cumulative_sd(0.1, 0.8, 12), rel=0.08)


# --- in a run ---------------------------------------------------------------------------------


def scenario_on(folder: Path, params: dict, name: str, *, uncertain: bool = False) -> Path:
    """A 24-month scenario of 30 replications on its own parameter file `<name>-params.toml`."""
    write_toml(folder / f"{name}-params.toml", params)
    gemeenten = {
        "Testdorp": {"parameters": f"{name}-params.toml", "beginstand": {"aantallen": {"a": 100}}}
    }
    scenario = scenario_data(months=24, replications=30, seed=4, gemeenten=gemeenten)
    scenario["simulatie"]["parameteronzekerheid"] = uncertain
    return write_toml(folder / f"{name}.toml", scenario)


def run(folder: Path, params: dict, name: str, *, uncertain: bool = False, workers: int = 1):
    path = scenario_on(folder, params, name, uncertain=uncertain)
    return simbijstand.run(path, out=folder / name, keep_events=0, workers=workers)


def test_the_expected_inflow_is_kept_and_spread_as_theory_says(make_scenario, tmp_path) -> None:
    """Mean-preserving multipliers: the mean inflow over replications equals the model's
    expectation within 4 standard errors. Its variance is the Poisson part plus the path's,
    sum_s,t mu_s mu_t (exp(Cov(eta_s, eta_t)) - 1), Cov(eta_s, eta_t) = rho^|t-s| v_min(s,t);
    with 150 replications a sample variance is within 35% (3 standard errors)."""
    sigma, rho = 0.15, 0.9
    params = deviating(sigma, rho, inflow_per_year=600.0)
    scenario = scenario_data(months=24, replications=150, seed=9)
    path = make_scenario(params, scenario)
    result = simbijstand.run(path, out=tmp_path / "run", workers=1, keep_events=0)
    inflow = (
        result.flows.filter(pl.col("event") == "instroom")
        .group_by("replication")
        .agg(pl.col("count").sum())["count"]
        .to_numpy()
    )
    mu = prepare(path).model.inflow_mean.sum(axis=1)
    assert abs(inflow.mean() - mu.sum()) < 4 * inflow.std(ddof=1) / np.sqrt(len(inflow))
    v = deviation_variance(sigma, rho, len(mu))
    t = np.arange(len(mu))
    covariance = rho ** np.abs(t[:, None] - t[None, :]) * v[np.minimum.outer(t, t)]
    theory = mu.sum() + mu @ np.expm1(covariance) @ mu
    assert inflow.var(ddof=1) == pytest.approx(theory, rel=0.35)
    assert theory > 10 * mu.sum()  # far beyond Poisson


def test_sd_zero_is_the_same_as_no_table(tmp_path: Path) -> None:
    plain = run(tmp_path, one_group_parameters(inflow_per_year=60.0), "plain")
    zero = run(tmp_path, deviating(0.0, 0.9, inflow_per_year=60.0), "zero")
    assert (plain.run_dir / "summary.csv").read_bytes() == (
        zero.run_dir / "summary.csv"
    ).read_bytes()
    assert plain.caseload.equals(zero.caseload)
    assert zero.manifest["uncertainty"]["bands"] == "toeval"


def with_uncertainty(params: dict) -> dict:
    params = copy.deepcopy(params)
    params["onzekerheid"] = [
        {
            "verdeling": "lognormaal",
            "sleutels": ["instroom.per_jaar", "klantgroepen.a.uitstroom_per_jaar"],
            "covariantie_log": [[0.09, 0.0], [0.0, 0.09]],
        }
    ]
    return params


def test_the_deviation_leaves_parameter_draws_and_events_alone(tmp_path: Path) -> None:
    """With parameter uncertainty on, a zero sd changes nothing; the parameter draws of a run
    with a deviation are those of a run without (their own stream)."""
    base = one_group_parameters(inflow_per_year=60.0)
    plain = run(tmp_path, with_uncertainty(base), "plain", uncertain=True)
    zero = run(
        tmp_path,
        with_uncertainty(deviating(0.0, 0.9, inflow_per_year=60.0)),
        "zero",
        uncertain=True,
    )
    assert plain.caseload.equals(zero.caseload)
    drawn = prepare(tmp_path / "plain.toml").draws()
    moving = with_uncertainty(deviating(0.1, 0.9, inflow_per_year=60.0))
    moved = prepare(scenario_on(tmp_path, moving, "moved", uncertain=True)).draws()
    assert drawn is not None and moved is not None
    for r in range(3):
        assert drawn.parameters(r)["Testdorp"].instroom.per_jaar == pytest.approx(
            moved.parameters(r)["Testdorp"].instroom.per_jaar
        )


def test_the_path_does_not_depend_on_workers(tmp_path: Path) -> None:
    params = deviating(0.1, 0.8, inflow_per_year=120.0)
    one = run(tmp_path, params, "one", workers=1)
    two = run(tmp_path, params, "two", workers=2)
    assert one.caseload.equals(two.caseload)
    uncertainty = one.manifest["uncertainty"]
    assert uncertainty["bands"] == "toeval en schommeling van de instroom"
    (file, values), *_ = uncertainty["inflow_deviation"]["files"].items()
    assert file.endswith("one-params.toml") and values == {"sd_per_maand": 0.1, "persistentie": 0.8}


def test_scenarios_on_the_same_file_share_the_path(make_scenario, tmp_path: Path) -> None:
    """Common random numbers: another horizon, a shock and parameter draws on or off leave
    replication r's path as it is (a longer horizon extends it)."""
    params = with_uncertainty(deviating(0.1, 0.8, inflow_per_year=120.0))
    short = scenario_data(months=12)
    long = scenario_data(months=24, multiplicator=[{"van": dt.date(2021, 6, 1), "instroom": 1.5}])
    long["simulatie"]["parameteronzekerheid"] = True
    first = prepare(make_scenario(params, short, "kort.toml"))
    second = prepare(make_scenario(params, long, "lang.toml"))
    a, b = first.draws(), second.draws()
    assert a is not None and b is not None and not a.parameters_drawn and b.parameters_drawn
    for r in range(3):
        early = a.inflow_factors(r, first.model)
        late = b.inflow_factors(r, second.model)
        assert early is not None and late is not None
        np.testing.assert_array_equal(early, late[:12])
    assert not np.array_equal(a.inflow_factors(0, first.model), a.inflow_factors(1, first.model))


def test_bands_text_names_the_deviation() -> None:
    bands = {
        "uncertainty": {"bands": "toeval, parameteronzekerheid en schommeling van de instroom"}
    }
    text = _band_sources(bands)
    assert "geschatte parameters" in text and "schommelingen van de instroom" in text
    assert _band_sources({}) == "die variatie"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sd", "rho", "words"),
    [
        (-0.1, 0.5, ["instroom.schommeling.sd_per_maand = -0.1", "at least 0"]),
        (0.1, 1.5, ["instroom.schommeling.persistentie = 1.5", "at most 1"]),
        (0.1, -0.2, ["instroom.schommeling.persistentie = -0.2", "at least 0"]),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path: Path, sd, rho, words) -> None:
    path = write_toml(tmp_path / "p.toml", deviating(sd, rho))
    with pytest.raises(ScenarioError) as caught:
        load_parameter_file(path)
    assert_names(caught.value.problems, path, words)


def assert_names(problems: list[str], path: Path, words: list[str]) -> None:
    """The problems name the file and say every one of `words`."""
    message = "\n".join(problems)
    assert str(path) in message
    for word in words:
        assert word in message, message


def config(sd: object = "schatten", rho: object = "schatten", months: int = 120) -> dict:
    """Stocks only, a fixed exit hazard: the inflow level and the deviation are estimated."""
    return {
        "naam": "schommeling",
        "waarneming": {"van": START, "tot": dt.date(START.year + months // 12, 1, 1)},
        "model": {"routes": ["overig"], "overdispersie": "schatten"},
        "instroom": {
            "trend": {"waarde": 0.0, "bron": "proef"},
            "seizoen": "geen",
            "klantgroepen": {"waarde": {"a": 1.0}, "bron": "proef"},
            "schommeling": {"sd_per_maand": sd, "persistentie": rho},
        },
        "klantgroepen": {"a": {"uitstroom": {"overig": {"waarde": 0.5, "bron": "de waarheid"}}}},
        "gemeenten": {"Proef": {"uitvoer": "uit.toml"}},
        "reeks": [{"naam": "bestand", "formaat": "bestand_klantgroep", "bestand": "bestand.csv"}],
    }


@pytest.mark.parametrize(
    ("rho", "words"),
    [
        (
            {"waarde": 1.2, "bron": "x"},
            ["instroom.schommeling.persistentie.waarde = 1.2", "at most 1"],
        ),
        ({"waarde": 0.5}, ["instroom.schommeling.persistentie", 'bron = "..."']),
    ],
)
def test_bad_config_values_name_the_file_and_key(tmp_path: Path, rho, words) -> None:
    path = write_config(tmp_path, config(rho=rho))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert_names(caught.value.problems, path, words)


def test_too_few_monthly_stocks_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    rows = [f"Proef,{dt.date(2018 + y, 1, 1)},,{1000 + 10 * y}" for y in range(4)]
    (folder / "bestand.csv").write_text("gemeente,peildatum,klantgroep,aantal\n" + "\n".join(rows))
    with pytest.raises(EstimationError) as caught:
        calibrate(write_config(folder, config(months=36)))
    assert "instroom.schommeling" in str(caught.value) and f"at least {MIN_TERMS}" in str(
        caught.value
    )


# --- recovery ---------------------------------------------------------------------------------


def synthetic(sigma: float, rho: float, noise: float, months: int, rng) -> DeviationSeries:
    eta = np.zeros(months)
    for t in range(months):
        eta[t] = (rho * eta[t - 1] if t else 0.0) + sigma * rng.standard_normal()
    x = eta + noise * rng.standard_normal(months)
    return DeviationSeries("g", (), x, np.full(months, noise**2))


def test_sigma_and_rho_are_recovered_from_a_series() -> None:
    """Two gemeenten of ten years, AR(1) observed with known chance: both 95% intervals hold
    the truth, and fixing rho at its truth recovers sigma alone."""
    rng = np.random.default_rng(12)
    series = [synthetic(0.1, 0.8, 0.05, 120, rng) for _ in range(2)]
    fit = DeviationFitter(0.95).fit(series)
    assert fit.sigma_interval_[0] < 0.1 < fit.sigma_interval_[1]
    assert fit.rho_interval_[0] < 0.8 < fit.rho_interval_[1]
    assert fit.sigma_ == pytest.approx(0.1, rel=0.2) and fit.rho_ == pytest.approx(0.8, abs=0.12)
    fixed = DeviationFitter(0.95, rho=0.8).fit(series)
    assert fixed.rho_ == 0.8 and fixed.rho_interval_ is None
    assert fixed.sigma_interval_[0] < 0.1 < fixed.sigma_interval_[1]


def test_the_known_chance_is_not_taken_for_deviation() -> None:
    """Pure chance (sigma 0) with a large known noise: sigma's interval reaches 0."""
    rng = np.random.default_rng(3)
    fit = DeviationFitter(0.95).fit([synthetic(0.0, 0.5, 0.2, 120, rng)])
    assert fit.sigma_interval_[0] == 0.0 and fit.sigma_ < 0.05


@pytest.mark.slow
def test_intervals_hold_95_percent_of_series() -> None:
    rng = np.random.default_rng(2024)
    hits = np.array(
        [
            [
                fit.sigma_interval_[0] <= 0.08 <= fit.sigma_interval_[1],
                fit.rho_interval_[0] <= 0.7 <= fit.rho_interval_[1],
            ]
            for fit in (
                DeviationFitter(0.95).fit([synthetic(0.08, 0.7, 0.04, 120, rng)])
                for _ in range(200)
            )
        ]
    )
    assert np.all((hits.mean(axis=0) > 0.9) & (hits.mean(axis=0) < 0.99)), hits.mean(axis=0)


def calibrate_engine_data(folder: Path, replications: int, seed: int) -> list[Path]:
    """Ten years of monthly stocks of a gemeente simulated with sd 0.1 and persistence 0.7."""
    truth = {
        "schema_version": 1,
        "routes": ["overig"],
        "duurbanden_maanden": [0],
        "instroom": {
            "per_jaar": 6000.0,
            "klantgroepen": {"a": 1.0},
            "schommeling": {"sd_per_maand": 0.1, "persistentie": 0.7},
        },
        "klantgroepen": {"a": {"uitstroom_per_jaar": 0.5, "uitstroom_routes": {"overig": 1.0}}},
    }
    result = simulate(folder, truth, {"a": 12000}, 120, replications, seed)
    configs = []
    for r in range(replications):
        write_aggregates(result, r, folder / f"r{r}", per_group=False, flows=())
        configs.append(write_config(folder / f"r{r}", config()))
    return configs


def held(path: Path) -> dict[str, bool]:
    data = parameter_file_data(calibrate(path), "Proef", path.parent / "uit.toml", version="test")
    truth = {"sd_per_maand": 0.1, "persistentie": 0.7}
    return {
        k: data["intervallen"][f"instroom.schommeling.{k}"]["laag"]
        <= v
        <= data["intervallen"][f"instroom.schommeling.{k}"]["hoog"]
        for k, v in truth.items()
    }


def test_engine_data_give_back_sigma_and_rho(tmp_path: Path) -> None:
    """End to end: the engine's path in simulated stocks, calibrated; the parameter file and
    the report carry the estimate with its provenance."""
    (path,) = calibrate_engine_data(tmp_path, 1, seed=6)
    assert held(path) == {"sd_per_maand": True, "persistentie": True}
    output = run_calibration(path)
    params = load_parameter_file(output.parameter_files["Proef"])
    deviation = params.instroom.schommeling
    assert (
        deviation is not None
        and "geschat" in deviation.bron
        and "119 maandresiduen" in (deviation.bron)
    )
    # the forecast starts where the last months are: the filtered value, with its uncertainty
    assert 0 < deviation.start_sd < 0.1 and abs(deviation.start) < 0.4
    assert "Kalman" in deviation.bron
    report = output.report.read_text()
    assert "## Schommeling van de instroom" in report


def test_assumed_values_are_stated(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    rows = [f"Proef,{dt.date(2018 + y, 1, 1)},,{1000 + 10 * y}" for y in range(4)]
    (folder / "bestand.csv").write_text("gemeente,peildatum,klantgroep,aantal\n" + "\n".join(rows))
    path = write_config(
        folder,
        config(
            sd={"waarde": 0.05, "bron": "aanname: landelijk"},
            rho={"waarde": 0.9, "bron": "aanname: traag"},
            months=36,
        ),
    )
    calibration = calibrate(path)
    data = parameter_file_data(calibration, "Proef", folder / "uit.toml", version="test")
    assert data["instroom"]["schommeling"]["sd_per_maand"] == 0.05
    assert "aanname: landelijk" in data["instroom"]["schommeling"]["bron"]
    assert calibration.assumptions["instroom.schommeling.persistentie"] == "0.9: aanname: traag"
    assert not any(k.startswith("instroom.schommeling") for k in data["intervallen"])
    assert "start_sd" in data["instroom"]["schommeling"]  # filtered with the assumed values


@pytest.mark.slow
def test_engine_intervals_hold_about_95_percent(tmp_path: Path) -> None:
    found = [held(p) for p in calibrate_engine_data(tmp_path, 60, seed=21)]
    shares = {k: np.mean([f[k] for f in found]) for k in found[0]}
    # the in-sample level absorbs a little of the deviation: rho's coverage may fall short
    assert all(v >= 0.85 for v in shares.values()), shares


def test_a_backtest_draws_the_calibrated_deviation(tmp_path: Path) -> None:
    """The backtest simulates from the fitted parameter file, deviation included: the same
    origin with an assumed deviation gives wider bands than without."""
    path = write_toy(tmp_path)
    plain = backtest(path, [dt.date(2020, 1, 1)], [12], replications=30)
    data = tomllib.loads(path.read_text())
    data["instroom"]["schommeling"] = {
        "sd_per_maand": {"waarde": 0.3, "bron": "proef"},
        "persistentie": {"waarde": 0.9, "bron": "proef"},
    }
    path.write_text(tomli_w.dumps(data))
    wide = backtest(path, [dt.date(2020, 1, 1)], [12], replications=30)

    def width(result) -> float:
        low, high = result[0].forecasts["simbijstand"].bands[0.8]
        return float(np.mean(high - low))

    assert width(wide) > 1.5 * width(plain)
