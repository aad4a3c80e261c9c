"""`simbijstand init`: the written scenario validates and runs unedited, starts at the rates'
steady state (no first-year warning), refuses bad input with exit 2; and the rates are the
pooled calibration's prediction for a new gemeente."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from simbijstand import api
from simbijstand.cli import main
from simbijstand.estimation.pooled.newgemeente import NewGemeente, at_steady_state, predict
from simbijstand.estimation.pooled.record import record_data, record_from_data, shipped_record
from simbijstand.runs.first_year import expected_first_year
from simbijstand.runs.init import InitRequest, plan_init
from simbijstand.runs.init_defaults import aow_exit_factors
from simbijstand.runs.run import prepare
from simbijstand.scenario import load_parameter_file

ZWOLLE = ["--gemeente", "Zwolle", "--start", "2027-01-01", "--bestand", "6000",
          "--inwoners", "130000", "--budget", "95000000"]  # fmt: skip


def init(folder: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["init", str(folder), *args])


def test_written_scenario_validates_and_runs(tmp_path: Path) -> None:
    result = init(tmp_path / "zwolle", *ZWOLLE)
    assert result.exit_code == 0, result.output
    scenario = tmp_path / "zwolle" / "scenario.toml"
    assert sorted(p.name for p in scenario.parent.iterdir()) == [
        "beginstand.csv", "parameters.toml", "scenario.toml"
    ]  # fmt: skip
    prepared = prepare(scenario)
    assert prepared.first_year == ()  # the first-year warning stays silent
    validate = CliRunner().invoke(main, ["validate", str(scenario)])
    assert validate.exit_code == 0 and "waarschuwing" not in validate.output
    run = api.run(scenario, replications=4, workers=1, out=tmp_path / "out")
    finance = pl.read_csv(run.run_dir / "finance_summary.csv")
    years = finance.filter(pl.col("quantity") == "budget_eur")
    assert years["year"].to_list() == [2027, 2028]
    assert years["mean"][0] == 95_000_000
    assert {"deficit_eur", "vangnet_eur"} <= set(finance["quantity"])
    summary = pl.read_csv(run.run_dir / "summary.csv")
    end = summary.filter(pl.col("date") == "2028-01-01")["p50"][0]
    assert 0.85 * 6000 < end < 1.15 * 6000


def test_own_klantgroepen_and_assumed_inwoners(tmp_path: Path) -> None:
    folder = tmp_path / "mijn"
    result = init(folder, "--gemeente", "Súdwest-Fryslân", "--start", "2027-07-01",
                  "--bestand", "900", "--klantgroep", "werk=300",
                  "--klantgroep", "participatie=600", "--resultaat", "2026=-100000")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "aangenomen" in result.output and "inwoners" in result.output
    text = (folder / "scenario.toml").read_text("utf-8")
    assert "horizon_maanden = 18" in text and "--inwoners niet gegeven" in text
    params = load_parameter_file(folder / "parameters.toml")
    assert params.instroom.klantgroepen == {"werk": pytest.approx(1 / 3), "participatie":
                                            pytest.approx(2 / 3)}  # fmt: skip
    assert prepare(folder / "scenario.toml").first_year == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2027-01-15"], "eerste van een maand"),
        (["--start", "2027-13-01"], "--start"),
        (["--bestand", "0"], "--bestand"),
        (["--bestand", "zes"], "--bestand"),
        (["--inwoners", "5000"], "--inwoners"),
        (["--klantgroep", "a=10"], "tellen op"),
        (["--klantgroep", "-a=6000"], "--klantgroep"),
        (["--resultaat", "2020=5"], "--resultaat"),
    ],
)
def test_bad_values_exit_2_and_write_nothing(tmp_path: Path, args: list[str], message: str):
    options = dict(zip(ZWOLLE[::2], ZWOLLE[1::2], strict=True))
    repeated = args[0] in ("--klantgroep", "--resultaat")  # added to the others
    if not repeated:
        options[args[0]] = args[1]
    argv = [*(x for pair in options.items() for x in pair), *(args if repeated else [])]
    result = init(tmp_path / "out", *argv)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []  # no staging folder left behind


def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "bestaand"
    folder.mkdir()
    (folder / "notities.txt").write_text("van mij", "utf-8")
    result = init(folder, *ZWOLLE)
    assert result.exit_code == 2 and "niet leeg" in result.output
    assert [p.name for p in folder.iterdir()] == ["notities.txt"]
    empty = tmp_path / "leeg"
    empty.mkdir()
    assert init(empty, *ZWOLLE).exit_code == 0


# --- the rates ----------------------------------------------------------------------------------


def test_prediction_is_the_pool_mean_at_the_covariates() -> None:
    record = shipped_record()
    gemeente = NewGemeente(inwoners=85_000.0, persons=7_000.0)
    pool = record.inflow
    x = np.array([1.0, math.log(85_000) - pool.centre["grootte"],
                  math.log(7_005 / 85_000) - pool.centre["dichtheid"],
                  0.0 - pool.centre["verandering"]])  # fmt: skip
    prediction = predict(record, gemeente)
    assert prediction.inflow.mean == pytest.approx(float(x @ pool.beta), rel=1e-12)
    assert prediction.inflow.variance == pytest.approx(pool.tau2 + x @ pool.beta_cov @ x)


def test_large_and_small_gemeenten_differ_as_the_coefficients_say() -> None:
    record = shipped_record()
    small = predict(record, NewGemeente(10_000.0, 400.0))
    large = predict(record, NewGemeente(200_000.0, 8_000.0))  # same density (almost: + 5)
    density = math.log(8_005 / 200_000) - math.log(405 / 10_000)
    for rate, pool in ((small.inflow, record.inflow), (small.exit, record.exit)):
        other = large.inflow if pool is record.inflow else large.exit
        beta = dict(zip(pool.covariates, pool.beta[1:], strict=True))
        expected = beta["grootte"] * math.log(20) + beta["dichtheid"] * density
        assert other.mean - rate.mean == pytest.approx(expected, rel=1e-9)
    # what the 2016 fit says: per inhabitant, larger gemeenten of equal density have less inflow
    assert record.inflow.beta[1] < 0 and large.inflow.mean < small.inflow.mean + 0.9 * density


def test_record_round_trips_through_toml() -> None:
    record = shipped_record()
    again = record_from_data(record_data(record), "test")
    assert again.inflow.beta.tolist() == record.inflow.beta.tolist()
    assert again.persons_per_benefit == record.persons_per_benefit


def test_steady_state_moves_nothing_when_the_pool_is_already_there() -> None:
    record = shipped_record()
    prediction = predict(record, NewGemeente(85_000.0, 7_000.0))
    per = 85_000.0 / record.persons_per_benefit
    hazard = prediction.exit.value + 0.02
    stock = prediction.inflow.value * per / hazard  # the prediction's own steady state
    rates = at_steady_state(prediction, stock, per, 0.02)
    assert rates.inflow_per_year == pytest.approx(prediction.inflow.value * per, rel=1e-5)
    assert rates.counted_hazard == pytest.approx(prediction.exit.value, rel=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    bestand=st.integers(min_value=20, max_value=60_000),
    per_inhabitant=st.floats(min_value=0.002, max_value=0.08),
    month=st.integers(min_value=1, max_value=12),
)
def test_any_gemeente_starts_at_its_steady_state(bestand: int, per_inhabitant: float, month: int):
    inwoners = max(round(bestand / per_inhabitant), bestand * 3)
    plan = plan_init(InitRequest("Ergens", dt.date(2027, month, 1), bestand, inwoners))
    rates = plan.rates
    assert rates.inflow_per_year == pytest.approx(rates.hazard * bestand, rel=1e-9)


def test_written_rates_have_no_first_year_move(tmp_path: Path) -> None:
    for bestand, inwoners in ((60, 30_000), (6000, 130_000), (40_000, 900_000)):
        folder = tmp_path / str(bestand)
        result = init(folder, "--gemeente", "G", "--start", "2028-01-01",
                      "--bestand", str(bestand), "--inwoners", str(inwoners))  # fmt: skip
        assert result.exit_code == 0, result.output
        params = load_parameter_file(folder / "parameters.toml")
        after, steady = expected_first_year(params, np.array([float(bestand)]))
        assert after[0] == pytest.approx(bestand, rel=1e-3) and steady[0] == pytest.approx(
            bestand, rel=1e-3
        )


def test_aow_factor_follows_the_shipped_ages() -> None:
    record = shipped_record()
    factors = aow_exit_factors(dt.date(2027, 1, 1), 24, record)
    # 67 in 2027, 67 and 3 months in 2028: only 9 birth months reach it in 2028
    assert factors.ages == {2027: "67-0", 2028: "67-3"}
    assert factors.by_year == {2028: 0.75} and factors.start_year == 1.0
    assert factors.fit_year == 0.75  # 2016: 65-3 -> 65-6
    with (Path(__file__).parents[1] / "calibration/gemeenten/pool-gemeenten.toml").open("rb") as f:
        assert tomllib.load(f)["aow_leeftijd"] == ["65-3", "65-6"]
