"""`simbijstand backtest`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from simbijstand.cli.shared import (
    echo,
    json_option,
    replications_option,
    seed_option,
    user_errors,
    workers_option,
)
from simbijstand.estimation.errors import EstimationError
from simbijstand.reporting.backtest_report import backtest_json, backtest_text
from simbijstand.runs.backtest import backtest_run


def _dates(_ctx: click.Context, _param: click.Parameter, value: str) -> list[dt.date]:
    try:
        days = [dt.date.fromisoformat(part.strip()) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r}: give dates such as 2017-01-01,2018-01-01") from None
    if not days or any(d.day != 1 for d in days):
        raise click.BadParameter(f"{value!r}: give first days of months, e.g. 2017-01-01")
    return days


def _months(_ctx: click.Context, _param: click.Parameter, value: str) -> list[int]:
    try:
        months = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"{value!r}: give whole months such as 12 or 12,24") from None
    if not months or min(months) < 1:
        raise click.BadParameter(f"{value!r}: give whole months of at least 1")
    return months


@click.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option(
    "--origin",
    required=True,
    callback=_dates,
    metavar="DATE[,DATE...]",
    help="Forecast origins (first days of months); each fits only on data before it.",
)
@click.option(
    "--horizon",
    required=True,
    callback=_months,
    metavar="MONTHS[,MONTHS...]",
    help="Months ahead to score; several share one simulation per origin.",
)
@replications_option(
    "Replications per origin [default: the config's backtest.replicaties].",
    minimum=2,
    maximum=100_000,
)
@seed_option("Seed [default: the config's].")
@workers_option("Local worker processes; results do not depend on it.", default=1)
@json_option()
@user_errors
def backtest(
    config: Path,
    origin: list[dt.date],
    horizon: list[int],
    replications: int | None,
    seed: int | None,
    workers: int,
    as_json: bool,
) -> None:
    """Score forecasts made at past origins against what followed.

    For each origin: calibrate on the data before it, forecast with the engine (no scenario
    shock), and compare with the config's [backtest] doel: MAE, MAPE, MASE and the coverage of
    the 80% and 90% bands, next to the last value, drift and seasonal-naive baselines and the
    municipality's own forecast where the config names one. The bands' inflation at each
    origin is calibrated on earlier origins only; the output ends with the inflation for a
    forecast after all of them. An origin that cannot be fitted is reported, the rest run.

    \b
    Examples:
      simbijstand backtest calibration/bmwe/kalibratie.toml --origin 2017-01-01 --horizon 12
      simbijstand backtest calibration/nederland/kalibratie.toml \\
          --origin 2018-01-01,2019-01-01 --horizon 12,24 --json
    """
    found = backtest_run(
        config, origin, horizon, replications=replications, seed=seed, workers=workers
    )
    if not found.results and found.failures:
        first, message = next(iter(found.failures.items()))
        raise EstimationError(f"backtest origin {first}: {message}")
    described = {"target": found.target, "failures": found.failures, "inflation": found.inflation}
    if as_json:
        echo(json.dumps(backtest_json(found.results, **described), indent=2, ensure_ascii=False))
    else:
        echo(backtest_text(found.results, **described))
