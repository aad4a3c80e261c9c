"""The national monthly series (CBS 37789ksz, bijstand under the state-pension age), cut at
the origin: year-end stocks for the common year-level variance and last year's growth for the
uncounted exits when the gemeente data have no start stock.

CBS's value for month m is the count at its end: December of year Y is the stock on 1 January
Y + 1, known at an origin of 1 January Y + 1. Months after the origin are never read.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.series import read_cbs_uitkeringen
from simbijstand.estimation.pooled import Floats

COLUMN = "bijstand_tot_aow_x1000"


def year_end_stocks(path: Path, origin: dt.date) -> Floats:
    """December values of every full year before `origin` (a 1 January), oldest first."""
    if (origin.month, origin.day) != (1, 1):
        raise EstimationError(f"pooled calibration: origin {origin} must be a 1 January")
    frame = read_cbs_uitkeringen(path).filter(
        (pl.col("maand") < origin) & (pl.col("maand").dt.month() == 12)
    )
    values = frame.sort("maand")[COLUMN].to_numpy()
    last = frame["maand"].max()
    if len(values) < 4 or last != dt.date(origin.year - 1, 12, 1):
        raise EstimationError(
            f"{path}: needs December values up to {origin.year - 1} (four years or more) for an "
            f"origin of {origin}; it has {len(values)}, the last {last}"
        )
    return np.asarray(values, dtype=float)


def last_growth(stocks: Floats) -> float:
    """Growth of the last year: December to December."""
    return float(stocks[-1] / stocks[-2] - 1)
