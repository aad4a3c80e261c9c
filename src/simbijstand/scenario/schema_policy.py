"""Scenario tables for what a planner changes: the economy (macro), refugee housing
(statushouders), policy measures with capacity (traject) and dated policy (beleid).

Dated values use string keys because TOML keys cannot be dates: months as "2021-07", half years
as "2021-1" (January-June) and "2021-2" (July-December).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from simbijstand.scenario.schema_base import Euro, Multiplier, Name, Share, Strict

MONTH_KEY = r"^\d{4}-(0[1-9]|1[0-2])$"
HALF_YEAR_KEY = r"^\d{4}-[12]$"
Elasticity = Annotated[float, Field(ge=-10, le=10)]
Months = Annotated[float, Field(gt=0, le=600)]


class Macro(Strict):
    """An unemployment path turned into multipliers on inflow and on exits to work.

    multiplier(t) = (u(t - lag) / referentie) ** elasticiteit, with u interpolated linearly
    between the given months and held constant before the first and after the last.
    """

    werkloosheid: Annotated[
        dict[Annotated[str, Field(pattern=MONTH_KEY)], Annotated[float, Field(gt=0, le=50)]],
        Field(min_length=1),
    ]
    referentie: Annotated[float, Field(gt=0, le=50)]
    elasticiteit_instroom: Elasticity
    elasticiteit_werk: Elasticity
    vertraging_instroom_maanden: Annotated[int, Field(ge=0, le=36)] = 0
    vertraging_werk_maanden: Annotated[int, Field(ge=0, le=36)] = 0
    werk_route: Name = "werk"
    bron: str = ""


class StatushoudersUitstroom(Strict):
    factor: Multiplier  # on every exit route during the first `maanden` on benefit
    maanden: Months


class Statushouders(Strict):
    """Refugees with a permit housed under the national quota (taakstelling) who enter the
    caseload: quota per half year x the gemeente's share x instroomkans, housed evenly over the
    half year and entering after an exponential delay with mean vertraging_maanden."""

    taakstelling: Annotated[
        dict[Annotated[str, Field(pattern=HALF_YEAR_KEY)], Annotated[int, Field(ge=0, le=10**6)]],
        Field(min_length=1),
    ]
    aandeel: Annotated[dict[str, Share], Field(min_length=1)]
    instroomkans: Share
    vertraging_maanden: Annotated[float, Field(ge=0, le=60)] = 1.0
    klantgroep: Name
    uitstroom: StatushoudersUitstroom | None = None
    bron: str = ""


class Effect(Strict):
    uitstroom: Multiplier | dict[Name, Multiplier] | None = None
    doorstroom: Multiplier | None = None


class EffectNa(Effect):
    maanden: Months


class Capaciteit(Strict):
    """Either a number of places, or coaches x clients per coach."""

    plaatsen: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    coaches: Annotated[float, Field(ge=0, le=10_000)] | None = None
    klanten_per_coach: Annotated[int, Field(ge=0, le=10_000)] | None = None


class TrajectKosten(Strict):
    """Paid from the Participatiebudget, not from BUIG."""

    per_deelnemer: Euro = 0.0
    per_plaats_per_jaar: Euro = 0.0
    vast_per_jaar: Annotated[float, Field(ge=0, le=1e9)] = 0.0


class Traject(Strict):
    """A measure with limited capacity: eligible clients queue, free places are filled every
    `intake_dagen` days, a participant stays `duur_maanden` (or until the benefit ends)."""

    naam: Name
    omschrijving: str = ""
    gemeente: str | None = None
    klantgroepen: Annotated[list[Name], Field(min_length=1)]
    duur_min_maanden: Annotated[float, Field(ge=0, le=1200)] | None = None
    duur_max_maanden: Annotated[float, Field(gt=0, le=1200)] | None = None
    leeftijd_min: Annotated[float, Field(ge=0, le=120)] | None = None
    leeftijd_max: Annotated[float, Field(gt=0, le=120)] | None = None
    deelname: Share = 1.0
    capaciteit: Capaciteit
    intake: Literal["volgorde", "prioriteit"] = "volgorde"
    prioriteit: list[Name] = []
    intake_dagen: Annotated[int, Field(ge=1, le=92)] = 7
    duur_maanden: Annotated[float, Field(gt=0, le=120)]
    van: dt.date
    tot: dt.date | None = None
    effect: Effect
    effect_na: EffectNa | None = None
    kosten: TrajectKosten = TrajectKosten()


class Beleid(Strict):
    """Dated policy: the preventiequote (share of applications that do not lead to a benefit).
    Inflow is multiplied by (1 - quote(t)) / (1 - preventiequote_referentie)."""

    preventiequote: Annotated[
        dict[Annotated[str, Field(pattern=MONTH_KEY)], Share], Field(min_length=1)
    ]
    preventiequote_referentie: Annotated[float, Field(ge=0, lt=1)]
    bron: str = ""


class Aow(Strict):
    """State pension age by year ("66-4": 66 years and 4 months), on top of the shipped ages
    (`regels.toml`). A client leaves by `route` on
    reaching the age that applies in that year, so the route's hazard in the parameter files is
    not used (it would count these exits twice); every klantgroep then needs `leeftijd`."""

    # years given here replace the shipped AOW ages of those years (simbijstand.scenario.rules)
    leeftijd: dict[
        Annotated[str, Field(pattern=r"^\d{4}$")],
        Annotated[str, Field(pattern=r"^\d{2}-([0-9]|1[01])$")],
    ] = {}
    route: Name = "aow"
    bron: str = ""


Intake = Literal["volgorde", "prioriteit"]
