"""How a run's bands were calibrated, in one Dutch sentence, from its manifest.

The manifest's `uncertainty.inflow_deviation.files` holds each parameter file's
[instroom.schommeling]; where one has an `inflatie`, its spread was widened by factors
calibrated on out-of-sample errors of earlier forecasts (`estimation.bands`).
"""

from __future__ import annotations

from typing import Any

from simbijstand.reporting.numbers import pct


def bands_calibration(manifest: dict[str, Any]) -> str | None:
    """'Banden gekalibreerd op de eigen fouten ...' for the first file with an inflatie; None
    when no file has one. Says what a planner can check (on which forecasts, how far ahead, how
    often the band held), not the widening's factors: those are in the parameter file."""
    files = manifest.get("uncertainty", {}).get("inflow_deviation", {}).get("files", {})
    for deviation in files.values():
        inflation = deviation.get("inflatie")
        if not inflation:
            continue
        origins = inflation.get("oorsprongen") or []
        where = (
            f" van {len(origins)} eerdere prognoses ({origins[0]} t/m {origins[-1]})"
            if origins
            else ""
        )
        horizons = inflation["horizon_maanden"]
        covered = inflation.get("dekking_80") or []
        held = (
            "; de 80%-band hield daar "
            + ", ".join(
                f"{pct(100 * c, 0)} (t/m {h} mnd)" for h, c in zip(horizons, covered, strict=False)
            )
            + " van de maanden"
            if covered
            else ""
        )
        months = horizons[-1]
        return (
            f"Banden gekalibreerd op de eigen fouten{where}, voor horizonnen t/m {months} "
            f"maanden (verder doorgetrokken): de instroom schommelt in elke replicatie zo veel "
            f"breder als die fouten vragen{held}. De verbreding zelf: "
            f"[instroom.schommeling.inflatie] in het parameterbestand."
        )
    return None
