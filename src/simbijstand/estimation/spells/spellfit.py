"""Calibration from individual spells: hazards from events over exposure, inflow from counts.

With a spells export for its gemeente, a config's hazards come from the spells:
`PiecewiseExponentialFitter` on [van, tot) gives per klantgroep and duration band the exits
D_k over the exposure E_k (years), by route, and the moves to other klantgroepen.

- duur_factor "schatten": per band T_k = D_k / E_k; uitstroom_per_jaar = T_0 and
  duur_factor = T_k / T_0 (`klantgroep_rates`); an assumed duur_factor f instead gives
  uitstroom_per_jaar = D / sum_k f_k E_k (the maximum likelihood under that profile);
- route shares D_r / D; doorstroom h: moves / E (all bands);
- entry shares: the klantgroep at the start of the spells that start inside the window.

The spells also give the inflow per month (spells starting in it) and the caseload on van by
klantgroep, which the aggregate fit then uses for the inflow's level, trend and seasonality
(the hazards fixed at the values above; the two likelihoods are not combined).

Intervals are exact: Garwood for rates, Clopper-Pearson for shares, and for a ratio of two
rates the conditional binomial interval. Uncertainty for runs: each band's rate (or the level)
Gamma(D + 1/2, 1 / E), route and entry shares Dirichlet(counts + 1/2), doorstroom
Gamma(moves + 1/2, 1 / E): the posteriors under Jeffreys priors.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from simbijstand.domain.calendar import month_starts, months_between
from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.config.schema import FactorsSpec, HazardSpec, SharesSpec
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.observations import Flow, Observations, Origin, Stock
from simbijstand.estimation.spells.hazards import PiecewiseExponentialFitter, poisson_rate_interval
from simbijstand.estimation.spells.privacy import Pseudonymiser
from simbijstand.estimation.spells.spells import Spells, read_spells

JEFFREYS = 0.5


@dataclass(frozen=True, slots=True)
class GroupSpells:
    """One klantgroep's counts from the spells."""

    band_exits: np.ndarray  # D_k
    band_exposure: np.ndarray  # E_k, years
    route_exits: dict[str, int]
    moves: dict[str, int]
    factors: np.ndarray | None  # assumed duur_factor, or None when estimated


@dataclass(frozen=True, slots=True)
class SpellEstimates:
    gemeente: str
    groups: dict[str, GroupSpells]
    entry_counts: dict[str, int]
    observations: Observations

    def rates(self, name: str) -> tuple[float, dict[str, float], list[float], dict[str, float]]:
        """(uitstroom_per_jaar, route hazards at factor 1, duur_factor, doorstroom)."""
        group = self.groups[name]
        exits, exposure = group.band_exits, group.band_exposure
        total_exposure = exposure.sum()
        if group.factors is None:
            if exits[0] == 0 or exposure[0] == 0:
                raise EstimationError(
                    f"klantgroep {name!r}: no exits in the first duration band of the spells, so "
                    "duur_factor cannot be estimated relative to it; assume a duur_factor"
                )
            band = exits / np.where(exposure > 0, exposure, np.nan)
            level, factors = float(band[0]), np.nan_to_num(band / band[0]).tolist()
        else:
            weighted = float((group.factors * exposure).sum())
            level = float(exits.sum() / weighted) if weighted > 0 else 0.0
            factors = group.factors.tolist()
        shares = {r: n / exits.sum() for r, n in group.route_exits.items()} if exits.sum() else {}
        door = {h: n / total_exposure for h, n in group.moves.items()} if total_exposure else {}
        return level, {r: level * s for r, s in shares.items()}, factors, door

    def entry_shares(self) -> dict[str, float]:
        total = sum(self.entry_counts.values())
        return {g: n / total for g, n in self.entry_counts.items()} if total else {}

    def fixed_config(self, config: CalibrationConfig) -> CalibrationConfig:
        """The config with hazards (and entry shares) fixed at the spells' estimates, so that
        the aggregate fit estimates the inflow only."""
        spec = config.spec
        groups = {}
        for name, group in spec.klantgroepen.items():
            level, routes, factors, door = self.rates(name)
            source = f"spells {self.gemeente}: gebeurtenissen / blootstelling"
            uitstroom = {r: {"waarde": h, "bron": source} for r, h in routes.items()}
            doorstroom = {
                h: ({"waarde": door.get(h, 0.0), "bron": source} if spec_h.schatten else spec_h)
                for h, spec_h in group.doorstroom.items()
            }
            groups[name] = group.model_copy(
                update={
                    "uitstroom": _specs(uitstroom),
                    "doorstroom": _specs(doorstroom),
                    "duur_factor": _factor_spec(factors, source),
                }
            )
            del level
        inflow = spec.instroom
        if inflow.klantgroepen.schatten:
            shares = self.entry_shares()
            inflow = inflow.model_copy(
                update={"klantgroepen": _shares_spec(shares, f"spells {self.gemeente}: startgroep")}
            )
        new_spec = spec.model_copy(update={"klantgroepen": groups, "instroom": inflow})
        return CalibrationConfig(config.path, new_spec, config.sha256)

    def intervals(self, level: float) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, group in self.groups.items():
            result |= _group_intervals(name, group, level)
        total = sum(self.entry_counts.values())
        for g, n in self.entry_counts.items():
            result[f"instroom.klantgroepen.{g}"] = _share_interval(n, total, level)
        return result

    def uncertainty_blocks(self) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        for name, group in self.groups.items():
            blocks += _group_blocks(name, group)
        positive = {g: n + JEFFREYS for g, n in self.entry_counts.items() if n > 0}
        if len(positive) > 1:
            blocks.append(_dirichlet("instroom.klantgroepen", positive))
        return blocks


def _specs(table: dict[str, Any]) -> dict[str, HazardSpec]:
    return {k: v if isinstance(v, HazardSpec) else HazardSpec(**v) for k, v in table.items()}


def _factor_spec(factors: list[float], source: str) -> FactorsSpec:
    return FactorsSpec(waarde=[float(f) for f in factors], bron=source)


def _shares_spec(shares: dict[str, float], source: str) -> SharesSpec:
    return SharesSpec(waarde=shares, bron=source)


def _group_intervals(name: str, group: GroupSpells, level: float) -> dict[str, Any]:
    alpha = 1 - level
    result: dict[str, Any] = {}
    exits, exposure = group.band_exits, group.band_exposure
    low, high = poisson_rate_interval(exits, exposure, alpha)
    for k in range(len(exits)):
        if exposure[k] > 0:
            result[f"klantgroepen.{name}.uitstroom_band[{k + 1}]"] = _interval(
                exits[k] / exposure[k], low[k], high[k], level, "exact Poisson (Garwood)"
            )
    total = exits.sum()
    for route, n in group.route_exits.items():
        result[f"klantgroepen.{name}.uitstroom_routes.{route}"] = _share_interval(n, total, level)
    if group.factors is None and exits[0] > 0:
        for k in range(1, len(exits)):
            result[f"klantgroepen.{name}.duur_factor[{k + 1}]"] = _ratio_interval(
                exits[k], exposure[k], exits[0], exposure[0], level
            )
    all_exposure = exposure.sum()
    for target, n in group.moves.items():
        lo, hi = poisson_rate_interval(np.array([n]), np.array([all_exposure]), alpha)
        result[f"klantgroepen.{name}.doorstroom_per_jaar.{target}"] = _interval(
            n / all_exposure, lo[0], hi[0], level, "exact Poisson (Garwood)"
        )
    return result


def _group_blocks(name: str, group: GroupSpells) -> list[dict[str, Any]]:
    blocks = []
    exposure = group.band_exposure
    if group.factors is None:
        for k, (d, e) in enumerate(zip(group.band_exits, exposure, strict=True)):
            if e > 0 and d > 0:
                blocks.append(_gamma(f"klantgroepen.{name}.uitstroom_band[{k + 1}]", d, e))
    elif group.band_exits.sum() > 0:
        weighted = float((group.factors * exposure).sum())
        blocks.append(
            _gamma(f"klantgroepen.{name}.uitstroom_per_jaar", group.band_exits.sum(), weighted)
        )
    positive = {r: n + JEFFREYS for r, n in group.route_exits.items() if n > 0}
    if len(positive) > 1:
        blocks.append(_dirichlet(f"klantgroepen.{name}.uitstroom_routes", positive))
    for target, n in group.moves.items():
        if n > 0:
            blocks.append(
                _gamma(f"klantgroepen.{name}.doorstroom_per_jaar.{target}", n, exposure.sum())
            )
    return blocks


def _gamma(key: str, events: float, exposure: float) -> dict[str, Any]:
    return {
        "verdeling": "gamma",
        "sleutels": [key],
        "vorm": float(events) + JEFFREYS,
        "schaal": 1.0 / float(exposure),
        "bron": f"spells: {int(events)} gebeurtenissen over {exposure:.4g} jaar (Jeffreys)",
    }


def _dirichlet(key: str, concentration: dict[str, float]) -> dict[str, Any]:
    return {
        "verdeling": "dirichlet",
        "sleutels": [key],
        "concentratie": {k: float(v) for k, v in concentration.items()},
        "bron": "spells: aantallen + 1/2 (Jeffreys)",
    }


def _interval(point, low, high, level, method) -> dict[str, Any]:
    return {
        "schatting": float(point),
        "laag": float(low),
        "hoog": float(high),
        "niveau": level,
        "methode": method,
    }


def _share_interval(n: int, total: int, level: float) -> dict[str, Any]:
    result = stats.binomtest(int(n), int(total)).proportion_ci(level, method="exact")
    return _interval(n / total, result.low, result.high, level, "exact binomiaal (Clopper-Pearson)")


def _ratio_interval(d_k, e_k, d_0, e_0, level) -> dict[str, Any]:
    """T_k / T_0 from the binomial D_k | D_k + D_0 (exact, conditional)."""
    point = (d_k / e_k) / (d_0 / e_0)
    ci = stats.binomtest(int(d_k), int(d_k + d_0)).proportion_ci(level, method="exact")
    to_ratio = lambda p: p / (1 - p) * e_0 / e_k if p < 1 else np.inf  # noqa: E731
    return _interval(
        point,
        to_ratio(ci.low),
        to_ratio(ci.high),
        level,
        "exact voorwaardelijk binomiaal (verhouding van twee Poisson-intensiteiten)",
    )


def fit_spells(config: CalibrationConfig, van: dt.date, tot: dt.date) -> SpellEstimates:
    """Counts per klantgroep and band from the gemeente's spells inside [van, tot)."""
    gemeente, spec = next(iter(config.spec.gemeenten.items()))
    assert spec.spells is not None
    spells = _read(config, spec.spells)
    bands = config.spec.model.duurbanden_maanden
    estimates = (
        PiecewiseExponentialFitter(bands).fit(spells.episodes(), van=van, tot=tot).estimates_
    )
    groups = {name: _group_counts(config, name, estimates) for name in config.klantgroepen}
    starts = spells.uitkeringen.filter((pl.col("startdatum") >= van) & (pl.col("startdatum") < tot))
    entry = {g: starts.filter(pl.col("klantgroep") == g).height for g in config.klantgroepen}
    origin = Origin(f"spells {gemeente}", Path(spec.spells.bestand))
    observations = _inflow_observations(config, gemeente, spells, origin, van, tot)
    return SpellEstimates(gemeente, groups, entry, observations)


def _read(config: CalibrationConfig, spec) -> Spells:
    pseudonymiser = None
    if spec.zout_omgevingsvariabele:
        salt = os.environ.get(spec.zout_omgevingsvariabele)
        if not salt:
            raise EstimationError(
                f"spells: environment variable {spec.zout_omgevingsvariabele} holds no salt; set "
                "it to the secret salt for pseudonymising ids (never put it in the config)"
            )
        pseudonymiser = Pseudonymiser(salt.encode())
    changes = Path(spec.groepswijzigingen) if spec.groepswijzigingen else None
    return read_spells(
        Path(spec.bestand),
        routes=config.spec.model.routes,
        peildatum=spec.peildatum,
        klantgroepen=config.klantgroepen,
        groepswijzigingen=changes,
        pseudonymiser=pseudonymiser,
    )


def _group_counts(config: CalibrationConfig, name: str, estimates: pl.DataFrame) -> GroupSpells:
    rows = estimates.filter(pl.col("klantgroep") == name)
    exits = rows.filter(pl.col("kind") == "uitstroom")
    per_band = exits.group_by("band_from_months", maintain_order=True).agg(
        pl.col("events").sum(), pl.col("exposure_years").first()
    )
    routes = exits.group_by("target", maintain_order=True).agg(pl.col("events").sum())
    moves = (
        rows.filter(pl.col("kind") == "doorstroom")
        .group_by("target", maintain_order=True)
        .agg(pl.col("events").sum())
    )
    spec = config.spec.klantgroepen[name]
    factors = spec.duur_factor
    assumed = np.array(factors.waarde) if factors is not None and factors.waarde else None
    if factors is None:
        assumed = np.ones(len(config.spec.model.duurbanden_maanden))
    return GroupSpells(
        band_exits=per_band["events"].to_numpy().astype(float),
        band_exposure=per_band["exposure_years"].to_numpy(),
        route_exits={r: int(n) for r, n in routes.iter_rows() if r in spec.uitstroom},
        moves={
            h: int(n)
            for h, n in moves.iter_rows()
            if h in spec.doorstroom and spec.doorstroom[h].schatten
        },
        factors=assumed,
    )


def _inflow_observations(config, gemeente, spells: Spells, origin, van, tot) -> Observations:
    """Spells starting in each month (inflow), and the caseload on van by klantgroep."""
    dates = month_starts(van, months_between(van, tot))
    starts = spells.uitkeringen["startdatum"].to_list()
    buig = tuple(config.buig_groups)
    flows = tuple(
        Flow(
            origin,
            (gemeente,),
            "instroom",
            buig,
            None,
            a,
            b,
            float(sum(1 for s in starts if a <= s < b)),
        )
        for a, b in itertools.pairwise(dates)
    )
    at_van = _groups_on(spells, van)
    stocks = tuple(
        Stock(origin, gemeente, (g,), van, float(at_van.get(g, 0))) for g in config.klantgroepen
    )
    return Observations(
        stocks=stocks,
        flows=flows,
        notes=(
            f"spells {gemeente}: instroom per maand en bestand op {van} afgeleid uit de spells",
        ),
    )


def _groups_on(spells: Spells, day: dt.date) -> dict[str, int]:
    running = spells.uitkeringen.filter(
        (pl.col("startdatum") < day) & (pl.col("einddatum").is_null() | (pl.col("einddatum") > day))
    )
    changes = spells.groepswijzigingen.filter(pl.col("datum") <= day).sort("datum")
    latest = changes.group_by("uitkering").agg(pl.col("klantgroep").last())
    joined = running.join(latest, on="uitkering", how="left", suffix="_nu")
    group = joined.select(pl.coalesce("klantgroep_nu", "klantgroep").alias("g"))["g"]
    return {str(k): int(v) for k, v in group.value_counts().iter_rows()}
