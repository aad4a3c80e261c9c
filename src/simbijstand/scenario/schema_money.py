"""The money keys of a scenario: BUIG budget, receipts, wage subsidy, realised figures, vangnet.

Rules that relate several values (years inside the horizon, one way to give a budget) live in
`money`. Amounts are euros a year.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from simbijstand.scenario.schema_base import NAME_PATTERN, Share, Strict

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


class Vangnet(Strict):
    """Changes to the shipped vangnet regimes, and regimes chosen for particular years."""

    regimes: dict[str, Any] = {}  # shaped like vangnet_regimes.toml's [regimes]; checked there
    regime: dict[YearKey, Annotated[str, Field(pattern=NAME_PATTERN)]] = {}
