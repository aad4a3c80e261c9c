"""Estimation building blocks: spell import, hazard estimation, backtest metrics, series readers.

Named `estimation` so as not to clash with the top-level `calibration/` data folder. Nothing here
runs the engine; the `calibrate` and `backtest` commands combine these parts with it.
"""

from simbijstand.estimation.backtest_metrics import (
    ForecastScores,
    coverage,
    mae,
    mape,
    mase,
    score_forecast,
)
from simbijstand.estimation.baselines import (
    Forecast,
    baseline_forecasts,
    drift_forecast,
    naive_forecast,
    seasonal_naive_forecast,
)
from simbijstand.estimation.episodes import Episodes
from simbijstand.estimation.errors import EstimationError, PrivacyError
from simbijstand.estimation.hazards import (
    KlantgroepRates,
    PiecewiseExponentialFitter,
    klantgroep_rates,
    poisson_rate_interval,
)
from simbijstand.estimation.privacy import Pseudonymiser, is_valid_bsn
from simbijstand.estimation.spells import Spells, read_spells

__all__ = [
    "Episodes",
    "EstimationError",
    "Forecast",
    "ForecastScores",
    "KlantgroepRates",
    "PiecewiseExponentialFitter",
    "PrivacyError",
    "Pseudonymiser",
    "Spells",
    "baseline_forecasts",
    "coverage",
    "drift_forecast",
    "is_valid_bsn",
    "klantgroep_rates",
    "mae",
    "mape",
    "mase",
    "naive_forecast",
    "poisson_rate_interval",
    "read_spells",
    "score_forecast",
    "seasonal_naive_forecast",
]
