"""Today's rules as dated data: the AOW age and the bijstand norm, shipped in `regels.toml`.

A scenario uses them unless it says otherwise:
- `[aow]` without `leeftijd` uses the shipped AOW ages; with `leeftijd`, the years it gives
  replace the shipped ones and the other years stay.
- `[kosten]` follows the shipped norms: the cost per benefit-month rises as the norm does from
  one half year to the next; a year the scenario names in `indexatie` replaces the shipped rises
  of that year; years with neither rise by `indexatie_per_jaar` on 1 January (so do the years
  after the last known norm: carried, and said so). `ingebouwde_normen = false` leaves the
  shipped norms out.

`rules_in_force(scenario)` lists, for a run's summary and report, the vangnet regime of every
year of the horizon with the certainty of its conditions and tiers, and every value the run
carries beyond its last known date.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationError

from simbijstand.domain.dated import Carry, DatedValue, Period
from simbijstand.errors import ScenarioError
from simbijstand.scenario.problems import describe_validation_error
from simbijstand.scenario.regimes import Regime, RegimeSet, scenario_regimes, select_regime
from simbijstand.scenario.schema import Kosten, ScenarioFile, Strict
from simbijstand.scenario.schema_policy import Aow
from simbijstand.scenario.toml_io import read_toml

if TYPE_CHECKING:
    from simbijstand.scenario.loader import Scenario

RULES_FILE = "regels.toml"
CERTAINTY_ORDER = ("bevestigd", "gangbaar", "onbekend")

Certainty = Literal["bevestigd", "gangbaar"]
Text = Annotated[str, Field(min_length=1)]


class AowEntry(Strict):
    leeftijd: Annotated[str, Field(pattern=r"^\d{2}-([0-9]|1[01])$")]
    bron: Text
    zekerheid: Certainty


class NormEntry(Strict):
    bedrag: Annotated[float, Field(gt=0, le=100_000)]
    bron: Text
    zekerheid: Certainty


class AowRules(Strict):
    leeftijd: Annotated[
        dict[Annotated[str, Field(pattern=r"^\d{4}$")], AowEntry], Field(min_length=1)
    ]


class NormRules(Strict):
    gehuwden: Annotated[
        dict[Annotated[str, Field(pattern=r"^\d{4}-[12]$")], NormEntry], Field(min_length=2)
    ]


class Rules(Strict):
    schema_version: Literal[1]
    aow: AowRules
    normen: NormRules


@functools.cache
def default_rules() -> Rules:
    """The rules shipped with simbijstand (read and validated once per process)."""
    with resources.as_file(resources.files(__package__) / RULES_FILE) as path:
        return load_rules(path)


def load_rules(path: Path) -> Rules:
    data = read_toml(path)
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(describe_validation_error(exc, Rules, lambda _: path)) from None


# --- AOW ---------------------------------------------------------------------------------------


def aow_ages(aow: Aow, rules: Rules | None = None) -> dict[str, str]:
    """Year -> AOW age ("67-3"): the shipped ages with the scenario's years on top."""
    rules = default_rules() if rules is None else rules
    ages = {year: entry.leeftijd for year, entry in rules.aow.leeftijd.items()}
    return dict(sorted({**ages, **aow.leeftijd}.items()))


def aow_age_months(aow: Aow, rules: Rules | None = None) -> DatedValue[int]:
    """The AOW age in months by year: each year's age holds until the next year given, the
    first also before it, the last is carried forward (and `is_carried` says so)."""
    months = {year: age_in_months(age) for year, age in aow_ages(aow, rules).items()}
    return DatedValue.from_keys("aow.leeftijd", months, before=Carry.HOLD, carry=Carry.HOLD)


def age_in_months(text: str) -> int:
    """An AOW age as regels.toml writes it ("67-3") in months."""
    years, months = (int(part) for part in text.split("-"))
    return years * 12 + months


# --- the norm and the cost indexation ----------------------------------------------------------


def shipped_rises(rules: Rules | None = None) -> dict[Period, float]:
    """The norm's rise at the start of every half year that follows a known half year."""
    rules = default_rules() if rules is None else rules
    levels = sorted((Period.parse(k), e.bedrag) for k, e in rules.normen.gehuwden.items())
    return {
        later: level / earlier_level - 1
        for (earlier, earlier_level), (later, level) in itertools.pairwise(levels)
        if earlier.end == later.start
    }


def indexation(kosten: Kosten, rules: Rules | None = None) -> DatedValue[float]:
    """The norm rises the cost follows: the shipped ones (unless `ingebouwde_normen = false`)
    with the scenario's `indexatie` replacing every year it names; every year with neither
    rises by `indexatie_per_jaar` on 1 January, carried forward beyond the last known rise."""
    own = {Period.parse(k): v for k, v in kosten.indexatie.items()}
    own_years = {p.start.year for p in own}
    shipped = shipped_rises(rules) if kosten.ingebouwde_normen else {}
    merged = {p: v for p, v in shipped.items() if p.start.year not in own_years} | own
    return DatedValue.from_periods(
        "kosten.indexatie",
        merged.items(),
        before=Carry.DEFAULT,
        carry=Carry.DEFAULT,
        default=kosten.indexatie_per_jaar,
    )


# --- what a run's summary and report say about the rules -----------------------------------------


@dataclass(frozen=True, slots=True)
class Carried:
    """A value the run carries beyond its last known date (reporting words it in Dutch)."""

    what: Literal["aow_leeftijd", "bijstandsnorm", "vangnetregime"]
    last_known: str  # the last period given: "2031", "2025-2" (a half year)
    value: int | float | str  # AOW age in months; the yearly rise after it; the regime's name
    first_carried: int  # the first year that uses the carried value

    def as_record(self) -> dict[str, Any]:
        return {
            "wat": self.what,
            "laatst_bekend": self.last_known,
            "waarde": self.value,
            "vanaf": self.first_carried,
        }


def rules_in_force(scenario: Scenario) -> dict[str, Any]:
    """For the manifest: the vangnet regime of every horizon year and what is carried."""
    spec = scenario.spec
    years = range(scenario.start.year, (scenario.end - dt.timedelta(days=1)).year + 1)
    regimes = scenario_regimes(spec, scenario.source.origin(("vangnet", "regimes")))
    return {
        "vangnet": [_regime_record(regimes, spec, year) for year in years],
        "doorgetrokken": [c.as_record() for c in carried_values(scenario, regimes)],
    }


def _regime_record(regimes: RegimeSet, spec: ScenarioFile, year: int) -> dict[str, Any]:
    name, regime = select_regime(regimes, year, spec.vangnet.regime.get(str(year)))
    tiers = regime.vergoeding.schijven
    return {
        "jaar": year,
        "regime": name,
        "omschrijving": regime.omschrijving,
        "drempel_pct": regime.voorwaarden.drempel_pct,
        "voorwaarden_zekerheid": regime.voorwaarden.zekerheid,
        "schijven_zekerheid": least_certain([t.zekerheid for t in tiers]),
        "schijven": [
            {
                "van_pct": t.van_pct,
                "tot_pct": t.tot_pct,
                "aandeel": t.aandeel,
                "zekerheid": t.zekerheid,
            }
            for t in tiers
        ],
        "doorgetrokken": regime.in_force.is_carried(dt.date(year, 1, 1)),
    }


def least_certain(certainties: list[str]) -> str:
    return max(certainties, key=CERTAINTY_ORDER.index)


def carried_values(scenario: Scenario, regimes: RegimeSet) -> list[Carried]:
    """Every dated value the horizon uses beyond its last known date, once each."""
    last_day = scenario.end - dt.timedelta(days=1)
    found = []
    if scenario.spec.aow is not None:
        found += _carried_aow(aow_age_months(scenario.spec.aow), last_day)
    found += _carried_norm(scenario.spec.kosten, last_day)
    years = range(scenario.start.year, last_day.year + 1)
    found += _carried_regimes(regimes, scenario.spec, years)
    return found


def _carried_aow(ages: DatedValue[int], last_day: dt.date) -> list[Carried]:
    last = ages.last_known
    if last is None or not ages.is_carried(last_day):
        return []
    return [Carried("aow_leeftijd", str(last.year - 1), ages.at(last_day), last.year)]


def _carried_norm(kosten: Kosten, last_day: dt.date) -> list[Carried]:
    rises = indexation(kosten)
    last = rises.last_known
    if last is None or not rises.is_carried(last_day):
        return []
    before = last - dt.timedelta(days=1)
    period = f"{before.year}-{1 if before.month <= 6 else 2}"
    return [Carried("bijstandsnorm", period, kosten.indexatie_per_jaar, last.year)]


def _carried_regimes(regimes: RegimeSet, spec: ScenarioFile, years: range) -> list[Carried]:
    found: dict[str, tuple[Regime, int]] = {}
    for year in years:
        name, regime = select_regime(regimes, year, spec.vangnet.regime.get(str(year)))
        if regime.in_force.is_carried(dt.date(year, 1, 1)) and name not in found:
            found[name] = (regime, year)
    return [
        Carried("vangnetregime", str(regime.known_until), name, year)
        for name, (regime, year) in found.items()
    ]
