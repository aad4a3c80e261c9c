"""Checks of a scenario's money keys: budgets, receipts, wage subsidy and realised figures.

Which years need what:
- a year is *complete* when all twelve of its months are known: inside the horizon, or the part
  of the start year before the start date given as `realisatie.<start year>.lasten`. Only complete
  years get a deficit (tekort); a partial first or last year shows its simulated lasten only.
- every complete year needs a budget: given in `budget.jaren`, grown from the last year given
  (`groei_per_jaar`), or for a gemeente under 15,000 inwoners from its own net lasten two years
  earlier (`historisch`), which must then be known (realised before the start, or simulated).
- `resultaat` and `budget` of years before the start feed the vangnet's multi-year condition;
  the start year's and later years' results follow from the simulation.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from simbijstand.domain.calendar import add_months, is_month_start, months_per_year
from simbijstand.domain.dated import Carry, DatedValue
from simbijstand.scenario.problems import format_key_path
from simbijstand.scenario.schema import Budget, Gemeente, Realisatie, ScenarioFile

HISTORICAL_MODEL_MAX_INWONERS = 15_000  # the BUIG historical model is for smaller gemeenten
RESULT_TOLERANCE_EUR = 1.0  # a stated resultaat may differ from lasten - budget by rounding

KeyPath = tuple[str | int, ...]
Problem = tuple[KeyPath, str]
BudgetMethod = Literal["jaren", "groei", "historisch"]


def by_year(name: str, value: float | dict[str, float]) -> DatedValue[float]:
    """One number for every year, or a table by year whose entries hold for their own year only:
    nothing carries to a year not given, before, between or after them (the checks require an
    entry for every year that needs one)."""
    if isinstance(value, float | int):
        return DatedValue.always(name, value)
    return DatedValue.from_keys(name, value, before=Carry.NONE, carry=Carry.NONE)


def value_for_year(value: float | dict[str, float] | None, year: int) -> float | None:
    """The value of `year` (see `by_year`); None when there is none."""
    if value is None:
        return None
    return by_year("value by year", value).get(dt.date(year, 1, 1))


def budget_method(budget: Budget, year: int) -> BudgetMethod | None:
    """Where the budget of `year` comes from, or None when nothing gives it."""
    if str(year) in budget.jaren:
        return "jaren"
    if budget.historisch is not None:
        return "historisch"
    if budget.groei_per_jaar is not None and any(int(y) < year for y in budget.jaren):
        return "groei"
    return None


def realised_months(start: dt.date, gemeente: Gemeente, year: int) -> int:
    """Months of `year` before the start date that `realisatie` covers (0 if none)."""
    realised = gemeente.realisatie.get(str(year))
    if year != start.year or realised is None or realised.lasten is None:
        return 0
    return start.month - 1


def complete_years(start: dt.date, months: int, gemeente: Gemeente) -> list[int]:
    """Horizon years whose twelve months are all known (simulated or realised)."""
    return [
        year
        for year, count in months_per_year(start, months).items()
        if count + realised_months(start, gemeente, year) == 12
    ]


def check_money(spec: ScenarioFile) -> list[Problem]:
    """Every problem with the money keys of every gemeente, and with `vangnet.regime`."""
    sim = spec.simulatie
    if not is_month_start(sim.start):
        return []  # reported elsewhere; the year arithmetic below needs a month start
    years = sorted(months_per_year(sim.start, sim.horizon_maanden))
    problems = []
    for name, gemeente in spec.gemeenten.items():
        problems += _check_gemeente(spec, name, gemeente, years)
    for year in spec.vangnet.regime:
        if int(year) not in years:
            problems.append(_outside(("vangnet", "regime", year), spec, years))
    return problems


def _check_gemeente(spec: ScenarioFile, name: str, g: Gemeente, years: list[int]) -> list[Problem]:
    prefix: KeyPath = ("gemeenten", name)
    problems = _check_realisatie(spec.simulatie.start, prefix, g)
    problems += _check_amounts(prefix, g, years)
    if g.budget is not None:
        problems += _check_budget(spec, prefix, g, years)
    return problems


def _check_realisatie(start: dt.date, prefix: KeyPath, g: Gemeente) -> list[Problem]:
    problems = []
    for key, realised in g.realisatie.items():
        path = (*prefix, "realisatie", key)
        year = int(key)
        if year > start.year or (year == start.year and start.month == 1):
            problems.append(
                _problem(
                    path,
                    f"{year} is not before the start ({start}); realisatie is for years before "
                    "the start and for the months of the start year before the start date",
                )
            )
        elif year == start.year:
            problems += _check_start_year(path, start, realised)
        else:
            problems += _check_result(path, realised)
    return problems


def _check_start_year(path: KeyPath, start: dt.date, realised: Realisatie) -> list[Problem]:
    problems = []
    for key in ("resultaat", "budget"):
        if getattr(realised, key) is not None:
            problems.append(
                _problem(
                    (*path, key),
                    f"{start.year} is the start year: its {key} follows from the simulation; "
                    "give only lasten, baten and loonkostensubsidie of the months before "
                    f"{start} (and the budget in budget.jaren)",
                )
            )
    if realised.lasten is None:
        problems.append(_problem((*path, "lasten"), "missing: the lasten before the start date"))
    return problems


def _check_result(path: KeyPath, realised: Realisatie) -> list[Problem]:
    """A stated resultaat must agree with the lasten and budget stated beside it."""
    if realised.resultaat is None or realised.lasten is None or realised.budget is None:
        return []
    net = realised.lasten - realised.baten + realised.loonkostensubsidie
    derived = net - realised.budget
    if abs(derived - realised.resultaat) <= RESULT_TOLERANCE_EUR:
        return []
    return [
        _problem(
            (*path, "resultaat"),
            f"{realised.resultaat:.0f} does not match lasten - baten + loonkostensubsidie - "
            f"budget = {derived:.0f}; correct one of them, or leave out resultaat",
        )
    ]


def _check_amounts(prefix: KeyPath, g: Gemeente, years: list[int]) -> list[Problem]:
    problems = []
    if g.baten is not None and (g.baten.aandeel is None) == (g.baten.per_jaar is None):
        problems.append(
            _problem(
                (*prefix, "baten"),
                "give exactly one of aandeel (of the gross lasten) or per_jaar (euro a year)",
            )
        )
    tables = [
        ((*prefix, "baten", "per_jaar"), g.baten.per_jaar if g.baten else None),
        (
            (*prefix, "loonkostensubsidie", "per_jaar"),
            g.loonkostensubsidie.per_jaar if g.loonkostensubsidie else None,
        ),
    ]
    for path, value in tables:
        problems += _check_table(path, value, years, years, "an amount")
    return problems


def _check_table(
    path: KeyPath,
    value: float | dict[str, float] | None,
    needed: list[int],
    horizon: list[int],
    what: str,
) -> list[Problem]:
    """A table by year needs an entry for every year in `needed`, and none outside the horizon."""
    if not isinstance(value, dict):
        return []
    problems = []
    missing = [str(y) for y in needed if str(y) not in value]
    if missing:
        problems.append(
            _problem(
                path,
                f"no entry for {', '.join(missing)}; give {what} for each of "
                f"{', '.join(map(str, needed))}, or one number for all",
            )
        )
    return problems + [
        _problem((*path, y), f"{y} is outside the horizon; allowed: {horizon[0]}-{horizon[-1]}")
        for y in value
        if int(y) not in horizon
    ]


def _check_budget(
    spec: ScenarioFile, prefix: KeyPath, g: Gemeente, years: list[int]
) -> list[Problem]:
    budget = g.budget
    assert budget is not None
    path = (*prefix, "budget")
    problems = [
        _outside((*path, "jaren", y), spec, years) for y in budget.jaren if int(y) not in years
    ]
    for key, announced in budget.jaren.items():
        if announced.voorlopig is None and announced.definitief is None:
            problems.append(_problem((*path, "jaren", key), "give voorlopig, definitief or both"))
    if budget.groei_per_jaar is not None and budget.historisch is not None:
        problems.append(_problem(path, "give one of groei_per_jaar or historisch, not both"))
    sim = spec.simulatie
    complete = complete_years(sim.start, sim.horizon_maanden, g)
    grown = [y for y in years if budget_method(budget, y) == "groei"]
    if grown:
        problems += _check_table(
            (*path, "groei_per_jaar"), budget.groei_per_jaar, grown, years, "a rate"
        )
    for year in complete:
        if budget_method(budget, year) is None:
            problems.append(_problem(path, _no_budget(budget, year)))
    if budget.historisch is not None:
        problems += _check_historical(spec, prefix, g, complete)
    return problems


def _no_budget(budget: Budget, year: int) -> str:
    before = [int(y) for y in budget.jaren if int(y) < year]
    hint = f", or groei_per_jaar to grow it from {max(before)}" if before else ""
    return f'no budget for {year}: add jaren."{year}" = {{ definitief = ... }}{hint}'


def _check_historical(
    spec: ScenarioFile, prefix: KeyPath, g: Gemeente, complete: list[int]
) -> list[Problem]:
    path = (*prefix, "budget", "historisch")
    if g.inwoners is None or g.inwoners >= HISTORICAL_MODEL_MAX_INWONERS:
        stated = "not stated" if g.inwoners is None else f"{g.inwoners}"
        return [
            _problem(
                (*prefix, "inwoners"),
                f"{stated}; the historical budget model is for gemeenten under "
                f"{HISTORICAL_MODEL_MAX_INWONERS:,} inwoners: state inwoners, or give the budget "
                "in jaren or by groei_per_jaar",
            )
        ]
    assert g.budget is not None and g.budget.historisch is not None
    modelled = [y for y in complete if budget_method(g.budget, y) == "historisch"]
    factor = g.budget.historisch.macrofactor
    horizon = sorted(months_per_year(spec.simulatie.start, spec.simulatie.horizon_maanden))
    problems = _check_table((*path, "macrofactor"), factor, modelled, horizon, "a factor")
    start = spec.simulatie.start
    for year in modelled:
        source = year - 2
        known = source in complete if source >= start.year else _realised_expenditure(g, source)
        if not known:
            problems.append(_problem(path, _missing_source(year, source, start)))
        elif source < start.year:
            problems += _check_realised_source(path, g, year, value_for_year(factor, year))
    return problems


def _check_realised_source(
    path: KeyPath, g: Gemeente, year: int, factor: float | None
) -> list[Problem]:
    """A budget from realised net lasten must be more than 0 euros, or the run would stop at
    that year's vangnet (which rounds the budget to whole euros first)."""
    source = year - 2
    realised = g.realisatie[str(source)]
    net = (realised.lasten or 0.0) - realised.baten + realised.loonkostensubsidie
    if factor is None or net * factor >= 0.5:
        return []
    return [
        _problem(
            path,
            f"the {year} budget = net lasten of {source} x macrofactor = {net:.0f} x {factor} "
            f"= {net * factor:.0f}: must be more than 0 euros (the definitive BUIG budget of the "
            f'year); correct realisatie."{source}" (lasten - baten + loonkostensubsidie), or '
            f"give the {year} budget in jaren",
        )
    ]


def _realised_expenditure(g: Gemeente, year: int) -> bool:
    realised = g.realisatie.get(str(year))
    return realised is not None and realised.lasten is not None


def _missing_source(year: int, source: int, start: dt.date) -> str:
    if source < start.year:
        fix = f'add realisatie."{source}".lasten (and baten, loonkostensubsidie)'
    else:
        fix = f'add realisatie."{source}".lasten for the months before {start}'
    return (
        f"the {year} budget follows the net lasten of {source}, which are not known; {fix}, "
        f"or give the {year} budget in jaren"
    )


def _outside(path: KeyPath, spec: ScenarioFile, years: list[int]) -> Problem:
    sim = spec.simulatie
    end = add_months(sim.start, sim.horizon_maanden)
    return _problem(
        path,
        f"{path[-1]} is outside the horizon ({sim.start} to {end}); allowed: "
        f"{years[0]}-{years[-1]}",
    )


def _problem(path: KeyPath, text: str) -> Problem:
    return path, f"{format_key_path(path)}: {text}"
