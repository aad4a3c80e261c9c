"""A calibration as the engine's parameter files: per gemeente, its data ready for TOML.

The point estimates in the engine's fields; [intervallen] and [[onzekerheid]] from the fit's
uncertainty (`aggregate.uncertainty`) and, with spells, the spell fit's; [instroom.schommeling]
when the config asks for it; and [herkomst]: the program's version, every input file's SHA-256
and every assumption with its source. Turning the data into a file (and checking it loads) is
the `calibrate` use case's job (`simbijstand.runs.calibrate`).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from simbijstand.estimation.aggregate.deviation import DeviationEstimate
from simbijstand.estimation.aggregate.uncertainty import Uncertain
from simbijstand.estimation.bands import caseload_of, widened
from simbijstand.estimation.borrowed_yearlevel import BorrowedYearLevel, year_level_blocks
from simbijstand.estimation.calibrate import Calibration, caseload_at_end, input_files
from simbijstand.scenario.schema import Schommeling
from simbijstand.scenario.toml_io import file_sha256

SIGNIFICANT = 7


def parameter_file_data(
    calibration: Calibration, gemeente: str, output: Path, *, version: str, widen: bool = True
) -> dict[str, Any]:
    """The parameter file of one gemeente as TOML-ready data.

    Args:
        output: where the file will be written; [herkomst] gives the input files relative to it.
        version: simbijstand's version, for [herkomst] programma.
        widen: apply the config's [instroom.schommeling] inflatie (a backtest does not: it
            calibrates its own on earlier origins).
    """
    config, fitter = calibration.config, calibration.fitter
    spec = config.spec
    data: dict[str, Any] = {
        "schema_version": 1,
        "gemeente": gemeente,
        "omschrijving": spec.gemeenten[gemeente].omschrijving or spec.beschrijving,
        "bron": f"simbijstand calibrate {config.path.name}; zie [herkomst] en het rapport",
        "routes": list(spec.model.routes),
        "duurbanden_maanden": list(spec.model.duurbanden_maanden),
        "instroom": _inflow_data(calibration, gemeente),
        "klantgroepen": {
            name: _group_data(calibration, gemeente, name) for name in config.klantgroepen
        },
        "herkomst": _provenance(calibration, output, version),
    }
    deviation = calibration.deviation
    if widen and deviation is not None and deviation.inflation is not None:
        level = sum(caseload_at_end(calibration, gemeente).values())
        _add_widening(data, deviation, level)
    uncertain = calibration.uncertain[gemeente]
    data["intervallen"] = _intervals(calibration, uncertain) | _deviation_intervals(calibration)
    block = _lognormal_block(uncertain)
    data["onzekerheid"] = [block] if block else []
    if calibration.spells is not None:
        data["onzekerheid"] += calibration.spells.uncertainty_blocks()
        data["intervallen"] |= calibration.spells.intervals(fitter.level)
    borrowed, source = calibration.year_level, config.spec.jaarafwijking
    if borrowed is not None and source is not None:
        data["onzekerheid"] += _year_level_blocks(calibration, gemeente, borrowed, source.bron)
    return data


def _year_level_blocks(
    calibration: Calibration, gemeente: str, borrowed: BorrowedYearLevel, bron: str | None
) -> list[dict[str, Any]]:
    """The borrowed year-level deviation's blocks (`borrowed_yearlevel`), at the gemeente's
    fitted rates and its caseload at the window's end."""
    fitter = calibration.fitter
    rates = fitter.param_.rates(fitter.theta_, gemeente, fitter.edges)
    inflow = fitter.param_.inflow(fitter.theta_, gemeente).per_jaar
    benefits = sum(caseload_at_end(calibration, gemeente).values())
    own, national = borrowed.factor_variances(rates, inflow, benefits)
    record = borrowed.record
    text = bron or (
        f"geleend van de gepoolde kalibratie van {record.gemeenten} gemeenten, "
        f"CBS {record.data_year}, {borrowed.path.name}"
    )
    return year_level_blocks(rounded(own), rounded(national), text)


def _inflow_data(calibration: Calibration, gemeente: str) -> dict[str, Any]:
    fitter = calibration.fitter
    inflow = fitter.param_.inflow(fitter.theta_, gemeente)
    entry = fitter.param_.entry(fitter.theta_, gemeente)
    data: dict[str, Any] = {
        "per_jaar": rounded(inflow.per_jaar),
        "trend_per_jaar": rounded(float(np.expm1(inflow.trend_log))),
    }
    if inflow.season is not None:
        data["seizoen"] = [rounded(float(f)) for f in inflow.season]
    data["klantgroepen"] = {
        g: rounded(float(s)) for g, s in zip(fitter.param_.groups, entry, strict=True) if s > 0
    }
    werkloosheid = calibration.config.spec.instroom.werkloosheid
    if werkloosheid is not None and fitter.unemployment_ is not None:
        data["werkloosheid"] = {
            "elasticiteit": rounded(inflow.elasticity),
            "referentie_pct": rounded(fitter.unemployment_.reference_pct),
            "vertraging_maanden": werkloosheid.vertraging_maanden,
            "gemiddelde_maanden": werkloosheid.gemiddelde_maanden,
        }
    if calibration.deviation is not None:
        data["schommeling"] = _deviation_data(calibration, gemeente)
    return data


def _deviation_data(calibration: Calibration, gemeente: str) -> dict[str, Any]:
    """[instroom.schommeling] with its provenance: what was estimated from which months, and
    what assumed with which source; the gemeente's filtered start and the config's inflation."""
    deviation = calibration.deviation
    assert deviation is not None
    estimated = [n for n in ("sd_per_maand", "persistentie") if n not in deviation.assumed]
    parts = [f"{name}: aanname: {source}" for name, source in deviation.assumed.items()]
    if estimated:
        parts.append(
            f"{' en '.join(estimated)}: geschat (simbijstand calibrate "
            f"{calibration.config.path.name}, {calibration.van} tot {calibration.tot}) uit "
            f"{deviation.terms} maandresiduen van het bestand als AR(1) met de Poisson-ruis "
            "van de fit, maximum likelihood; zie [intervallen] en het rapport"
        )
    data: dict[str, Any] = {
        "sd_per_maand": rounded(deviation.sd_per_maand),
        "persistentie": rounded(deviation.persistentie),
    }
    if gemeente in deviation.starts:
        start, start_sd = deviation.starts[gemeente]
        data |= {"start": rounded(start), "start_sd": rounded(start_sd)}
        parts.append(
            f"start en start_sd: de schommeling aan het eind van het venster ({calibration.tot}), "
            "Kalman-filter over dezelfde maandresiduen"
        )
    data["bron"] = "; ".join(parts)
    return data


def _add_widening(data: dict[str, Any], deviation: DeviationEstimate, level: float) -> None:
    """The config's band reach into the file's [instroom.schommeling], once its rates are known:
    the factor on the AR(1) and the wandering level that give it with this file's sigma, rho,
    start_sd, inflow and exits, and the config's record of how it was found."""
    inflation = deviation.inflation
    assert inflation is not None
    schommeling = data["instroom"]["schommeling"]
    own = Schommeling(
        sd_per_maand=deviation.sd_per_maand,
        persistentie=deviation.persistentie,
        start_sd=min(schommeling.get("start_sd", 0.0), 3.0),
    )
    errors = list(inflation.relatieve_fout_80)
    found = widened(own, inflation.horizon_maanden, errors, caseload_of(data, level))
    assert found.inflatie is not None
    record = inflation.model_dump(exclude_defaults=True, exclude={"relatieve_fout_80"})
    schommeling["inflatie"] = record | {
        "factor": [rounded(f) for f in found.inflatie.factor],
        "wandeling_sd_per_maand": [rounded(t) for t in found.inflatie.wandeling_sd_per_maand],
    }
    reach = ", ".join(f"{100 * e:.1f}%" for e in errors)
    schommeling["bron"] += (
        f"; inflatie: de 80%-band moet volgens de backtest {reach} rond de prognose reiken "
        f"(horizon {inflation.horizon_maanden} maanden); omgerekend naar een factor op de AR(1) "
        "en een dwalend niveau met deze sd_per_maand, persistentie, instroom en uitstroom "
        "(estimation/bands.py)"
    )


def _deviation_intervals(calibration: Calibration) -> dict[str, Any]:
    deviation = calibration.deviation
    if deviation is None:
        return {}
    found = {}
    for name, point, interval in (
        ("sd_per_maand", deviation.sd_per_maand, deviation.sd_interval),
        ("persistentie", deviation.persistentie, deviation.persistentie_interval),
    ):
        if interval is not None:
            found[f"instroom.schommeling.{name}"] = {
                "schatting": rounded(point),
                "laag": rounded(min(interval[0], point)),
                "hoog": rounded(max(interval[1], point)),
                "niveau": deviation.level,
                "methode": "profiel-likelihood, AR(1) met bekende Poisson-ruis",
            }
    return found


def _group_data(calibration: Calibration, gemeente: str, name: str) -> dict[str, Any]:
    fitter = calibration.fitter
    spec = calibration.config.spec.klantgroepen[name]
    routes = calibration.config.spec.model.routes
    hazards = {
        r: fitter.param_.hazard(fitter.theta_, gemeente, name, "uitstroom", r) for r in routes
    }
    total = sum(hazards.values())
    data: dict[str, Any] = {"omschrijving": spec.omschrijving, "regeling": spec.regeling}
    if not spec.buig:
        data["buig"] = False
    data["uitstroom_per_jaar"] = rounded(total)
    data["uitstroom_routes"] = {r: rounded(h / total) for r, h in hazards.items() if h > 0}
    if spec.duur_factor is not None and spec.duur_factor.waarde is not None:
        data["duur_factor"] = list(spec.duur_factor.waarde)
    if spec.leeftijd is not None and spec.leeftijd.waarde is not None:
        data["leeftijd"] = dict(spec.leeftijd.waarde)
    door = {
        h: fitter.param_.hazard(fitter.theta_, gemeente, name, "doorstroom", h)
        for h in spec.doorstroom
    }
    data["doorstroom_per_jaar"] = {h: rounded(v) for h, v in door.items() if v > 0}
    return data


def _provenance(calibration: Calibration, output: Path, version: str) -> dict[str, Any]:
    config = calibration.config
    return {
        "programma": f"simbijstand {version}",
        "config": _relative(config.path, output),
        "config_sha256": config.sha256,
        "waarneming_van": calibration.van,
        "waarneming_tot": calibration.tot,
        "bestanden": [
            {"pad": _relative(path, output), "sha256": file_sha256(path)}
            for path in input_files(config)
        ],
        "aannames": dict(calibration.assumptions),
    }


def _relative(path: Path, output: Path) -> str:
    return Path(os.path.relpath(path.resolve(), output.resolve().parent)).as_posix()


def _intervals(calibration: Calibration, uncertain: Uncertain) -> dict[str, Any]:
    method = (
        "profiel-likelihood"
        if calibration.config.spec.model.intervallen == "profiel"
        else "waargenomen informatie, deltamethode"
    )
    return {
        key: {
            "schatting": rounded(float(point)),
            "laag": rounded(float(min(low, point))),
            "hoog": rounded(float(max(high, point))),
            "niveau": calibration.fitter.level,
            "methode": method,
        }
        for key, point, low, high in zip(
            uncertain.keys, uncertain.point, uncertain.lower, uncertain.upper, strict=True
        )
    }


def _lognormal_block(uncertain: Uncertain) -> dict[str, Any] | None:
    picked = np.flatnonzero(uncertain.drawable & (uncertain.point > 0))
    if picked.size == 0:
        return None
    covariance = uncertain.covariance[np.ix_(picked, picked)]
    covariance = (covariance + covariance.T) / 2
    return {
        "verdeling": "lognormaal",
        "sleutels": [uncertain.keys[i] for i in picked],
        "covariantie_log": [[float(x) for x in row] for row in covariance],
        "bron": "maximum likelihood op de tellingen; covariantie uit de waargenomen informatie "
        "(deltamethode)",
    }


def rounded(value: float) -> float:
    """A value with 7 significant digits: readable, and far finer than any interval."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, SIGNIFICANT - 1 - math.floor(math.log10(abs(value))))
