"""The pooled calibration's fit report: per gemeente, how much comes from its own data and how
much from the pool (CSV, one row per gemeente; Dutch column names, as users' scripts read)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from simbijstand.estimation.pooled.rates import HALF
from simbijstand.reporting.numbers import date_nl, number, percent

REPORT_NAME = "kalibratie-gemeenten.csv"
SIZES = (100, 1000, 10000)  # persons: the own year-level sd shown for these sizes

if TYPE_CHECKING:
    from simbijstand.estimation.pooled.calibrate import PooledCalibration


def fit_table(calibration: PooledCalibration) -> pl.DataFrame:
    """Per gemeente: the data, own and pooled rates, the weight of its own data."""
    rates = calibration.rates
    year = rates.year
    own_inflow = (year.inflow + HALF) / year.inwoners * 1000  # the rate the pool shrinks
    return pl.DataFrame(
        {
            "gemeente": list(year.gemeenten),
            "gemeentecode": list(year.codes),
            "jaar": year.jaar,
            "bestand_eind": year.stock,
            "instroom": year.inflow,
            "uitstroom": year.outflow,
            "instroom_per_1000_eigen": own_inflow,
            "instroom_per_1000_gepoold": rates.inflow_per_year / year.inwoners * 1000,
            "instroom_gewicht_eigen": rates.inflow_own_weight,
            "instroom_gewicht_pool": 1 - rates.inflow_own_weight,
            "uitstroomkans_gepoold": rates.counted_hazard,
            "uitstroom_gewicht_eigen": rates.exit_own_weight,
            "uitstroom_gewicht_pool": 1 - rates.exit_own_weight,
            "aandeel_werk": rates.work_share,
            "jaarafwijking_var": calibration.level_variance,
            # the own part depends on the gemeente's size (v(S)), the national part does not
            "jaarafwijking_eigen_var": calibration.level.own,
            "jaarafwijking_landelijk_var": calibration.level.national,
        }
    ).with_columns(pl.col(pl.Float64).round(5))


def fit_table_csv(calibration: PooledCalibration) -> str:
    buffer = io.StringIO()
    fit_table(calibration).write_csv(buffer)
    return buffer.getvalue()


def pooled_terminal_report(calibration: PooledCalibration, written: int) -> str:
    """A few lines for the terminal (Dutch)."""
    rates = calibration.rates
    pool = calibration.pool
    own = calibration.own_variance.model
    own_sd = ", ".join(f"{percent(own.relative_sd(n), 1)} bij {number(n)}" for n in SIZES)
    lines = [
        f"Gepoolde kalibratie: {len(rates.year.gemeenten)} gemeenten, gegevens {rates.year.jaar}, "
        f"prognose vanaf {date_nl(calibration.origin)}",
        f"  instroom per inwoner: covariaten {', '.join(pool.inflow.covariates) or 'geen'}; "
        f"mediaan gewicht eigen gegevens {percent(_median(rates.inflow_own_weight))}",
        f"  uitstroomkans: covariaten {', '.join(pool.exit.covariates) or 'geen'}; "
        f"mediaan gewicht eigen gegevens {percent(_median(rates.exit_own_weight))}",
        f"  ongetelde uitstroom (AOW e.a.): {percent(rates.uncounted, 2)} per jaar",
        f"  afwijking op jaarniveau (sd t.o.v. bestand): landelijk "
        f"{percent(calibration.common_variance**0.5, 1)}; eigen (vorm {own.form}) {own_sd} "
        "personen",
        f"  {written} bestanden geschreven; per gemeente eigen gegevens en pool in {REPORT_NAME}",
    ]
    return "\n".join(lines)


def _median(values: object) -> float:
    return float(np.median(np.asarray(values)))
