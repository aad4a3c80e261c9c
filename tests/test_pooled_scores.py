"""Scoring the per-gemeente cross-section: band coverage of counts published in tens (the
randomized PIT) and the spread one year's coverage has when the forecast is right."""

import numpy as np
import pytest

from simbijstand.estimation.pooled.scores import as_published, pit_coverage
from simbijstand.estimation.pooled.yearcoverage import coverage_per_replication, year_coverage


def test_pit_coverage_of_atoms_by_hand() -> None:
    # One gemeente, forecast: 90 (20%), 100 (60%), 110 (20%).
    forecast = np.array([90.0] * 2 + [100.0] * 6 + [110.0] * 2)[:, None]
    share = [pit_coverage(forecast, np.array([y]), 10, 90)[0] for y in (80, 90, 100, 110, 120)]
    # 90: PIT uniform on [0, 0.2], half of it in [0.1, 0.9]; 100: [0.2, 0.8], all inside.
    assert share == pytest.approx([0.0, 0.5, 1.0, 0.5, 0.0])


def test_pit_coverage_without_atoms_is_the_plain_band() -> None:
    forecast = np.arange(1.0, 101.0)[:, None]  # 1..100, no value twice
    for y, inside in ((5.5, 0.0), (10.5, 1.0), (50.5, 1.0), (90.5, 1.0), (91.5, 0.0)):
        assert pit_coverage(forecast, np.array([y]), 10, 90)[0] == inside


def test_a_right_forecast_in_tens_holds_80_percent_by_pit_not_by_the_closed_band() -> None:
    rng = np.random.default_rng(7)
    gemeenten, replications = 2000, 400
    level = rng.uniform(60, 140, gemeenten)
    forecast = as_published(rng.normal(level, 8, (replications, gemeenten)))
    observed = as_published(rng.normal(level, 8))
    pit = pit_coverage(forecast, observed, 10, 90).mean()
    closed = (
        (np.percentile(forecast, 10, axis=0) <= observed)
        & (observed <= np.percentile(forecast, 90, axis=0))
    ).mean()
    # Binomial sd of a share of 0.8 over 2000 gemeenten is 0.009; 0.03 allows for the
    # forecast's own sampling error with 400 replications.
    assert pit == pytest.approx(0.8, abs=0.03)
    assert closed > 0.88  # three atoms of a sd-8 forecast in tens hold about 95%


def _shared_forecast(shared_sd: float, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    replications, gemeenten = 300, 400
    national = rng.normal(0, shared_sd, (replications, 1))
    return as_published(rng.normal(1000 * (1 + national), 30, (replications, gemeenten)))


def test_one_year_coverage_scatters_around_80_percent_more_with_a_shared_draw() -> None:
    everyone = np.ones(400, bool)
    spread = {}
    for shared_sd in (0.0, 0.06):
        forecast = _shared_forecast(shared_sd)
        coverage = coverage_per_replication(forecast)
        summary = year_coverage(coverage, forecast.sum(axis=1), 400_000.0, everyone)
        assert summary["gemiddeld"] == pytest.approx(0.8, abs=0.02)
        spread[shared_sd] = summary["p90"] - summary["p10"]
    assert spread[0.0] < 0.1 < 0.3 < spread[0.06]


def test_coverage_expected_in_a_national_year_like_the_observed_one() -> None:
    forecast = _shared_forecast(0.06)
    coverage = coverage_per_replication(forecast)
    total, everyone = forecast.sum(axis=1), np.ones(400, bool)
    mild = year_coverage(coverage, total, float(np.median(total)), everyone)
    sharp = year_coverage(coverage, total, float(total.max()), everyone)
    # A national year at the median leaves nearly every gemeente inside its band (their own
    # sd is a third of the band's half width); one in the tail leaves most outside.
    assert mild["bij_dit_landelijk_jaar"] > 0.95
    assert sharp["bij_dit_landelijk_jaar"] < 0.4
