"""Scoring per-gemeente forecasts of one year against what CBS published, by size class.

The simulated end-of-year caseloads are rounded to tens first, as CBS rounds what it
publishes: the median and the bands are then of the figure that will be scored. A band's
coverage is counted by the randomized PIT (`pit_coverage`), the standard for a forecast of a
count: the forecast of a figure in tens has atoms, and a closed band around atoms holds more
than its nominal share (a band of three atoms can hold 90% of the forecast); the share of
observations inside the closed band is kept beside it (`*_rand_meegeteld`). Size classes:
`klein` (under SMALL persons at the origin: CBS's rounding is a visible part of a year's
change), `middel`, and the four large cities (`G4`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simbijstand.estimation.observations.cbs_gemeenten import ROUNDING
from simbijstand.estimation.pooled import Floats

SMALL = 500
G4 = ("Amsterdam", "Rotterdam", "'s-Gravenhage", "Utrecht")
CLASSES = ("klein", "middel", "G4", "alle")
BANDS = {"80": (10.0, 90.0), "90": (5.0, 95.0)}


@dataclass(frozen=True, slots=True)
class Forecasts:
    gemeenten: tuple[str, ...]
    start: Floats  # stock at the origin
    simulated: Floats  # [replication, gemeente] end-of-year stock
    last_value: Floats
    drift: Floats
    observed: Floats


def size_class(names: tuple[str, ...], start: Floats) -> np.ndarray:
    return np.array(
        [
            "G4" if n in G4 else "klein" if s < SMALL else "middel"
            for n, s in zip(names, start, strict=True)
        ]
    )


def as_published(simulated: Floats) -> Floats:
    """Simulated caseloads rounded as CBS rounds what it publishes (module docstring)."""
    rounded: Floats = np.round(simulated / ROUNDING) * ROUNDING
    return rounded


def score(forecasts: Forecasts) -> dict[str, dict[str, Any]]:
    """Per class: gemeenten, MAE of the median, of last value and of drift, band coverage."""
    rounded = as_published(forecasts.simulated)
    median = np.median(rounded, axis=0)
    classes = size_class(forecasts.gemeenten, forecasts.start)
    observed = forecasts.observed
    covered = {level: pit_coverage(rounded, observed, lo, hi) for level, (lo, hi) in BANDS.items()}
    closed = {
        level: (np.percentile(rounded, lo, axis=0) <= observed)
        & (observed <= np.percentile(rounded, hi, axis=0))
        for level, (lo, hi) in BANDS.items()
    }
    table = {}
    for name in CLASSES:
        rows = classes == name if name != "alle" else np.ones(len(observed), bool)
        table[name] = {
            "gemeenten": int(rows.sum()),
            "mae_mediaan": _mae(median, observed, rows),
            "mae_laatste_waarde": _mae(forecasts.last_value, observed, rows),
            "mae_drift": _mae(forecasts.drift, observed, rows),
            "dekking_80": float(covered["80"][rows].mean()),
            "dekking_90": float(covered["90"][rows].mean()),
            "dekking_80_rand_meegeteld": float(closed["80"][rows].mean()),
            "dekking_90_rand_meegeteld": float(closed["90"][rows].mean()),
        }
    return table


def pit_coverage(simulated: Floats, observed: Floats, lo: float, hi: float) -> Floats:
    """Per gemeente, the chance that the randomized PIT of its observation lies between the
    lo-th and hi-th percentile (Czado, Gneiting & Held 2009, Biometrics 65).

    The PIT of an observation y on an atom of the forecast is drawn uniformly from
    [F(y-), F(y)]; its chance to fall in [lo, hi] is the part of that interval inside it. For a
    forecast that is right the PIT is uniform, so the band holds (hi - lo)% on average, atoms or
    not; without an atom at y it is 1 or 0, as the plain count of a band.
    """
    band = np.array([lo, hi]) / 100
    below = (simulated < observed).mean(axis=0)
    at_most = (simulated <= observed).mean(axis=0)
    atom = at_most - below
    inside = np.clip(np.minimum(at_most, band[1]) - np.maximum(below, band[0]), 0.0, None)
    on_atom = np.divide(inside, atom, out=np.zeros_like(inside), where=atom > 0)
    off_atom = ((band[0] <= below) & (below <= band[1])).astype(float)
    share: Floats = np.where(atom > 0, on_atom, off_atom)
    return share


def _mae(forecast: Floats, observed: Floats, rows: np.ndarray) -> float:
    return float(np.mean(np.abs(forecast[rows] - observed[rows])))
