"""How a run's bands were calibrated, in one Dutch sentence, from its manifest.

The manifest's `uncertainty.inflow_deviation.files` holds each parameter file's
[instroom.schommeling]; where one has an `inflatie`, its spread was widened by factors
calibrated on out-of-sample errors of earlier forecasts (`estimation.bands`).
"""

from __future__ import annotations

from typing import Any

from simbijstand.reporting.numbers import number, pct


def bands_calibration(manifest: dict[str, Any]) -> str | None:
    """'De schommeling van de instroom is verbreed ...' for the first file with an inflatie;
    None when no file has one."""
    files = manifest.get("uncertainty", {}).get("inflow_deviation", {}).get("files", {})
    for deviation in files.values():
        inflation = deviation.get("inflatie")
        if not inflation:
            continue
        walk = [100 * w for w in inflation.get("wandeling_sd_per_maand") or [0.0]]
        factors = (
            f"factor {number(inflation['factor'][0], 2)} op de AR(1), een dwalend niveau van "
            f"{number(min(walk), 1)}-{number(max(walk), 1)}% per maand, "
            f"t/m {inflation['horizon_maanden'][-1]} maanden gekalibreerd"
        )
        origins = inflation.get("oorsprongen") or []
        where = (
            f" van {len(origins)} eerdere prognoses ({origins[0]} t/m {origins[-1]})"
            if origins
            else ""
        )
        covered = inflation.get("dekking_80") or []
        held = (
            f"; de 80%-band hield daar {', '.join(pct(100 * c, 0) for c in covered)} van de maanden"
            if covered
            else ""
        )
        return (
            f"Banden gekalibreerd op de eigen fouten{where}: de schommeling van de instroom "
            f"verbreed ({factors}){held}."
        )
    return None
