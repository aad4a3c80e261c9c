"""Bands that hold: the deviation path from a filtered start with inflation by horizon, sigma
and rho drawn from their intervals, the Kalman start, and the conformal calibration of the
inflation (nested: only months before the origin)."""

from __future__ import annotations

import datetime as dt
import math
import tomllib

import numpy as np
import pytest
import tomli_w

from conftest import one_group_parameters
from recovery import write_toy
from simbijstand.domain.calendar import add_months
from simbijstand.engine.draws import (
    deviation_mean,
    draw_deviation,
    inflation_factors,
    inflow_multipliers,
    path_variance,
)
from simbijstand.engine.streams import deviation_seed
from simbijstand.estimation.aggregate.deviation import DeviationSeries, filtered_start
from simbijstand.estimation.bands import (
    Z_80,
    Caseload,
    ScoredMonth,
    calibrate_inflation,
    caseload_of,
    deviation_sd,
    target_errors,
    widened,
)
from simbijstand.estimation.calibrate import calibrate, caseload_at_end
from simbijstand.estimation.config.config import load_config
from simbijstand.estimation.errors import ConfigError
from simbijstand.estimation.parameter_files import parameter_file_data
from simbijstand.reporting.bands_text import bands_calibration
from simbijstand.runs.backtest import backtest_run
from simbijstand.scenario.checks import check_parameter_file
from simbijstand.scenario.schema import Inflatie, Interval, ParameterFile, Schommeling

ORIGIN = dt.date(2010, 1, 1)


def paths(deviation: Schommeling, months: int, n: int) -> np.ndarray:
    return np.array(
        [
            inflow_multipliers(deviation, months, np.random.default_rng(deviation_seed(3, r, 0)))
            for r in range(n)
        ]
    )


def test_the_path_starts_at_the_filtered_value_and_widens_by_horizon() -> None:
    """E[eta_t] = rho^t start, Var(eta_t) = g_t^2 (sigma^2 sum rho^2k + rho^2t start_sd^2),
    E[multiplier] = exp(rho^t start); 6000 paths: variances within 7.5% (4 standard errors)."""
    inflation = Inflatie(horizon_maanden=[6, 12], factor=[1.5, 2.0])
    deviation = Schommeling(
        sd_per_maand=0.05, persistentie=0.9, start=0.2, start_sd=0.05, inflatie=inflation
    )
    months, n = 18, 6000
    multipliers = paths(deviation, months, n)
    t = np.arange(1, months + 1)
    g = np.where(t <= 6, 1.5, 2.0)
    own = 0.05**2 * (1 - 0.9 ** (2 * t)) / (1 - 0.9**2)
    theory = g**2 * (own + 0.05**2 * 0.9 ** (2 * t))
    np.testing.assert_allclose(inflation_factors(deviation, months), g)
    np.testing.assert_allclose(path_variance(deviation, months), theory)
    np.testing.assert_allclose(deviation_mean(deviation, months), 0.2 * 0.9**t)
    eta = np.log(multipliers) + theory / 2
    np.testing.assert_allclose(eta.var(axis=0), theory, rtol=0.075)
    np.testing.assert_allclose(eta.mean(axis=0), 0.2 * 0.9**t, atol=4 * math.sqrt(theory.max() / n))
    mean_se = np.sqrt(np.expm1(theory) * np.exp(2 * 0.2 * 0.9**t) / n)
    assert np.all(np.abs(multipliers.mean(axis=0) - np.exp(0.2 * 0.9**t)) < 4 * mean_se)


def test_a_file_without_start_keeps_its_paths() -> None:
    """start_sd 0 draws nothing extra: the shocks, and so older runs' paths, are unchanged."""
    plain = Schommeling(sd_per_maand=0.1, persistentie=0.8)
    started = Schommeling(sd_per_maand=0.1, persistentie=0.8, start=0.1)
    ratio = paths(started, 12, 5) / paths(plain, 12, 5)
    np.testing.assert_allclose(ratio, np.exp(0.1 * 0.8 ** np.arange(1, 13)) * np.ones((5, 1)))


def test_sigma_and_rho_are_drawn_from_their_intervals() -> None:
    """log sigma ~ N(log sigma, sd) with the interval's width at 95%; rho normal, clipped."""
    deviation = Schommeling(sd_per_maand=0.1, persistentie=0.9)
    intervals = {
        "instroom.schommeling.sd_per_maand": Interval(schatting=0.1, laag=0.08, hoog=0.125),
        "instroom.schommeling.persistentie": Interval(schatting=0.9, laag=0.8, hoog=1.0),
    }
    rng = np.random.default_rng(1)
    draws = [draw_deviation(deviation, intervals, rng) for _ in range(4000)]
    sigma = np.log([d.sd_per_maand for d in draws])
    rho = np.array([d.persistentie for d in draws])
    assert sigma.mean() == pytest.approx(math.log(0.1), abs=0.005)
    assert sigma.std() == pytest.approx(math.log(0.125 / 0.08) / (2 * 1.959964), rel=0.05)
    assert rho.max() == 1.0 and rho.min() >= 0
    assert np.mean(rho == 1.0) == pytest.approx(
        0.5 - 0.5 * math.erf(0.1 / 0.05102 / 2**0.5), abs=0.03
    )
    assert draw_deviation(deviation, {}, rng) == deviation  # assumed values stay


def test_the_kalman_start_finds_the_last_deviation() -> None:
    """On 400 simulated AR(1) series with known noise, the filtered start lies within 2 of its
    own standard deviations of the true last value about 95% of the time."""
    rng = np.random.default_rng(7)
    sigma, rho, noise, months = 0.05, 0.8, 0.02**2, 60
    hits = []
    for _ in range(400):
        eta = np.zeros(months)
        for t in range(1, months):
            eta[t] = rho * eta[t - 1] + sigma * rng.standard_normal()
        x = eta + math.sqrt(noise) * rng.standard_normal(months)
        dates = tuple(add_months(ORIGIN, m) for m in range(months))
        series = DeviationSeries("A", dates, x, np.full(months, noise))
        start, sd = filtered_start(series, sigma, rho)
        assert 0 < sd < 0.02
        hits.append(abs(start - eta[-1]) <= 1.96 * sd)
    assert np.mean(hits) == pytest.approx(0.95, abs=0.035)


def scored(origin: dt.date, months: int, error: float) -> ScoredMonth:
    """A month whose outcome lies `error` (relative) above a forecast of 100."""
    return ScoredMonth(origin, add_months(origin, months), 100 * (1 + error), 100)


def test_the_target_is_the_conformal_quantile_of_earlier_months_only() -> None:
    """Nine errors 1..9% in the first bucket: the ceil(10 x 0.8) = 8th smallest is 8%; a month
    after `before` is not used."""
    months = [scored(ORIGIN, m, m / 100) for m in range(1, 10)]
    later = scored(dt.date(2011, 6, 1), 1, 0.5)  # scored on 2011-07-01
    second = scored(ORIGIN, 13, 0.03)  # scored on 2011-02-01
    errors, counts, origins = target_errors([*months, later, second], [12, 24], dt.date(2011, 3, 1))
    assert errors == pytest.approx([0.08, 0.03]) and counts == [9, 1] and origins == [ORIGIN]
    errors, counts, _ = target_errors([*months, later, second], [12, 24])
    assert counts == [10, 1] and errors[0] == pytest.approx(0.09)  # with `later`: 9th of 10


def test_an_empty_bucket_has_no_target() -> None:
    assert target_errors([], [12, 24]) == ([None, None], [0, 0], [])


CASELOAD = Caseload(level=10_000, inflow_per_month=400, exit_per_year=0.3)


@pytest.mark.parametrize(("rho", "start_sd"), [(0.8, 0.0), (1.0, 0.05), (0.3, 0.1)])
def test_the_band_reaches_the_target_by_a_wandering_level(rho: float, start_sd: float) -> None:
    """80% relative errors of 5% at 12 and 12% at 24 months, far more than the AR(1) gives: a
    random walk, its sd per bucket, makes the caseload's sd q L / z_0.9 at both horizons."""
    deviation = Schommeling(sd_per_maand=0.02, persistentie=rho, start_sd=start_sd)
    wider = widened(deviation, [12, 24], [0.05, 0.12], CASELOAD)
    assert wider.inflatie is not None and wider.inflatie.factor == [1.0, 1.0]
    assert all(tau > 0 for tau in wider.inflatie.wandeling_sd_per_maand)
    sd = deviation_sd(wider, 400, 0.3, 24)
    assert sd[11] == pytest.approx(0.05 * 10_000 / Z_80, rel=1e-4)
    assert sd[23] == pytest.approx(0.12 * 10_000 / Z_80, rel=1e-4)


def test_an_ar1_wider_than_needed_is_narrowed_without_a_walk() -> None:
    deviation = Schommeling(sd_per_maand=0.05, persistentie=0.8)
    wider = widened(deviation, [12, 24], [0.02, 0.03], CASELOAD)
    assert wider.inflatie.factor[0] < 1 and wider.inflatie.wandeling_sd_per_maand[0] == 0
    assert deviation_sd(wider, 400, 0.3, 12)[-1] == pytest.approx(0.02 * 10_000 / Z_80)


def test_no_target_changes_nothing() -> None:
    deviation = Schommeling(sd_per_maand=0.1, persistentie=0.8)
    wider = widened(deviation, [12, 24], [None, None], CASELOAD)
    assert wider.inflatie.factor == [1.0, 1.0] and wider.inflatie.wandeling_sd_per_maand == [0, 0]


def test_the_deviation_sd_is_the_caseloads_under_the_engines_path() -> None:
    """mu sqrt(w' C w) against seeded engine paths summed with survival weights (4000 paths)."""
    deviation = Schommeling(sd_per_maand=0.1, persistentie=0.7)
    eta = np.log(paths(deviation, 12, 4000)) + path_variance(deviation, 12) / 2
    weights = np.exp(-0.3 * (12 - np.arange(1, 13)) / 12)
    assert (500 * eta @ weights).std() == pytest.approx(
        deviation_sd(deviation, 500, 0.3, 12)[-1], rel=0.05
    )


def test_the_walk_in_the_path_has_the_variance_it_says() -> None:
    """Var(eta_t) = Var(AR(1)) + t tau^2 on 6000 seeded paths (within 7.5%)."""
    walk = Inflatie(horizon_maanden=[24], factor=[1.0], wandeling_sd_per_maand=[0.03])
    deviation = Schommeling(sd_per_maand=0.05, persistentie=0.5, inflatie=walk)
    eta = np.log(paths(deviation, 24, 6000)) + path_variance(deviation, 24) / 2
    t = np.arange(1, 25)
    theory = 0.05**2 * (1 - 0.5 ** (2 * t)) / (1 - 0.25) + 0.03**2 * t
    np.testing.assert_allclose(path_variance(deviation, 24), theory)
    np.testing.assert_allclose(eta.var(axis=0), theory, rtol=0.075)


def test_a_wide_walk_keeps_the_mean_and_puts_the_median_beside_it() -> None:
    """The wandering level enters in proportion: with Var(w_24) = 0.48 (the national widening's
    size) the multiplier keeps mean 1, its median stays within 3% of it (a lognormal factor of
    that variance would put it at exp(-0.24) = 0.79) and its 10-90% range is symmetric about
    the median; 6000 seeded paths."""
    walk = Inflatie(horizon_maanden=[24], factor=[1.0], wandeling_sd_per_maand=[math.sqrt(0.02)])
    deviation = Schommeling(sd_per_maand=0.0, persistentie=0.5, inflatie=walk)
    multipliers = paths(deviation, 24, 6000)[:, -1]
    assert path_variance(deviation, 24)[-1] == pytest.approx(0.48)
    assert multipliers.min() >= 0
    assert multipliers.mean() == pytest.approx(1.0, abs=4 * math.sqrt(0.48 / 6000))
    assert np.median(multipliers) == pytest.approx(1.0, abs=0.03)
    low, median, high = np.quantile(multipliers, [0.1, 0.5, 0.9])
    assert median - low == pytest.approx(high - median, abs=0.05)


def test_calibrate_inflation_records_method_origins_and_points() -> None:
    deviation = Schommeling(sd_per_maand=0.02, persistentie=0.8)
    wider = calibrate_inflation(deviation, [scored(ORIGIN, 3, 0.05)], [12, 24], CASELOAD)
    inflation = wider.inflatie
    assert inflation is not None and inflation.horizon_maanden == [12, 24]
    assert inflation.punten == [1, 0] and inflation.wandeling_sd_per_maand[1] == 0
    assert inflation.oorsprongen == [ORIGIN] and "conformaal" in inflation.methode
    assert deviation_sd(wider, 400, 0.3, 12)[-1] == pytest.approx(0.05 * 10_000 / Z_80)


def test_a_broken_inflation_table_is_named() -> None:
    params = one_group_parameters()
    params["instroom"]["schommeling"] = {
        "sd_per_maand": 0.1,
        "persistentie": 0.8,
        "inflatie": {"horizon_maanden": [24, 12], "factor": [1.0], "punten": [3]},
    }
    problems = [text for _, text in check_parameter_file(ParameterFile.model_validate(params))]
    assert any("factor" in p and "one factor per entry" in p for p in problems)
    assert any("horizon_maanden" in p and "must increase" in p for p in problems)
    assert any("punten" in p for p in problems)


def test_a_backtest_calibrates_each_origin_on_earlier_origins_only(tmp_path) -> None:
    """Nested rolling origins: the first origin has no inflation, the second's comes from the
    first's months observed by then (6 in the first bucket), the third's from both; the run
    ends with the inflation for after all three and the coverage it achieved; an origin that
    cannot be fitted is reported while the others run; and workers do not change a thing."""
    path = write_toy(tmp_path)
    data = tomllib.loads(path.read_text())
    data["instroom"]["schommeling"] = {
        "sd_per_maand": {"waarde": 0.05, "bron": "proef"},
        "persistentie": {"waarde": 0.8, "bron": "proef"},
    }
    path.write_text(tomli_w.dumps(data))
    origins = [dt.date(2019, 1, 1), dt.date(2019, 7, 1), dt.date(2020, 1, 1), dt.date(2017, 1, 1)]
    run = backtest_run(path, origins, [6, 12], replications=8)
    assert list(run.failures) == [dt.date(2017, 1, 1)]
    by_origin = {r.origin: r.inflation for r in run.results if r.horizon == 12}
    assert by_origin[dt.date(2019, 1, 1)] is None
    second = by_origin[dt.date(2019, 7, 1)]
    # quarters of the 12-month horizon: the first origin's 6 months observed by 2019-07-01
    assert second["oorsprongen"] == ["2019-01-01"] and second["punten"] == [3, 3, 0, 0]
    assert by_origin[dt.date(2020, 1, 1)]["oorsprongen"] == ["2019-01-01", "2019-07-01"]
    assert run.inflation is not None and len(run.inflation.oorsprongen) == 3
    assert len(run.inflation.dekking_80) == 4 and run.inflation.punten == [9, 9, 9, 9]
    again = backtest_run(path, origins, [6, 12], replications=8, workers=2)
    for a, b in zip(run.results, again.results, strict=True):
        assert np.array_equal(a.forecasts["simbijstand"].mean, b.forecasts["simbijstand"].mean)
    assert again.inflation == run.inflation


def with_deviation(path, **inflation) -> None:
    data = tomllib.loads(path.read_text())
    data["instroom"]["schommeling"] = {
        "sd_per_maand": {"waarde": 0.05, "bron": "proef"},
        "persistentie": {"waarde": 0.8, "bron": "proef"},
    }
    if inflation:
        data["instroom"]["schommeling"]["inflatie"] = inflation
    path.write_text(tomli_w.dumps(data))


def test_the_configs_band_reach_becomes_the_files_widening(tmp_path) -> None:
    """relatieve_fout_80 [4%, 10%] in the config: the parameter file's factor and wandering
    level give its caseload that 80% reach at 12 and 24 months with its sigma, rho and rates."""
    path = write_toy(tmp_path)
    origins = [dt.date(2019, 1, 1), dt.date(2020, 1, 1)]
    with_deviation(
        path,
        horizon_maanden=[12, 24],
        relatieve_fout_80=[0.04, 0.10],
        oorsprongen=origins,
        punten=[9, 4],
    )
    calibration = calibrate(path)
    data = parameter_file_data(calibration, "Proef", tmp_path / "uit.toml", version="t")
    params = ParameterFile.model_validate(data)
    deviation = params.instroom.schommeling
    assert deviation is not None and deviation.inflatie is not None
    assert deviation.inflatie.oorsprongen == origins and deviation.inflatie.punten == [9, 4]
    level = sum(caseload_at_end(calibration, "Proef").values())
    rates = caseload_of(data, level)
    sd = deviation_sd(deviation, rates.inflow_per_month, rates.exit_per_year, 24)
    assert sd[11] == pytest.approx(0.04 * level / Z_80, rel=1e-4)
    assert sd[23] == pytest.approx(0.10 * level / Z_80, rel=1e-4)
    assert "80%-band moet volgens de backtest" in deviation.bron
    assert check_parameter_file(params) == []


def test_a_widening_without_one_value_per_horizon_is_refused(tmp_path) -> None:
    path = write_toy(tmp_path)
    with_deviation(path, horizon_maanden=[12, 24], relatieve_fout_80=[0.05])
    with pytest.raises(ConfigError, match="one value per entry of horizon_maanden"):
        load_config(path)


def test_the_report_says_how_the_bands_were_calibrated() -> None:
    """From the manifest's description of the run's parameter files (runs.run)."""
    inflation = Inflatie(
        horizon_maanden=[12, 24],
        factor=[1.8, 2.6],
        oorsprongen=[dt.date(2006, 1, 1), dt.date(2023, 1, 1)],
        dekking_80=[0.78, 0.74],
    )
    deviation = Schommeling(sd_per_maand=0.1, persistentie=0.8, inflatie=inflation)
    files = {"p.toml": deviation.model_dump(mode="json", exclude_defaults=True)}
    manifest = {"uncertainty": {"inflow_deviation": {"files": files}}}
    text = bands_calibration(manifest)
    assert text is not None
    assert "2 eerdere prognoses (2006-01-01 t/m 2023-01-01)" in text
    assert "t/m 24 maanden" in text and "78% (t/m 12 mnd), 74% (t/m 24 mnd)" in text
    assert bands_calibration({"uncertainty": {}}) is None
