"""Per-case hazard modifiers: being a statushouder in the first months, taking part in a measure
(traject), or being in a measure's after-effect.

A case's modifier is one index k = statushouder x (1 + 2J) + phase, where phase is 0 (no
measure), 1 + j (in measure j) or 1 + J + j (after measure j). Each k multiplies the hazard of
every event type by its own factor; the tables are built for all k, so a case that changes
modifier simply moves to another row of the cumulative-hazard table.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_MONTH
from simbijstand.engine.arrays import Bools, Floats, Ints
from simbijstand.engine.layout import CellLayout
from simbijstand.scenario import Scenario
from simbijstand.scenario.schema_policy import Effect, Traject

ToDays = Callable[[dt.date], float]  # a date as days since the run's start


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """A measure compiled to numbers; times in days since the run's start."""

    name: str
    gemeente: int
    eligible: Bools  # [C]
    priority: Ints  # intake rank per cell, lower first (all 0 for first come, first served)
    min_days: float  # duration on benefit the case must have, at least
    max_days: float  # and at most
    min_age: float  # age in years the case must have, at least
    max_age: float  # and less than
    share: float  # deelname: share of eligible clients that takes part
    capacity: int
    intake_days: float
    duration_days: float
    opens: float  # first intake
    closes: float  # no intake from here on (inf: open to the horizon)
    after_days: float  # length of the after-effect (0: none)
    cost_per_participant: float
    cost_per_place_year: float
    cost_fixed_year: float


@dataclass(frozen=True, slots=True)
class Modifiers:
    statushouders: bool  # whether the statushouder component exists
    measures: tuple[MeasureSpec, ...]
    factors: Floats  # [K, T] hazard multiplier per modifier and event type
    statushouder_days: float  # length of the statushouder phase (inf when none)

    @property
    def count(self) -> int:
        return len(self.factors)

    @property
    def phases(self) -> int:
        return 1 + 2 * len(self.measures)


def compile_modifiers(scenario: Scenario, layout: CellLayout, start_days: ToDays) -> Modifiers:
    """`start_days(date)` converts a date to days since the run's start."""
    measures = tuple(_measure(t, scenario, layout, start_days) for t in scenario.spec.traject)
    sh = scenario.spec.statushouders
    sh_exit = sh.uitstroom if sh is not None else None
    phases = [np.ones(layout.types)]
    phases += [_effect(t.effect, layout) for t in scenario.spec.traject]
    phases += [
        _effect(t.effect_na, layout) if t.effect_na else np.ones(layout.types)
        for t in scenario.spec.traject
    ]
    factors = np.stack(phases)
    if sh is not None:
        exit_factor = np.ones(layout.types)
        exit_factor[: len(layout.routes)] = sh_exit.factor if sh_exit else 1.0
        factors = np.concatenate([factors, factors * exit_factor])
    return Modifiers(
        statushouders=sh is not None,
        measures=measures,
        factors=factors,
        statushouder_days=sh_exit.maanden * DAYS_PER_MONTH if sh_exit else math.inf,
    )


def _effect(effect: Effect, layout: CellLayout) -> Floats:
    factor = np.ones(layout.types)
    routes = len(layout.routes)
    if isinstance(effect.uitstroom, dict):
        for route, value in effect.uitstroom.items():
            factor[layout.routes.index(route)] = value
    elif effect.uitstroom is not None:
        factor[:routes] = effect.uitstroom
    if effect.doorstroom is not None:
        factor[routes:] = effect.doorstroom
    return factor


def _measure(
    traject: Traject, scenario: Scenario, layout: CellLayout, start_days: ToDays
) -> MeasureSpec:
    gemeente = scenario.gemeenten.index(traject.gemeente or scenario.gemeenten[0])
    cells = layout.cells_where({gemeente}, set(traject.klantgroepen))
    eligible = np.zeros(layout.size, dtype=bool)
    eligible[cells] = True
    ranks = (
        {name: i for i, name in enumerate(traject.prioriteit)}
        if traject.intake == "prioriteit"
        else {}
    )
    priority = np.array([ranks.get(layout.klantgroep[c], len(ranks)) for c in range(layout.size)])
    capacity = traject.capaciteit
    places = (
        capacity.plaatsen
        if capacity.plaatsen is not None
        else int((capacity.coaches or 0) * (capacity.klanten_per_coach or 0))
    )
    return MeasureSpec(
        name=traject.naam,
        gemeente=gemeente,
        eligible=eligible,
        priority=priority,
        min_days=(traject.duur_min_maanden or 0.0) * DAYS_PER_MONTH,
        max_days=traject.duur_max_maanden * DAYS_PER_MONTH
        if traject.duur_max_maanden
        else math.inf,
        min_age=traject.leeftijd_min if traject.leeftijd_min is not None else -math.inf,
        max_age=traject.leeftijd_max if traject.leeftijd_max is not None else math.inf,
        share=traject.deelname,
        capacity=places,
        intake_days=float(traject.intake_dagen),
        duration_days=traject.duur_maanden * DAYS_PER_MONTH,
        opens=start_days(traject.van),
        closes=start_days(traject.tot) if traject.tot else math.inf,
        after_days=traject.effect_na.maanden * DAYS_PER_MONTH if traject.effect_na else 0.0,
        cost_per_participant=traject.kosten.per_deelnemer,
        cost_per_place_year=traject.kosten.per_plaats_per_jaar,
        cost_fixed_year=traject.kosten.vast_per_jaar,
    )
