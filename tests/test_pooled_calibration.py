"""The pooled calibration of every gemeente: files the engine reads, nothing after the origin,
and the year-level variance recovered on simulated data."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

from simbijstand.errors import SimbijstandError
from simbijstand.estimation.pooled.calibrate import calibrate_gemeenten
from simbijstand.estimation.pooled.national import year_end_stocks
from simbijstand.estimation.pooled.ownvariance import Residuals, fit_form
from simbijstand.estimation.pooled.record import RECORD_FILE
from simbijstand.runs.calibrate_pooled import file_names, run_pooled_calibration
from simbijstand.scenario import load_parameter_file, load_scenario
from simbijstand.scenario.toml_io import file_sha256

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "calibration" / "data"
CBS = DATA / "cbs_gemeenten_bijstand_2015_2016.csv"
HERINDELINGEN = DATA.parent / "gemeenten" / "herindelingen-2016.csv"
NATIONAL = DATA / "cbs_37789ksz_uitkeringen_nederland_maand.csv"


def test_national_series_is_cut_at_the_origin():
    stocks = year_end_stocks(NATIONAL, dt.date(2017, 1, 1))
    assert stocks[-1] == pytest.approx(399.5)  # December 2016, nothing later
    with pytest.raises(SimbijstandError, match="1 January"):
        year_end_stocks(NATIONAL, dt.date(2017, 3, 1))


def test_calibration_uses_only_years_before_the_origin():
    with pytest.raises(SimbijstandError, match="needs the years 2014 and 2015"):
        calibrate_gemeenten(CBS, HERINDELINGEN, NATIONAL, dt.date(2016, 1, 1))
    fit = calibrate_gemeenten(CBS, HERINDELINGEN, NATIONAL, dt.date(2017, 1, 1))
    assert fit.rates.year.jaar == 2016 and len(fit.rates.year.gemeenten) == 390
    weights = np.concatenate([fit.rates.inflow_own_weight, fit.rates.exit_own_weight])
    assert np.all((weights > 0) & (weights < 1))
    # the smaller the gemeente, the more it leans on the pool
    small = fit.rates.year.stock < 100
    large = fit.rates.year.stock > 5000
    assert fit.rates.inflow_own_weight[small].mean() < fit.rates.inflow_own_weight[large].mean()


def test_own_year_level_variance_is_recovered():
    rng = np.random.default_rng(11)
    scale = rng.uniform(50, 5000, 2000)
    base = scale * 0.5
    kappa = 0.002
    residual = 0.03 * scale + rng.normal(0, np.sqrt(base + kappa * scale**2))
    model, shift = fit_form(Residuals(residual, base, scale), "kwadratisch")
    assert model.kappa == pytest.approx(kappa, rel=0.15)
    assert shift == pytest.approx(0.03, abs=0.005)


def test_file_names_are_unique_ascii():
    names = file_names(("'s-Gravenhage", "Súdwest-Fryslân", "Bergen (L.)", "Bergen (NH.)"))
    assert names["'s-Gravenhage"] == "s-gravenhage.toml"
    assert names["Súdwest-Fryslân"] == "sudwest-fryslan.toml"
    assert len(set(names.values())) == 4


def test_written_scenario_loads_with_every_gemeente(tmp_path):
    folder = tmp_path / "calibration" / "gemeenten"
    (tmp_path / "calibration" / "data").mkdir(parents=True)
    folder.mkdir()
    for source in (CBS, NATIONAL):
        shutil.copy(source, tmp_path / "calibration" / "data" / source.name)
    shutil.copy(HERINDELINGEN, folder / HERINDELINGEN.name)
    config = folder / "kalibratie-gepoold.toml"
    text = (REPO / "calibration" / "gemeenten" / "kalibratie-gepoold.toml").read_text(
        encoding="utf-8"
    )
    config.write_text(text, encoding="utf-8")
    (tmp_path / "scenarios").mkdir()
    output = run_pooled_calibration(config)
    assert len(output.parameter_files) == 390
    scenario = load_scenario(output.scenario)
    assert (
        "'s-Gravenhage" in scenario.gemeenten
        and "Nuenen. Gerwen en Nederwetten" in scenario.gemeenten
    )
    assert scenario.start == dt.date(2017, 1, 1) and scenario.months == 12
    # the shipped files are what this code writes
    shipped = REPO / "calibration" / "gemeenten" / "amsterdam.toml"
    assert shipped.read_text(encoding="utf-8") == (folder / "amsterdam.toml").read_text("utf-8")
    # so is the pool's record, in the calibration folder and in the package (`simbijstand init`)
    record = (folder / RECORD_FILE).read_text("utf-8")
    assert record == (REPO / "calibration" / "gemeenten" / RECORD_FILE).read_text("utf-8")
    packaged = REPO / "src" / "simbijstand" / "estimation" / "pooled" / RECORD_FILE
    assert record == packaged.read_text("utf-8"), f"copy {RECORD_FILE} into the package"


def test_shipped_files_match_config_and_data():
    config = REPO / "calibration" / "gemeenten" / "kalibratie-gepoold.toml"
    files = sorted(config.parent.glob("*.toml"))
    files = [f for f in files if f not in (config, config.parent / RECORD_FILE)]
    assert len(files) == 390
    for path in files[::13]:
        params = load_parameter_file(path)
        assert params.herkomst is not None and params.herkomst.aannames and params.onzekerheid
        assert params.herkomst.config_sha256 == file_sha256(config), f"recalibrate {config}"
        for used in params.herkomst.bestanden:
            assert used.sha256 == file_sha256(config.parent / used.pad), (path, used.pad)
