"""The year-level deviation a gemeente's own calibration borrows from the pooled calibration
(`[jaarafwijking] pool`): its size against a hand calculation, the refusal of a record made
after the window, and the shipped BMWE files that carry it."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from conftest import REPO
from simbijstand.estimation.aggregate.meanfield import GroupRates
from simbijstand.estimation.borrowed_yearlevel import entrants_left, read_borrowed
from simbijstand.estimation.calibrate import calibrate
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.pooled.record import shipped_record
from simbijstand.scenario import load_parameter_file

POOL = REPO / "calibration" / "gemeenten" / "pool-gemeenten.toml"
BMWE = REPO / "calibration" / "bmwe"


def one_band(hazard_per_year: float) -> GroupRates:
    return GroupRates(np.full((1, 1, 1), hazard_per_year), np.zeros((1, 1)), np.ones(1), (0,))


def test_entrants_left_after_a_year_with_a_constant_hazard() -> None:
    # Arrivals spread over the year, each surviving exp(-h t): lambda (1 - e^-h) / h.
    for hazard in (0.2, 0.6, 1.5):
        expected = 120 * (1 - math.exp(-hazard)) / hazard
        assert entrants_left(one_band(hazard), 120.0) == pytest.approx(expected, rel=0.01)


def test_the_stock_variance_becomes_a_factor_variance_split_in_proportion() -> None:
    borrowed = read_borrowed(POOL, dt.date(2018, 1, 1))
    record = borrowed.record
    rates, inflow, benefits = one_band(0.5), 60.0, 200.0
    own, national = borrowed.factor_variances(rates, inflow, benefits)
    persons = benefits * record.persons_per_benefit
    own_relative = float(record.own_variance.variance(persons)) / persons**2
    slope = inflow * (1 - math.exp(-0.5)) / 0.5 / benefits  # relative stock per unit factor
    assert own + national == pytest.approx(
        (own_relative + record.common_variance) / slope**2, rel=0.02
    )
    assert national / own == pytest.approx(record.common_variance / own_relative, rel=1e-9)


def test_a_record_made_after_the_window_is_refused(tmp_path: Path) -> None:
    origin = shipped_record().origin
    with pytest.raises(EstimationError, match="after this calibration's window ends"):
        read_borrowed(POOL, origin - dt.timedelta(days=1))
    assert read_borrowed(POOL, origin).record.origin == origin
    broken = tmp_path / "pool.toml"
    broken.write_text("schema_version = 2\n", encoding="utf-8")
    with pytest.raises(EstimationError, match="not a pooled-calibration record"):
        read_borrowed(broken, origin)
    with pytest.raises(EstimationError, match="cannot read"):
        read_borrowed(tmp_path / "missing.toml", origin)


def test_a_backtest_before_the_pools_data_cannot_borrow_it() -> None:
    # BMWE's window moved to end before the pool's origin: its data would lie in the future.
    with pytest.raises(EstimationError, match="may not borrow from later data"):
        calibrate(BMWE / "kalibratie.toml", van=dt.date(2015, 1, 1), tot=dt.date(2016, 1, 1))


def test_the_shipped_bmwe_files_draw_the_year_level_deviation() -> None:
    record = shipped_record()
    for name in ("bedum", "de-marne", "winsum", "eemsmond"):
        params = load_parameter_file(BMWE / f"{name}.toml")
        normal = [b for b in params.onzekerheid if b.verdeling == "normaal"]
        assert [b.gedeeld for b in normal] == [None, "landelijk"]
        own, national = (b.covariantie[0][0] for b in normal if b.covariantie is not None)
        # split as the pool's own part at this size stands to the national part
        benefits = pl.read_csv(BMWE / f"{name}-beginstand.csv")["aantal"].sum()
        persons = benefits * record.persons_per_benefit
        own_relative = float(record.own_variance.variance(persons)) / persons**2
        assert own / national == pytest.approx(own_relative / record.common_variance, rel=1e-4)
