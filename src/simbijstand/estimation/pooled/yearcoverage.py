"""What coverage one year's cross-section of gemeenten can show if the forecast is right.

In a year all gemeenten share one national draw, so the share of gemeenten inside their bands
in that one year scatters widely around its nominal level: in a mild national year nearly all
are inside, in a sharp one few. One year can then neither confirm nor refute an 80% band by
its coverage alone; this module says how far it scatters under the forecast itself. Each
replication in turn plays the outcome (its national and own draws are ones the forecast deems
possible) and is scored against the bands of the other replications, as the real outcome is
(`scores.pit_coverage`). Over all replications that gives the spread of one year's coverage;
over the replications whose national total is nearest the observed one, the coverage the
forecast expects in a national year like the one that happened. Only the forecasts are used
for the spread; the observed national total only picks the comparable replications.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simbijstand.estimation.pooled import Floats
from simbijstand.estimation.pooled.scores import BANDS, pit_coverage

TARGET = (0.72, 0.88)  # the 80% band's target for one year's cross-section (issue 13)
NEAREST = 0.1  # share of replications nearest the observed national total


def coverage_per_replication(rounded: Floats, level: str = "80") -> Floats:
    """[replication, gemeente]: the chance each gemeente's band holds when that replication is
    the outcome, against the bands of all other replications."""
    lo, hi = BANDS[level]
    count = rounded.shape[0]
    return np.array(
        [pit_coverage(np.delete(rounded, r, axis=0), rounded[r], lo, hi) for r in range(count)]
    )


def year_coverage(
    coverage: Floats, national_total: Floats, observed_total: float, rows: np.ndarray
) -> dict[str, Any]:
    """For the gemeenten in `rows`: the spread of one year's 80% coverage under the forecast
    (`coverage` from coverage_per_replication), the chance it lands in TARGET, and its mean
    over the replications with a national total like `observed_total` (`national_total` per
    replication)."""
    per_replication = coverage[:, rows].mean(axis=1)
    nearest = np.argsort(np.abs(national_total - observed_total), kind="stable")
    like_observed = nearest[: max(1, round(NEAREST * len(nearest)))]
    p10, p50, p90 = np.percentile(per_replication, [10, 50, 90])
    in_target = (per_replication >= TARGET[0]) & (per_replication <= TARGET[1])
    return {
        "gemiddeld": float(per_replication.mean()),
        "p10": float(p10),
        "p50": float(p50),
        "p90": float(p90),
        "kans_in_doel": float(in_target.mean()),
        "bij_dit_landelijk_jaar": float(per_replication[like_observed].mean()),
    }
