"""The pool's fitted coefficients as a small stored record, so a gemeente that was not in the
fit (a planner's own, any year later) can get the pool's prediction without refitting.

`simbijstand calibrate calibration/gemeenten/kalibratie-gepoold.toml` writes the record as
`pool-gemeenten.toml` beside the parameter files; the same file ships with the package
(`estimation/pooled/pool-gemeenten.toml`, read by `shipped_record`) so `simbijstand init` works
from an installed package; a test checks that the two are the same.

Besides the two rate pools (covariates, centre, beta, its covariance, tau^2) it keeps what a
new gemeente's scenario needs from the same data: the uncounted exits per person-year, the
share of counted exits to work, the year-level variances (own: the fitted v(S) of the end
stock, `ownvariance`, with the held-out log density of each form it was chosen by; common:
relative to the stock squared) and the number of persons (CBS counts persons) per benefit
nationally at the origin: the sum of the gemeenten's end stocks over the national number of
benefits under the state-pension age (CBS 37789ksz) on that day.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.pooled import Floats
from simbijstand.estimation.pooled.calibrate import PooledCalibration
from simbijstand.estimation.pooled.fit import RatePool
from simbijstand.estimation.pooled.national import year_end_stocks
from simbijstand.estimation.pooled.ownvariance import FORMS, OwnVariance

RECORD_FILE = "pool-gemeenten.toml"
SCHEMA_VERSION = 2  # 2: the own variance as a function of size (was one relative variance)


@dataclass(frozen=True, slots=True)
class StoredPool:
    """One rate's pool as stored: the design's covariates and centre, beta, cov, tau^2."""

    covariates: tuple[str, ...]
    centre: dict[str, float]
    beta: Floats
    beta_cov: Floats
    tau2: float


@dataclass(frozen=True, slots=True)
class PoolRecord:
    origin: dt.date
    data_year: int
    gemeenten: int
    inflow: StoredPool  # log inflow per inhabitant (15 to the state-pension age)
    exit: StoredPool  # log counted exit hazard per year
    uncounted: float  # exits per person-year the flows do not count (route aow)
    work_share: float  # national share of counted exits to work
    own_variance: OwnVariance  # v(S) of the end stock, S in persons at the start
    own_form_scores: dict[str, float]  # held-out log density per form (the choice's evidence)
    common_variance: float
    persons_per_benefit: float
    inwoners: float  # all gemeenten's inhabitants from 15 to the state-pension age
    persons: float  # all gemeenten's persons with bijstand at the origin
    aow_age_fit_year: tuple[str, str]  # the AOW ages of the year before and of the fit year


def pool_record(
    calibration: PooledCalibration, national: Path, aow_ages: tuple[str, str]
) -> PoolRecord:
    """The record of a pooled calibration (`national`: the series it was fitted with;
    `aow_ages`: the AOW age in the year before the fit year and in the fit year)."""
    benefits = float(year_end_stocks(national, calibration.origin)[-1]) * 1000  # x1000 in CBS
    year = calibration.rates.year
    pool = calibration.pool
    return PoolRecord(
        origin=calibration.origin,
        data_year=year.jaar,
        gemeenten=len(year.gemeenten),
        inflow=_stored(pool.inflow),
        exit=_stored(pool.exit),
        uncounted=pool.uncounted,
        work_share=pool.work_share,
        own_variance=calibration.own_variance.model,
        own_form_scores=dict(calibration.own_variance.held_out),
        common_variance=calibration.common_variance,
        persons_per_benefit=float(year.stock.sum()) / benefits,
        inwoners=float(year.inwoners.sum()),
        persons=float(year.stock.sum()),
        aow_age_fit_year=aow_ages,
    )


def _stored(pool: RatePool) -> StoredPool:
    s = pool.shrinkage
    return StoredPool(pool.covariates, dict(pool.centre), s.beta, s.beta_cov, s.tau2)


def record_data(record: PoolRecord) -> dict[str, Any]:
    """The record as TOML data (plain floats, full precision: the prediction is recomputed)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "origin": record.origin,
        "jaar": record.data_year,
        "gemeenten": record.gemeenten,
        "onverklaarde_uitstroom": record.uncounted,
        "aandeel_werk": record.work_share,
        "variantie_eigen": _own_data(record),
        "variantie_landelijk": record.common_variance,
        "personen_per_uitkering": record.persons_per_benefit,
        "inwoners_landelijk": record.inwoners,
        "personen_landelijk": record.persons,
        "aow_leeftijd": list(record.aow_age_fit_year),
        "instroom": _pool_data(record.inflow),
        "uitstroom": _pool_data(record.exit),
    }


def _own_data(record: PoolRecord) -> dict[str, Any]:
    own = record.own_variance
    return {
        "vorm": own.form,
        "formule": "lineair * S + kappa * S^(2 beta), S personen bij de start",
        "kappa": own.kappa,
        "beta": own.beta,
        "lineair": own.lineair,
        "logdichtheid_weggelaten": dict(record.own_form_scores),
    }


def _own_from(data: dict[str, Any]) -> tuple[OwnVariance, dict[str, float]]:
    if data["vorm"] not in FORMS:
        raise ValueError(f"variantie_eigen.vorm {data['vorm']!r}, allowed: {', '.join(FORMS)}")
    own = OwnVariance(
        str(data["vorm"]), float(data["kappa"]), float(data["beta"]), float(data["lineair"])
    )
    scores = {str(k): float(v) for k, v in data["logdichtheid_weggelaten"].items()}
    return own, scores


def _pool_data(pool: StoredPool) -> dict[str, Any]:
    return {
        "covariaten": list(pool.covariates),
        "centrum": dict(pool.centre),
        "beta": [float(b) for b in pool.beta],
        "beta_covariantie": [[float(c) for c in row] for row in pool.beta_cov],
        "tau2": pool.tau2,
    }


def record_from_data(data: dict[str, Any], source: str) -> PoolRecord:
    """Read a record written by `record_data`; anything else is refused naming `source`."""
    try:
        if data["schema_version"] != SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {data['schema_version']!r}, expected {SCHEMA_VERSION}"
            )
        first, second = data["aow_leeftijd"]
        own, scores = _own_from(data["variantie_eigen"])
        return PoolRecord(
            origin=data["origin"],
            data_year=int(data["jaar"]),
            gemeenten=int(data["gemeenten"]),
            inflow=_pool_from(data["instroom"]),
            exit=_pool_from(data["uitstroom"]),
            uncounted=float(data["onverklaarde_uitstroom"]),
            work_share=float(data["aandeel_werk"]),
            own_variance=own,
            own_form_scores=scores,
            common_variance=float(data["variantie_landelijk"]),
            persons_per_benefit=float(data["personen_per_uitkering"]),
            inwoners=float(data["inwoners_landelijk"]),
            persons=float(data["personen_landelijk"]),
            aow_age_fit_year=(str(first), str(second)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise EstimationError(
            f"{source}: not a pooled-calibration record ({exc}); regenerate it with "
            "`simbijstand calibrate calibration/gemeenten/kalibratie-gepoold.toml`"
        ) from None


def _pool_from(data: dict[str, Any]) -> StoredPool:
    covariates = tuple(str(c) for c in data["covariaten"])
    beta = np.asarray(data["beta"], dtype=float)
    cov = np.asarray(data["beta_covariantie"], dtype=float)
    if beta.shape != (len(covariates) + 1,) or cov.shape != (len(beta), len(beta)):
        raise ValueError("beta and beta_covariantie do not match the covariates")
    centre = {str(k): float(v) for k, v in data["centrum"].items()}
    if not set(covariates) <= set(centre):
        raise ValueError("a covariate without a centre")
    return StoredPool(covariates, centre, beta, cov, float(data["tau2"]))


@functools.cache
def shipped_record() -> PoolRecord:
    """The record shipped with the package (see the module docstring)."""
    file = resources.files(__package__) / RECORD_FILE
    with resources.as_file(file) as path, path.open("rb") as handle:
        return record_from_data(tomllib.load(handle), f"simbijstand/{RECORD_FILE}")
