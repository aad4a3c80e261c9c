"""The shape of scenario files and parameter files: keys, types and single-value ranges.

Rules that relate several values (shares that add up, names that must exist, dates inside the
horizon) live in `checks`. Units: hazards are per year, amounts in euros, durations in months.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

NAME_PATTERN = r"^[A-Za-z0-9_\-]+$"
RESERVED_NAMES = frozenset({"totaal"})


def _not_reserved(name: str) -> str:
    if name in RESERVED_NAMES:
        raise ValueError(f"'{name}' is reserved for totals; choose another name")
    return name


def _valid_gemeente(name: str) -> str:
    if not name.strip() or name != name.strip():
        raise ValueError("a gemeente name must be non-empty without leading or trailing spaces")
    return _not_reserved(name)


Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64), AfterValidator(_not_reserved)]
GemeenteName = Annotated[str, Field(max_length=80), AfterValidator(_valid_gemeente)]
Share = Annotated[float, Field(ge=0, le=1)]
HazardPerYear = Annotated[float, Field(ge=0, le=100)]
Multiplier = Annotated[float, Field(ge=0, le=100)]
Euro = Annotated[float, Field(ge=0, le=1_000_000)]


class Strict(BaseModel):
    """No coercion, no unknown keys, no NaN or infinity: a typo is an error, not a default."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


# --- parameter file (rates of one gemeente) -------------------------------------------------


class InstroomParameters(Strict):
    per_jaar: Annotated[float, Field(ge=0, le=10_000_000)]
    trend_per_jaar: Annotated[float, Field(gt=-1, le=10)] = 0.0
    seizoen: (
        Annotated[list[Annotated[float, Field(gt=0, le=12)]], Field(min_length=12, max_length=12)]
        | None
    ) = None
    klantgroepen: dict[Name, Share]


class KlantgroepParameters(Strict):
    omschrijving: str = ""
    regeling: Name = "participatiewet"
    buig: bool = True
    uitstroom_per_jaar: HazardPerYear
    uitstroom_routes: dict[Name, Share]
    duur_factor: list[Annotated[float, Field(ge=0, le=100)]] | None = None
    doorstroom_per_jaar: dict[Name, HazardPerYear] = {}


class ParameterFile(Strict):
    schema_version: Literal[1]
    gemeente: str = ""
    omschrijving: str = ""
    bron: str = ""
    routes: Annotated[list[Name], Field(min_length=1, max_length=64)]
    duurbanden_maanden: Annotated[
        list[Annotated[float, Field(ge=0, le=1200)]], Field(min_length=1, max_length=32)
    ]
    instroom: InstroomParameters
    klantgroepen: Annotated[dict[Name, KlantgroepParameters], Field(min_length=1, max_length=64)]


# --- scenario file ---------------------------------------------------------------------------


class Simulatie(Strict):
    start: dt.date
    horizon_maanden: Annotated[int, Field(ge=1, le=600)]
    replicaties: Annotated[int, Field(ge=1, le=1_000_000)] = 100
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0


class Beginstand(Strict):
    """Exactly one of: counts per klantgroep, a CSV of counts, or an event log to replay."""

    aantallen: dict[Name, Annotated[int, Field(ge=0, le=10_000_000)]] | None = None
    bestand: str | None = None
    eventlog: str | None = None


# --- money: budget, receipts, wage subsidy, realised figures (amounts in euros a year) --------

YearKey = Annotated[str, Field(pattern=r"^\d{4}$")]
Amount = Annotated[float, Field(ge=0, le=100_000_000_000)]
BudgetAmount = Annotated[float, Field(gt=0, le=100_000_000_000)]
Result = Annotated[float, Field(ge=-100_000_000_000, le=100_000_000_000)]
Growth = Annotated[float, Field(ge=-0.5, le=1)]
Factor = Annotated[float, Field(gt=0, le=10)]
AmountPerYear = Amount | dict[YearKey, Amount]  # one amount for every year, or one per year


class BudgetJaar(Strict):
    """The BUIG budget of one year as announced: provisional and/or definitive."""

    voorlopig: BudgetAmount | None = None
    definitief: BudgetAmount | None = None


class Historisch(Strict):
    """Small gemeenten: budget = own net lasten two years earlier x macrofactor."""

    macrofactor: Factor | dict[YearKey, Factor]


class Budget(Strict):
    """Budgets given per year, and one rule for the years not given."""

    jaren: dict[YearKey, BudgetJaar] = {}
    groei_per_jaar: Growth | dict[YearKey, Growth] | None = None
    historisch: Historisch | None = None


class Baten(Strict):
    """Receipts (terugvordering, verhaal): a share of the gross lasten or an amount a year."""

    aandeel: Share | None = None
    per_jaar: AmountPerYear | None = None


class Loonkostensubsidie(Strict):
    """Wage subsidy paid from BUIG beyond what the klantgroepen cost (euro a year)."""

    per_jaar: AmountPerYear


class Realisatie(Strict):
    """Realised figures: a year before the start, or the part of the start year before it."""

    lasten: Amount | None = None  # gross BUIG lasten
    baten: Amount = 0.0
    loonkostensubsidie: Amount = 0.0
    resultaat: Result | None = None  # tekort (+) or overschot (-) against the budget
    budget: BudgetAmount | None = None  # the definitive budget of that year


class Gemeente(Strict):
    parameters: str
    beginstand: Beginstand
    inwoners: Annotated[int, Field(ge=1, le=100_000_000)] | None = None
    budget: Budget | None = None
    baten: Baten | None = None
    loonkostensubsidie: Loonkostensubsidie | None = None
    realisatie: dict[YearKey, Realisatie] = {}


class Kosten(Strict):
    prijsjaar: Annotated[int, Field(ge=1990, le=2100)]
    per_maand: dict[Name, Euro]
    indexatie_per_jaar: Annotated[float, Field(ge=-0.5, le=1)] = 0.0
    indexatie: dict[
        Annotated[str, Field(pattern=r"^\d{4}$")], Annotated[float, Field(ge=-0.5, le=1)]
    ] = {}


class Multiplicator(Strict):
    """Calendar-month multipliers from `van` up to (not including) `tot`."""

    van: dt.date
    tot: dt.date | None = None
    gemeenten: list[str] | None = None
    klantgroepen: list[Name] | None = None
    instroom: Multiplier | None = None
    uitstroom: Multiplier | dict[Name, Multiplier] | None = None
    doorstroom: Multiplier | None = None


class Historie(Strict):
    """Observed caseload before (and during) the horizon, for charts and comparison."""

    bestand: str  # CSV with columns datum, gemeente, aantal


class Vangnet(Strict):
    """Changes to the shipped vangnet regimes, and regimes chosen for particular years."""

    regimes: dict[str, Any] = {}  # shaped like vangnet_regimes.toml's [regimes]; checked there
    regime: dict[YearKey, Annotated[str, Field(pattern=NAME_PATTERN)]] = {}


class ScenarioFile(Strict):
    naam: Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)] | None = None
    beschrijving: str = ""
    simulatie: Simulatie
    gemeenten: Annotated[dict[GemeenteName, Gemeente], Field(min_length=1)]
    kosten: Kosten
    multiplicator: list[Multiplicator] = []
    historie: Historie | None = None
    vangnet: Vangnet = Vangnet()


# Keys whose values are file paths, resolved against the file that wrote them.
SCENARIO_PATH_KEYS: tuple[tuple[str, ...], ...] = (
    ("gemeenten", "*", "parameters"),
    ("gemeenten", "*", "beginstand", "bestand"),
    ("gemeenten", "*", "beginstand", "eventlog"),
    ("historie", "bestand"),
)


def is_valid_name(name: str) -> bool:
    return re.fullmatch(NAME_PATTERN, name) is not None and name not in RESERVED_NAMES


def scenario_name(spec: ScenarioFile, path: Path) -> str:
    return spec.naam or path.stem
