"""`simbijstand calibrate`: from a calibration config to the engine's parameter files.

Read every [[reeks]] (checked), keep what falls in the observation window, fit the free
parameters (`aggregate`), and write per gemeente a parameter file with the estimates, their
intervals and uncertainty, and where they came from (every input file's SHA-256, every
assumption with its source), plus a fit report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from simbijstand.estimation.aggregate.aggregate import AggregateFitter
from simbijstand.estimation.aggregate.deviation import DeviationEstimate, estimate_deviation
from simbijstand.estimation.aggregate.uncertainty import Uncertain, rounded, uncertain_values
from simbijstand.estimation.config.assumptions import stated_assumptions
from simbijstand.estimation.config.config import CalibrationConfig, load_config
from simbijstand.estimation.observations.consistency import reconcile
from simbijstand.estimation.observations.observations import Observations
from simbijstand.estimation.observations.readers import read_observations
from simbijstand.estimation.spells.spellfit import SpellEstimates, fit_spells
from simbijstand.scenario.toml_io import file_sha256


@dataclass(frozen=True, slots=True)
class Calibration:
    """A fitted calibration: the config, the observations used, the fit, per-gemeente values."""

    config: CalibrationConfig
    observations: Observations
    fitter: AggregateFitter
    spells: SpellEstimates | None
    uncertain: dict[str, Uncertain]
    assumptions: dict[str, str]
    deviation: DeviationEstimate | None = None  # for [instroom.schommeling], when configured

    @property
    def van(self) -> dt.date:
        return self.fitter.van

    @property
    def tot(self) -> dt.date:
        return self.fitter.tot


def calibrate(
    config: CalibrationConfig | str | Path,
    *,
    van: dt.date | None = None,
    tot: dt.date | None = None,
) -> Calibration:
    """Fit a config (on [van, tot) when given: backtests move the window)."""
    if not isinstance(config, CalibrationConfig):
        config = load_config(config)
    window = config.spec.waarneming
    van, tot = van or window.van, tot or window.tot
    spells = fit_spells(config, van, tot) if _has_spells(config) else None
    fitted_config = spells.fixed_config(config) if spells else config
    observations, compositions = observations_for(config, van, tot)
    if spells is not None:
        observations = observations + spells.observations
    fitter = AggregateFitter(fitted_config, van=van, tot=tot).fit(observations, compositions)
    uncertain = {g: uncertain_values(fitter, g) for g in config.gemeenten}
    assumptions = stated_assumptions(config)
    deviation = estimate_deviation(config, fitter)
    return Calibration(config, observations, fitter, spells, uncertain, assumptions, deviation)


def _has_spells(config: CalibrationConfig) -> bool:
    return any(g.spells is not None for g in config.spec.gemeenten.values())


def observations_for(
    config: CalibrationConfig, van: dt.date, tot: dt.date
) -> tuple[Observations, dict[str, dict[str, float]]]:
    """Observations inside [van, tot], and each gemeente's composition on van where the config
    takes it from a file of group sizes."""
    everything = reconcile(read_observations(config), config.spec.model.routes)
    compositions = {}
    used = set()
    for gemeente, spec in config.spec.gemeenten.items():
        if spec.beginsamenstelling is None:
            continue
        sizes = [
            s
            for s in everything.sizes
            if s.origin.reeks == spec.beginsamenstelling.reeks and s.gemeente == gemeente
        ]
        if sizes:
            compositions[gemeente] = dict(sizes[0].counts)
            used.add(sizes[0].origin.reeks)
    unused = sorted({s.origin.reeks for s in everything.sizes} - used)
    notes = tuple(
        f"{name}: groepsgroottes niet als waarneming gebruikt (alleen als beginsamenstelling "
        "of als bron van aannames)"
        for name in unused
    )
    within = everything.within(van, tot)
    return dataclasses.replace(within, notes=within.notes + notes), compositions


def input_files(config: CalibrationConfig) -> list[Path]:
    """Every data file the config names, in order, once."""
    spec = config.spec
    paths = [Path(r.bestand) for r in spec.reeks]
    if spec.instroom.werkloosheid is not None:
        paths.append(Path(spec.instroom.werkloosheid.bestand))
    for gemeente in spec.gemeenten.values():
        if gemeente.spells is not None:
            paths.append(Path(gemeente.spells.bestand))
            if gemeente.spells.groepswijzigingen:
                paths.append(Path(gemeente.spells.groepswijzigingen))
    if spec.backtest is not None and spec.backtest.eigen_prognose is not None:
        paths.append(Path(spec.backtest.eigen_prognose.bestand))
    return list(dict.fromkeys(paths))


def parameter_file_data(calibration: Calibration, gemeente: str, output: Path) -> dict[str, Any]:
    """The parameter file of one gemeente as TOML-ready data."""
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
        "herkomst": _provenance(calibration, output),
    }
    uncertain = calibration.uncertain[gemeente]
    data["intervallen"] = _intervals(calibration, uncertain) | _deviation_intervals(calibration)
    block = _lognormal_block(uncertain)
    data["onzekerheid"] = [block] if block else []
    if calibration.spells is not None:
        data["onzekerheid"] += calibration.spells.uncertainty_blocks()
        data["intervallen"] |= calibration.spells.intervals(fitter.level)
    return data


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
        data["schommeling"] = _deviation_data(calibration)
    return data


def _deviation_data(calibration: Calibration) -> dict[str, Any]:
    """[instroom.schommeling] with its provenance: what was estimated from which months, and
    what assumed with which source."""
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
    return {
        "sd_per_maand": rounded(deviation.sd_per_maand),
        "persistentie": rounded(deviation.persistentie),
        "bron": "; ".join(parts),
    }


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


def _provenance(calibration: Calibration, output: Path) -> dict[str, Any]:
    config = calibration.config
    return {
        "programma": f"simbijstand {_version()}",
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


def _version() -> str:
    try:
        return metadata.version("simbijstand")
    except metadata.PackageNotFoundError:
        return "unknown"


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


def caseload_at_end(calibration: Calibration, gemeente: str) -> dict[tuple[str, int], int]:
    """The expected caseload on tot per (klantgroep, duration band): the state the fit ends in
    (anchored to the stock observed on tot, if any), in whole cases; each klantgroep's total is
    rounded and its bands get the largest remainders."""
    fitter = calibration.fitter
    state = fitter.evaluation_.final_states[gemeente]  # [J+1, G]
    edges = np.array(fitter.edges)
    band = np.searchsorted(edges, np.arange(state.shape[0]), side="right") - 1
    result: dict[tuple[str, int], int] = {}
    for g, group in enumerate(fitter.param_.groups):
        per_band = np.bincount(band, weights=state[:, g], minlength=len(edges))
        whole = np.floor(per_band).astype(int)
        missing = round(per_band.sum()) - whole.sum()
        order = np.argsort(-(per_band - whole), kind="stable")
        whole[order[:missing]] += 1
        result |= {(group, k): int(n) for k, n in enumerate(whole) if n > 0}
    return result
