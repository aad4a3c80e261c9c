"""Parameter-file data for each gemeente of a pooled fit (scenario.schema.ParameterFile).

One klantgroep `bijstand` (persons from 15 to the state-pension age), no duration dependence
(the CBS tables give no durations), routes werk and overig (the counted exits) and aow (the
exits the flows do not count, mostly reaching the state-pension age). Each file carries its own
[[onzekerheid]] (the posterior of its inflow and exit hazard, and the
year-level deviation, a factor on the year's inflow: see `yearlevel`), so every gemeente draws
its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from simbijstand.estimation.pooled import Floats
from simbijstand.estimation.pooled.fit import GemeenteRates

GROUP = "bijstand"
ROUTES = ["werk", "overig", "aow"]


@dataclass(frozen=True, slots=True)
class Provenance:
    """What every file of the calibration shares in [herkomst]."""

    programma: str
    config: str
    config_sha256: str
    van: dt.date
    tot: dt.date
    bestanden: list[dict[str, str]]
    aannames: dict[str, str]


def parameter_data(
    rates: GemeenteRates, level_variance: Floats, index: int, provenance: Provenance | None
) -> dict[str, Any]:
    """The parameter file of gemeente `index` of `rates`."""
    year = rates.year
    hazard = float(rates.hazard[index])
    counted = float(rates.counted_hazard[index])
    work = float(rates.work_share[index])
    shares = {"werk": counted * work / hazard, "overig": counted * (1 - work) / hazard}
    shares["aow"] = 1.0 - shares["werk"] - shares["overig"]
    exit_variance = (counted / hazard) ** 2 * float(rates.exit_log_variance[index])
    data: dict[str, Any] = {
        "schema_version": 1,
        "gemeente": year.gemeenten[index],
        "omschrijving": f"{year.gemeenten[index]} ({year.codes[index]}): bijstand 15 jaar tot "
        f"AOW-leeftijd, gepoolde kalibratie op CBS {year.jaar}",
        "bron": "simbijstand calibrate (gepoold); zie [herkomst] en kalibratie-gemeenten.csv",
        "routes": ROUTES,
        "duurbanden_maanden": [0],
        "instroom": {
            "per_jaar": _round(rates.inflow_per_year[index]),
            "klantgroepen": {GROUP: 1.0},
        },
        "klantgroepen": {
            GROUP: {
                "omschrijving": "personen met bijstand van 15 jaar tot de AOW-leeftijd (CBS)",
                "regeling": "participatiewet",
                "uitstroom_per_jaar": _round(hazard),
                "uitstroom_routes": {k: _round(max(v, 0.0)) for k, v in shares.items()},
            }
        },
        "onzekerheid": [
            {
                "verdeling": "lognormaal",
                "sleutels": ["instroom.per_jaar", f"klantgroepen.{GROUP}.uitstroom_per_jaar"],
                "covariantie_log": [
                    [_round(rates.inflow_log_variance[index] + level_variance[index]), 0.0],
                    [0.0, _round(exit_variance)],
                ],
                "bron": f"instroom: posterior van de gepoolde schatting "
                f"({_round(rates.inflow_log_variance[index])}) plus de afwijking op jaarniveau "
                f"({_round(level_variance[index])}); uitstroom: posterior",
            }
        ],
    }
    if provenance is not None:
        data["herkomst"] = _herkomst(provenance)
    return data


def _herkomst(p: Provenance) -> dict[str, Any]:
    return {
        "programma": p.programma,
        "config": p.config,
        "config_sha256": p.config_sha256,
        "waarneming_van": p.van,
        "waarneming_tot": p.tot,
        "bestanden": p.bestanden,
        "aannames": p.aannames,
    }


def _round(value: float | np.floating[Any]) -> float:
    return float(f"{float(value):.7g}")
