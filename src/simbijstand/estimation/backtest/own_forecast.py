"""A municipality's own caseload forecast, to compare with ours in backtests.

Read from a long-format file (reeks, gebied, jaar, waarde; bmwe_beleidskader_2015.csv). The
value of year Y stands for the stock on 1 January of Y (`jaar_is = "begin_jaar"`) or of Y + 1
(`"einde_jaar"`), as the config states; it is used only for origins on or after the date the
forecast was made (`gemaakt_op`), and only at target dates it has a value for.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.series import read_beleidskader


def own_forecast(
    config: CalibrationConfig, origin: dt.date, dates: list[dt.date]
) -> np.ndarray | None:
    """The forecast at `dates` (NaN where it has none), or None when there is none to use."""
    backtest = config.spec.backtest
    spec = backtest.eigen_prognose if backtest is not None else None
    if spec is None or spec.gemaakt_op > origin:
        return None
    path = Path(spec.bestand)
    rows = read_beleidskader(path).filter(
        (pl.col("reeks") == spec.reeks) & (pl.col("gebied") == spec.gebied)
    )
    if rows.is_empty():
        raise EstimationError(
            f"{path}: no rows with reeks {spec.reeks!r} and gebied {spec.gebied!r} "
            "(backtest.eigen_prognose)"
        )
    shift = 1 if spec.jaar_is == "einde_jaar" else 0
    by_date = {
        dt.date(int(y) + shift, 1, 1): float(v)
        for y, v in rows.select("jaar", "waarde").iter_rows()
    }
    values = np.array([by_date.get(d, np.nan) for d in dates])
    return None if np.all(np.isnan(values)) else values
