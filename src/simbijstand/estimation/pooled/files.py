"""Parameter-file data for each gemeente of a pooled fit (scenario.schema.ParameterFile).

One klantgroep `bijstand` (persons from 15 to the state-pension age), no duration dependence
(the CBS tables give no durations), routes werk and overig (the counted exits) and aow (the
exits the flows do not count, mostly reaching the state-pension age). Each file carries its own
[[onzekerheid]]: the posterior of its inflow and exit hazard with the own part of the year-level
deviation (a factor on the year's inflow: see `yearlevel`), which every gemeente draws for
itself, and the national part in a block with `gedeeld = "landelijk"`, which all gemeenten of a
run draw together (one national year per replication).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from simbijstand.estimation.pooled.fit import GemeenteRates
from simbijstand.estimation.pooled.yearlevel import NATIONAL, LevelParts

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
    rates: GemeenteRates, level: LevelParts, index: int, provenance: Provenance | None
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
        "onzekerheid": _uncertainty(rates, level, index, exit_variance),
    }
    if provenance is not None:
        data["herkomst"] = _herkomst(provenance)
    return data


def _uncertainty(
    rates: GemeenteRates, level: LevelParts, index: int, exit_variance: float
) -> list[dict[str, Any]]:
    """The rates' posterior, the gemeente's own part of the year-level deviation and the
    national part it shares with every other gemeente (`yearlevel`)."""
    posterior, own = rates.inflow_log_variance[index], level.own[index]
    national = level.national[index]
    return [
        {
            "verdeling": "lognormaal",
            "sleutels": ["instroom.per_jaar", f"klantgroepen.{GROUP}.uitstroom_per_jaar"],
            "covariantie_log": [[_round(posterior), 0.0], [0.0, _round(exit_variance)]],
            "bron": "posterior van de gepoolde schatting",
        },
        {
            "verdeling": "normaal",
            "sleutels": ["instroom.per_jaar"],
            "covariantie": [[_round(own)]],
            "bron": "eigen deel van de afwijking op jaarniveau (v(S) van de gepoolde kalibratie)",
        },
        {
            "verdeling": "normaal",
            "gedeeld": NATIONAL,
            "sleutels": ["instroom.per_jaar"],
            "covariantie": [[_round(national)]],
            "bron": "landelijk deel van de afwijking op jaarniveau: één trekking per replicatie "
            "voor alle gemeenten samen (driftfouten van de jaargroei van de landelijke reeks)",
        },
    ]


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
