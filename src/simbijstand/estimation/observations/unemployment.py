"""Unemployment as the inflow model sees it: a trailing average, lagged.

u_m, the unemployment that drives inflow in calendar month m, is the mean of the monthly rate
over the `gemiddelde_maanden` months that end `vertraging_maanden` months before m (so with no
lag, the months up to and including m - 1: what is known when month m starts). The reference
u_ref is that value for the month starting at the window's end: a forecast from there holds
unemployment at u_ref (no economic shock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simbijstand.domain.calendar import add_months
from simbijstand.estimation.config.schema import Werkloosheid
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.series import read_cbs_werkloosheid


@dataclass(frozen=True, slots=True)
class Unemployment:
    ratio: np.ndarray  # u_m / u_ref for every month of the window
    reference_pct: float


def unemployment_for(spec: Werkloosheid, dates: tuple[dt.date, ...]) -> Unemployment:
    """u_m / u_ref for the months dates[0..M-1], and u_ref (for the month starting at dates[M])."""
    path = Path(spec.bestand)
    frame = read_cbs_werkloosheid(path)
    if spec.kolom not in frame.columns:
        raise EstimationError(
            f"{path}: no column {spec.kolom!r}; columns: {', '.join(frame.columns)}"
        )
    rate = dict(zip(frame["maand"].to_list(), frame[spec.kolom].to_list(), strict=True))
    values = np.array([_trailing(rate, day, spec, path) for day in dates])
    return Unemployment(values[:-1] / values[-1], float(values[-1]))


def _trailing(rate: dict[dt.date, float], day: dt.date, spec: Werkloosheid, path: Path) -> float:
    months = [
        add_months(day, -spec.vertraging_maanden - k) for k in range(1, spec.gemiddelde_maanden + 1)
    ]
    missing = [m for m in months if m not in rate]
    if missing:
        raise EstimationError(
            f"{path}: unemployment for {min(missing)} to {max(missing)} is needed for the inflow "
            f"of {day} (average of {spec.gemiddelde_maanden} months, {spec.vertraging_maanden} "
            "months lag) but is not in the file; start the observation window later"
        )
    return float(np.mean([rate[m] for m in months]))
