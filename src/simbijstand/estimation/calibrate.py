"""Fitting a calibration config: from the config and its data to the fitted values.

Read every [[reeks]] (checked), keep what falls in the observation window, fit hazards from
spells where a gemeente has them (`spells.spellfit`), fit the free parameters on the aggregate
counts (`aggregate`), and derive the intervals and uncertainty of every parameter-file value and
the inflow deviation. Returns a `Calibration`; nothing is written here: `parameter_files` turns
it into the engine's parameter files and `simbijstand.runs.calibrate` writes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simbijstand.estimation.aggregate.aggregate import AggregateFitter
from simbijstand.estimation.aggregate.deviation import DeviationEstimate, estimate_deviation
from simbijstand.estimation.aggregate.uncertainty import Uncertain, uncertain_values
from simbijstand.estimation.borrowed_yearlevel import BorrowedYearLevel, read_borrowed
from simbijstand.estimation.config.assumptions import stated_assumptions
from simbijstand.estimation.config.config import CalibrationConfig, load_config
from simbijstand.estimation.observations.consistency import reconcile
from simbijstand.estimation.observations.observations import Observations
from simbijstand.estimation.observations.readers import read_observations
from simbijstand.estimation.spells.spellfit import SpellEstimates, fit_spells


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
    year_level: BorrowedYearLevel | None = None  # for [jaarafwijking], when configured

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
    borrowed = config.spec.jaarafwijking
    year_level = read_borrowed(Path(borrowed.pool), tot) if borrowed is not None else None
    spells = fit_spells(config, van, tot) if _has_spells(config) else None
    fitted_config = spells.fixed_config(config) if spells else config
    observations, compositions = observations_for(config, van, tot)
    if spells is not None:
        observations = observations + spells.observations
    fitter = AggregateFitter(fitted_config, van=van, tot=tot).fit(observations, compositions)
    uncertain = {g: uncertain_values(fitter, g) for g in config.gemeenten}
    assumptions = stated_assumptions(config)
    deviation = estimate_deviation(config, fitter)
    return Calibration(
        config, observations, fitter, spells, uncertain, assumptions, deviation, year_level
    )


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
    if spec.jaarafwijking is not None:
        paths.append(Path(spec.jaarafwijking.pool))
    return list(dict.fromkeys(paths))


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
