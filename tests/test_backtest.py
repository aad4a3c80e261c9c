"""Backtests: scores and baselines on toy series computed by hand, the municipality's own
forecast, averaging over origins, and the command end to end on engine-simulated data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import SCENARIOS
from recovery import write_toy
from simbijstand.cli import main
from simbijstand.estimation.backtest.baselines import (
    drift_forecast,
    naive_forecast,
    seasonal_naive_forecast,
)
from simbijstand.estimation.backtest.dated_baselines import dated_baselines, naive_scale
from simbijstand.estimation.backtest.own_forecast import own_forecast
from simbijstand.estimation.backtest.results import (
    LEVELS,
    Band,
    OriginResult,
    Score,
    _score,
    summary,
)
from simbijstand.estimation.config.config import load_config
from simbijstand.runs.chunks import plan_chunks
from simbijstand.runs.execution import run_chunks
from simbijstand.runs.run import prepare

# The toy series of test_estimation_metrics: history 10, 12, 11, 13, 14; then 15, 13, 18.
HISTORY = np.array([10.0, 12.0, 11.0, 13.0, 14.0])
ACTUAL = np.array([15.0, 13.0, 18.0])


def months(first: dt.date, count: int, step: int = 1) -> list[dt.date]:
    index = first.year * 12 + first.month - 1
    return [dt.date((index + k * step) // 12, (index + k * step) % 12 + 1, 1) for k in range(count)]


def test_monthly_dated_baselines_are_the_usual_ones() -> None:
    history = np.array([10, 12, 11, 13, 14, 15, 13, 16, 17, 15, 18, 19, 18, 20], dtype=float)
    dates = months(dt.date(2018, 1, 1), len(history))
    targets = months(dt.date(2019, 3, 1), 3)
    found = dated_baselines(dates, history, targets)
    for name, usual in (
        ("naive", naive_forecast(history, 3)),
        ("drift", drift_forecast(history, 3)),
        ("seasonal_naive", seasonal_naive_forecast(history, 3)),
    ):
        np.testing.assert_allclose(found[name].mean, usual.mean)
        np.testing.assert_allclose(found[name].sigma_h, usual.sigma_h)


def test_yearly_dated_baselines_by_hand() -> None:
    """History 100, 112, 118 on 1 January 2015-2017; forecast for 1 January 2018 (h = 12):
    naive 118, s^2 = mean(12^2 / 12, 6^2 / 12) = 7.5, sigma = sqrt(7.5 x 12) = 9.487;
    drift c = 18 / 24 = 0.75 a month, 118 + 9 = 127, residuals 12 - 9 = 3 and 6 - 9 = -3,
    s^2 = (9 / 12 + 9 / 12) / 1 = 1.5, sigma = sqrt(1.5 x 12 x (1 + 12 / 24)) = sqrt(27);
    no seasonal naive on a yearly grid."""
    dates = months(dt.date(2015, 1, 1), 3, step=12)
    found = dated_baselines(dates, np.array([100.0, 112.0, 118.0]), [dt.date(2018, 1, 1)])
    assert found["naive"].mean[0] == 118 and found["naive"].sigma_h[0] == pytest.approx(np.sqrt(90))
    assert found["drift"].mean[0] == pytest.approx(127)
    assert found["drift"].sigma_h[0] == pytest.approx(np.sqrt(27))
    assert "seasonal_naive" not in found
    assert naive_scale(np.array([100.0, 112.0, 118.0])) == 9


def test_scores_of_a_toy_forecast_by_hand() -> None:
    """Forecast 14, 14, 14 against 15, 13, 18: MAE 2, MAPE 12.19%, MASE 2 / 1.5 (the history's
    mean one-step change); 80% band 13.5-16.5 holds 15 only, the 90% band 12-17 15 and 13."""
    band = Band(
        np.full(3, 14.0),
        {0.8: (np.full(3, 13.5), np.full(3, 16.5)), 0.9: (np.full(3, 12.0), np.full(3, 17.0))},
    )
    score = _score(ACTUAL, band, naive_scale(HISTORY))
    assert score.mae == pytest.approx(2)
    assert score.mape == pytest.approx(12.1937, abs=1e-4)
    assert score.mase == pytest.approx(4 / 3)
    assert score.coverage == {0.8: pytest.approx(1 / 3), 0.9: pytest.approx(2 / 3)}
    partial = _score(ACTUAL, Band(np.array([np.nan, 12.0, 19.0]), None), 1.5)
    assert partial.mae == 1 and partial.coverage is None  # scored where it has values


def test_averages_over_origins_weigh_coverage_by_dates() -> None:
    def result(origin: int, dates: int, mase: float, covered: float) -> OriginResult:
        score = Score(
            mae=mase, mape=1.0, mase=mase, coverage={lv: covered for lv in LEVELS}, points=dates
        )
        return OriginResult(
            dt.date(origin, 1, 1),
            12,
            [dt.date(origin, 2, 1)] * dates,
            np.ones(dates),
            {},
            {"simbijstand": score},
            {},
        )

    table = summary([result(2018, 12, 1.0, 0.5), result(2019, 6, 2.0, 1.0)])
    row = table[12]["simbijstand"]
    assert row["mase"] == 1.5 and row["origins"] == 2
    assert row["dekking_80"] == pytest.approx((12 * 0.5 + 6 * 1.0) / 18)


def test_own_forecast_by_date_and_only_after_it_was_made(tmp_path: Path) -> None:
    config = load_config(write_toy(tmp_path))
    dates = [dt.date(2020, 1, 1), dt.date(2020, 6, 1), dt.date(2021, 1, 1)]
    values = own_forecast(config, dt.date(2019, 7, 1), dates)
    np.testing.assert_array_equal(values, [470.0, np.nan, 480.0])  # year 2019 = 1 January 2020
    assert own_forecast(config, dt.date(2018, 7, 1), dates) is None


def refuse(constant: str) -> None:
    raise AssertionError(f"{constant} in JSON output")


def test_backtest_command_end_to_end(tmp_path: Path) -> None:
    path = write_toy(tmp_path)
    arguments = [
        "backtest",
        str(path),
        "--origin",
        "2019-07-01,2020-01-01",
        "--horizon",
        "6,12",
        "--json",
    ]
    first = CliRunner().invoke(main, arguments)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output, parse_constant=refuse)  # strict JSON: no NaN
    assert [(o["origin"], o["horizon_months"]) for o in data["origins"]] == [
        ("2019-07-01", 6),
        ("2019-07-01", 12),
        ("2020-01-01", 6),
        ("2020-01-01", 12),
    ]
    scores = data["origins"][1]["scores"]
    # 13 monthly values from van to the origin: enough for the seasonal naive baseline
    assert set(scores) == {"simbijstand", "naive", "drift", "seasonal_naive", "eigen_prognose"}
    assert scores["eigen_prognose"]["coverage"] is None
    for score in scores.values():
        assert score["mase"] > 0
    assert 0 <= data["summary"]["12"]["simbijstand"]["dekking_90"] <= 1
    again = json.loads(CliRunner().invoke(main, arguments).output)
    for origin in (*data["origins"], *again["origins"]):
        origin.pop("seconds")
    assert again["origins"] == data["origins"]  # seeded: the same forecast every time
    text = CliRunner().invoke(main, arguments[:-1])
    assert "Gemiddeld over 2 oorsprongen" in text.output and "laatste waarde" in text.output
    assert "Doel: reeks 'bestand' (bestand.csv), Proef" in text.output
    assert "werkelijk op 2020-01-01: " in text.output  # the outcome beside the forecasts
    assert "op de 1 peildata van de eigen prognose" in text.output  # scored on its own dates
    assert "minder dan 10 peildata" in text.output  # 6-month coverage rests on 6 months
    assert data["target"].startswith("reeks 'bestand'")
    own = data["origins"][1]["scores_own_dates"]
    assert {s["points"] for s in own.values()} == {1}  # every method on the same date


def test_chunks_run_in_memory_as_in_a_run_directory(tmp_path: Path) -> None:
    """Backtests run the engine without a run directory: the same projections, no files."""
    model = prepare(SCENARIOS / "basis.toml").model
    chunks = plan_chunks(3, model.expected_initial_size())
    stored = run_chunks(model, 5, chunks, tmp_path / "run", 3, workers=1)
    in_memory = run_chunks(model, 5, chunks, None, 3, workers=1)
    assert all(r.segment is None and r.checkpoint is None for r in in_memory)
    for a, b in zip(stored, in_memory, strict=True):
        assert a.segment is not None and a.events == b.events
        assert np.array_equal(a.projections.caseload, b.projections.caseload)
        assert np.array_equal(a.projections.flows, b.projections.flows)
