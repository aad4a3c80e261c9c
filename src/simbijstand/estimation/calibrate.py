"""From a calibration config to fitted parameters: read, check, fit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from simbijstand.estimation.aggregate import AggregateFitter
from simbijstand.estimation.config import CalibrationConfig, load_config
from simbijstand.estimation.consistency import reconcile
from simbijstand.estimation.observation_readers import read_observations
from simbijstand.estimation.observations import Observations


def observations_for(
    config: CalibrationConfig, van: dt.date, tot: dt.date
) -> tuple[Observations, dict[str, dict[str, float]]]:
    everything = reconcile(read_observations(config), config.spec.model.routes)
    compositions = {}
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
    return everything.within(van, tot), compositions


def fit_config(
    path: str | Path, van: dt.date | None = None, tot: dt.date | None = None
) -> AggregateFitter:
    config = load_config(path)
    fitter = AggregateFitter(config, van=van, tot=tot)
    observations, compositions = observations_for(config, fitter.van, fitter.tot)
    return fitter.fit(observations, compositions)
