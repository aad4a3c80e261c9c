"""The documented defaults of `simbijstand init`: each number with its source, and the checks
of what the planner gives.

Numbers from data that do not ship with the package are constants here, each with its
source; numbers the pooled calibration estimated come from its record
(`estimation.pooled.record`); today's rules from `scenario.rules`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from simbijstand.domain.calendar import months_per_year
from simbijstand.domain.dated import Period
from simbijstand.errors import ScenarioError
from simbijstand.estimation.pooled.record import PoolRecord
from simbijstand.finance.cost import price_level
from simbijstand.scenario.rules import age_in_months, aow_age_months, aow_ages, default_rules
from simbijstand.scenario.schema import FIRST_START, LAST_START, Kosten
from simbijstand.scenario.schema_base import NAME_PATTERN, RESERVED_NAMES, name_problem
from simbijstand.scenario.schema_policy import Aow

# Inhabitants of the Netherlands on 1 January 2017 (CBS StatLine 37296ned, Bevolking;
# kerncijfers): with the CBS gemeenten file's inhabitants from 15 to the state-pension age
# (summed over gemeenten, in the pooled record) it gives the share of all inhabitants in that
# age group, which turns a gemeente's inhabitants into the pool's covariate.
POPULATION_2017 = 17_081_507
POPULATION_SOURCE = "CBS 37296ned, bevolking op 1 januari 2017"

# Average yearly cost per benefit in 2015 (igsd_buig_2016.csv, column
# gemiddelde_kosten_per_uitkering_2015_eur): Steenwijkerland 13,531, Westerveld 12,400.
COST_2015 = {"Steenwijkerland": 13_531, "Westerveld": 12_400}
COST_SOURCE = "igsd_buig_2016.csv: gemiddelde kosten per uitkering 2015"
# 2016-2021 have no shipped norm: assumed 1.5% a year, as scenarios/basis.toml does
EARLY_RISE = 0.015
EARLY_YEARS = range(2016, 2022)
# Receipts (terugvordering, verhaal) as a share of gross lasten: Steenwijkerland 2016,
# 200,000 on 10,842,175 + 714,720 (igsd_buig_2016.csv), as scenarios/basis.toml
BATEN_AANDEEL = round(200_000 / (10_842_175 + 714_720), 4)
BATEN_SOURCE = "Steenwijkerland 2016: 200.000 op 11.556.895 bruto lasten (igsd_buig_2016.csv)"

MAX_BESTAND = 10_000_000


def refuse(message: str) -> ScenarioError:
    """The error for an option init cannot use (one problem)."""
    return ScenarioError([message])


def validate_request(
    gemeente: str, start: dt.date, bestand: int, groups: dict[str, int] | None
) -> None:
    """Refuse what cannot make a scenario, naming the option and what is allowed."""
    problem = name_problem(gemeente)
    if problem:
        raise refuse(f"--gemeente {gemeente!r}: ongeldige naam ({problem})")
    if start.day != 1 or not FIRST_START <= start <= LAST_START:
        raise refuse(
            f"--start {start}: moet de eerste van een maand zijn, van {FIRST_START} tot "
            f"{LAST_START} (bijvoorbeeld 2027-01-01)"
        )
    if not 1 <= bestand <= MAX_BESTAND:
        raise refuse(f"--bestand {bestand}: moet 1 tot {MAX_BESTAND} uitkeringen zijn")
    if groups is not None:
        _check_groups(groups, bestand)


def _check_groups(groups: dict[str, int], bestand: int) -> None:
    for name, count in groups.items():
        if not re.match(NAME_PATTERN, name) or name in RESERVED_NAMES or len(name) > 64:
            raise refuse(
                f"--klantgroep {name}={count}: een klantgroep heet met letters, cijfers, '_' "
                "en '-' (niet vooraan), hoogstens 64 tekens, niet 'totaal'"
            )
        if count < 0:
            raise refuse(f"--klantgroep {name}={count}: het aantal moet 0 of meer zijn")
    if sum(groups.values()) != bestand:
        raise refuse(
            f"--klantgroep: de aantallen tellen op tot {sum(groups.values())}, niet tot "
            f"--bestand {bestand}; geef ze zo dat ze samen het bestand zijn"
        )
    if not any(groups.values()):
        raise refuse("--klantgroep: minstens één klantgroep moet uitkeringen hebben")


def validate_results(start: dt.date, results: dict[int, float] | None) -> None:
    """Results (tekort +, overschot -) may be given for the three years before the start."""
    for year, amount in (results or {}).items():
        if not start.year - 3 <= year < start.year:
            raise refuse(
                f"--resultaat {year}={amount:g}: alleen voor de drie jaren voor het startjaar "
                f"({start.year - 3}-{start.year - 1}); die gebruikt de meerjarige voorwaarde "
                "van het vangnet"
            )
        if abs(amount) > 100_000_000_000:
            raise refuse(f"--resultaat {year}={amount:g}: hoogstens 100 miljard euro")


def inhabitants_15_to_aow(inwoners: float, record: PoolRecord) -> float:
    """A gemeente's inhabitants from 15 to the state-pension age: the national share."""
    return inwoners * record.inwoners / POPULATION_2017


# --- AOW: today's ages as a factor on the exits by reaching them --------------------------------


@dataclass(frozen=True, slots=True)
class AowFactors:
    """How many birth months reach the AOW age in a year, relative to twelve: a rise of r
    months in year y means only 12 - r months of births reach it in y."""

    fit_year: float  # the pool's data year (its uncounted exits were measured then)
    start_year: float
    by_year: dict[int, float]  # horizon years whose factor differs from the start year's
    ages: dict[int, str]  # the AOW age of every horizon year
    last_known: int  # the last year in the shipped table; later years carry it


def aow_exit_factors(start: dt.date, months: int, record: PoolRecord) -> AowFactors:
    ages = aow_age_months(Aow())
    years = sorted(months_per_year(start, months))

    def factor(year: int) -> float:
        rise = ages.at(dt.date(year, 1, 1)) - ages.at(dt.date(year - 1, 1, 1))
        return max(0.0, 1 - rise / 12)

    first, second = (age_in_months(a) for a in record.aow_age_fit_year)
    fit = max(0.0, 1 - (second - first) / 12)
    base = factor(start.year)
    if base == 0 or fit == 0:  # a rise of a whole year: the AOW exits cannot be scaled
        raise refuse(f"--start {start}: the AOW age rises by a year; not supported")
    text = aow_ages(Aow())
    known = max(int(y) for y in text)
    return AowFactors(
        fit_year=fit,
        start_year=base,
        by_year={y: factor(y) / base for y in years if factor(y) != base},
        ages={y: text.get(str(y), text[str(known)]) for y in years},
        last_known=known,
    )


# --- cost per benefit-month ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Costs:
    per_maand: float  # euro per benefit-month on 1 January of the start year
    given: bool  # the planner gave it (--kosten-per-maand)
    base_2015: float  # euro per benefit-month in 2015 (the default's base)
    factor: float  # price level at the start year relative to 2015
    carried_rise: float  # yearly rise after the last shipped norm
    last_norm: str  # the last shipped half year ("2025-2")
    last_year_rise_from: str  # the half year the carried rise is measured from


def costs_at_start(start: dt.date, given: float | None) -> Costs:
    """The 2015 average cost per benefit indexed to 1 January of the start year: 1.5% a
    year 2016-2021 (no norm shipped), the shipped norms from July 2021, and after the last
    shipped norm the rise of its last twelve months, carried (see `carried_norm_rise`)."""
    rise, last, before = carried_norm_rise()
    base = sum(COST_2015.values()) / len(COST_2015) / 12
    kosten = Kosten(
        prijsjaar=2015,
        per_maand={"participatiewet": base},
        indexatie_per_jaar=rise,
        indexatie={str(y): EARLY_RISE for y in EARLY_YEARS},
    )
    factor = price_level(kosten, dt.date(start.year, 1, 1))
    amount = round(given if given is not None else base * factor, 2)
    return Costs(amount, given is not None, base, factor, rise, last, before)


def carried_norm_rise() -> tuple[float, str, str]:
    """The shipped norm's rise over the twelve months up to its last half year, with the last
    half year and the one a year before it."""
    norms = default_rules().normen.gehuwden
    last = max(norms, key=lambda k: Period.parse(k).start)
    year, half = (int(p) for p in last.split("-"))
    before = f"{year - 1}-{half}"
    if before not in norms:  # the shipped table always has a year; a guard for edited ones
        raise refuse(f"regels.toml: no norm for {before}, a year before {last}")
    return round(norms[last].bedrag / norms[before].bedrag - 1, 4), last, before
