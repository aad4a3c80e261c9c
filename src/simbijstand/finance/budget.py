"""The BUIG budget of a gemeente's year: given, grown from the last year given, or historical.

`year_budget` returns the budget that decides the deficit and where it comes from (its basis):
- "definitief": the definitive budget given in `budget.jaren`;
- "voorlopig": only the provisional one is given, so it stands in for the definitive one (the
  outputs say so);
- "groei": the last year given before it (definitive, else provisional), grown by
  `groei_per_jaar` in every year after it;
- "historisch": the gemeente's own net lasten two years earlier x the year's macrofactor; a
  number per replication when those lasten were simulated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simbijstand.errors import FinanceError
from simbijstand.scenario.money import budget_method, value_for_year
from simbijstand.scenario.schema_money import Budget

# Net lasten of a year: one number (realised) or one per replication (simulated); None: unknown.
NetOf = Callable[[int], float | np.ndarray | None]


@dataclass(frozen=True, slots=True)
class YearBudget:
    amount: float | np.ndarray | None  # None: not known (e.g. historical without its source)
    basis: str | None  # definitief, voorlopig, groei, historisch; None when there is no budget
    base_year: int | None = None  # the year grown from, or the year whose lasten were used
    factor: float | None = None  # growth since base_year, or the macrofactor


def year_budget(budget: Budget | None, year: int, net_of: NetOf) -> YearBudget:
    """The budget of `year` (see the module's docstring); NONE when the scenario gives none."""
    method = None if budget is None else budget_method(budget, year)
    if budget is None or method is None:
        return NONE
    if method == "jaren":
        return announced(budget, year)
    if method == "groei":
        return _grown(budget, year)
    return _historical(budget, year, net_of)


NONE = YearBudget(None, None)


def announced(budget: Budget, year: int) -> YearBudget:
    given = budget.jaren[str(year)]
    if given.definitief is not None:
        return YearBudget(given.definitief, "definitief")
    return YearBudget(given.voorlopig, "voorlopig")


def _grown(budget: Budget, year: int) -> YearBudget:
    base_year = max(int(y) for y in budget.jaren if int(y) < year)
    base = announced(budget, base_year).amount
    rates = [value_for_year(budget.groei_per_jaar, y) for y in range(base_year + 1, year + 1)]
    factor = math.prod(1 + (r or 0.0) for r in rates)  # the scenario checks list every rate
    if not isinstance(base, float):  # the scenario checks require an amount in every given year
        raise FinanceError(
            f"budget.jaren.{base_year}: no amount to grow the budget of {year} from ({base!r})"
        )
    return YearBudget(base * factor, "groei", base_year, factor)


def _historical(budget: Budget, year: int, net_of: NetOf) -> YearBudget:
    if budget.historisch is None:  # the scenario checks make budget_method say so
        raise FinanceError(f"budget: {year} has a historical budget but no budget.historisch")
    factor = value_for_year(budget.historisch.macrofactor, year)
    source = net_of(year - 2)
    if source is None or factor is None:
        return YearBudget(None, "historisch", year - 2, factor)
    return YearBudget(source * factor, "historisch", year - 2, factor)
