"""Finance per replication, year and gemeente: net lasten, budget, deficit and vangnet.

For each calendar year the horizon touches:
- gross lasten = the simulated BUIG expenditure of the year's months in the horizon, plus for the
  start year the realised lasten of the months before the start date (`realisatie`);
- receipts (baten: terugvordering, verhaal) = a share of the simulated gross lasten, or an amount
  a year pro rata for the simulated months, plus realised receipts; wage subsidy (LKS) likewise;
- net lasten = gross lasten - receipts + wage subsidy;
- budget: see `simbijstand.finance.budget`;
- deficit, vangnet eligibility and amount, remaining deficit: `calculate_vangnet` of the year,
  with the results of the years before from `realisatie.<year>.resultaat` (before the start) or
  from the same replication's earlier years (inside the horizon).

Partial years are not guessed at: a year is *complete* when its twelve months are simulated or
realised, and only complete years get full-year figures. A partial first year without realised
months, or a partial last year, keeps its simulated `expenditure_eur` and has nulls elsewhere, with
a note in the summary. A result that is not known (a year before the start without `resultaat`,
or a partial year) leaves the multi-year condition of the years that need it undecided (null),
unless the single-year condition already fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from simbijstand.domain.calendar import months_per_year
from simbijstand.errors import FinanceError
from simbijstand.finance.budget import YearBudget, year_budget
from simbijstand.finance.vangnet import VangnetResult, calculate_vangnet, required_previous_years
from simbijstand.scenario import Scenario
from simbijstand.scenario.money import value_for_year
from simbijstand.scenario.regimes import RegimeSet, scenario_regimes, select_regime
from simbijstand.scenario.schema import Gemeente
from simbijstand.scenario.schema_money import Realisatie

SIMULATED = {  # the columns expenditure_frame gives, kept as they were
    "replication": pl.Int32,
    "year": pl.Int32,
    "gemeente": pl.String,
    "months": pl.Int32,
    "benefit_months": pl.Float64,
    "expenditure_eur": pl.Float64,
}
ADDED = {
    "realised_months": pl.Int32,
    "complete": pl.Boolean,
    "gross_expenditure_eur": pl.Float64,
    "receipts_eur": pl.Float64,
    "wage_subsidy_eur": pl.Float64,
    "net_expenditure_eur": pl.Float64,
    "budget_eur": pl.Float64,
    "budget_basis": pl.String,
    "regime": pl.String,
    "deficit_eur": pl.Int64,
    "deficit_pct": pl.Float64,
    "meets_single_year": pl.Boolean,
    "meets_multi_year": pl.Boolean,
    "vangnet_eligible": pl.Boolean,
    "vangnet_eur": pl.Int64,
    "remaining_deficit_eur": pl.Int64,
}
SCHEMA = SIMULATED | ADDED

Values = float | np.ndarray  # one number for every replication, or one each


@dataclass(frozen=True, slots=True)
class FinancePlan:
    """What the finance of a run needs from its scenario, checked before simulating."""

    start: dt.date
    months: Mapping[int, int]  # simulated months per calendar year
    gemeenten: Mapping[str, Gemeente]
    regimes: RegimeSet
    chosen: Mapping[int, str]  # year -> the regime the scenario names for it

    @property
    def horizon_months(self) -> int:
        return sum(self.months.values())

    def regime(self, year: int) -> str:
        return select_regime(self.regimes, year, self.chosen.get(year))[0]


def plan_finance(scenario: Scenario) -> FinancePlan:
    """The finance plan of a loaded scenario (loading checked its regimes and that one applies
    to every year with a deficit: `simbijstand.scenario.checks_vangnet`)."""
    spec = scenario.spec
    return FinancePlan(
        scenario.start,
        months_per_year(scenario.start, scenario.months),
        spec.gemeenten,
        scenario_regimes(spec, scenario.source.origin(("vangnet", "regimes"))),
        {int(y): name for y, name in spec.vangnet.regime.items()},
    )


def finance_frame(plan: FinancePlan, expenditure: pl.DataFrame) -> pl.DataFrame:
    """finance.parquet: `expenditure` (from `expenditure_frame`) with the columns of SCHEMA."""
    parts = []
    # split once, rows in their order, instead of a filter per gemeente (390 took a third of a
    # second)
    split = expenditure.partition_by("gemeente", as_dict=True, maintain_order=True)
    for name, gemeente in plan.gemeenten.items():
        books = _Books(plan, gemeente, split.get((name,), expenditure.clear()))
        parts += [books.close(year) for year in sorted(plan.months)]
    return pl.concat(parts).sort("replication", "year", "gemeente")


class _Books:
    """One gemeente's years, closed in order: later years read the results of earlier ones."""

    def __init__(self, plan: FinancePlan, gemeente: Gemeente, simulated: pl.DataFrame) -> None:
        self.plan, self.gemeente, self.simulated = plan, gemeente, simulated
        self.net: dict[int, np.ndarray] = {}  # complete years only
        self.budget: dict[int, YearBudget] = {}
        self.deficit: dict[int, list[int]] = {}  # complete years with a budget

    def close(self, year: int) -> pl.DataFrame:
        rows = self.simulated.filter(pl.col("year") == year).sort("replication")
        months = self.plan.months[year]
        realised = self._realised(year)
        realised_months = self.plan.start.month - 1 if realised else 0
        complete = months + realised_months == 12
        amounts = self._amounts(year, rows["expenditure_eur"].to_numpy(), months, realised)
        budget = year_budget(self.gemeente.budget, year, self._net_of)
        self.budget[year] = budget
        columns = {
            "realised_months": realised_months,
            "complete": complete,
            **(amounts if complete else dict.fromkeys(amounts)),
            "budget_eur": budget.amount,
            "budget_basis": budget.basis,
            "regime": None,
        }
        if complete:
            self.net[year] = amounts["net_expenditure_eur"]
        if complete and budget.amount is not None:
            columns |= self._vangnet(year, amounts["net_expenditure_eur"], budget.amount)
        return _frame(rows, columns)

    def _realised(self, year: int) -> Realisatie | None:
        realised = self.gemeente.realisatie.get(str(year))
        starts_within = year == self.plan.start.year and self.plan.start.month > 1
        return realised if starts_within and realised and realised.lasten is not None else None

    def _amounts(
        self, year: int, gross: np.ndarray, months: int, realised: Realisatie | None
    ) -> dict[str, np.ndarray]:
        part = months / 12
        baten, lks = self.gemeente.baten, self.gemeente.loonkostensubsidie
        receipts = np.zeros_like(gross)
        if baten is not None and baten.aandeel is not None:
            receipts = gross * baten.aandeel
        elif baten is not None:
            receipts = receipts + (value_for_year(baten.per_jaar, year) or 0.0) * part
        subsidy = np.full_like(
            gross, (value_for_year(lks.per_jaar, year) or 0.0) * part if lks else 0
        )
        if realised is not None:
            gross = gross + (realised.lasten or 0.0)
            receipts = receipts + realised.baten
            subsidy = subsidy + realised.loonkostensubsidie
        return {
            "gross_expenditure_eur": gross,
            "receipts_eur": receipts,
            "wage_subsidy_eur": subsidy,
            "net_expenditure_eur": gross - receipts + subsidy,
        }

    def _net_of(self, year: int) -> Values | None:
        if year >= self.plan.start.year:
            return self.net.get(year)
        realised = self.gemeente.realisatie.get(str(year))
        if realised is None or realised.lasten is None:
            return None
        return realised.lasten - realised.baten + realised.loonkostensubsidie

    def _vangnet(self, year: int, net: np.ndarray, budget: Values) -> dict[str, object]:
        regime = self.plan.regime(year)
        previous = required_previous_years(year, self.plan.chosen.get(year), self.plan.regimes)
        budgets = np.broadcast_to(budget, net.shape)
        results = [self._calculate(year, r, budgets[r], net[r], previous) for r in range(len(net))]
        self.deficit[year] = [res.deficit for res in results]
        return {"regime": regime, **_vangnet_columns(results)}

    def _calculate(
        self, year: int, r: int, budget: float, net: float, previous: tuple[int, ...]
    ) -> VangnetResult:
        try:
            return calculate_vangnet(
                year,
                float(budget),
                float(net),
                [self._result(p, r) for p in previous],
                regime=self.plan.chosen.get(year),
                previous_budgets=[self._budget_of(p, r) for p in previous],
                regimes=self.plan.regimes,
            )
        except FinanceError as exc:
            raise FinanceError(f"year {year}, replication {r}: {exc}") from None

    def _result(self, year: int, r: int) -> float | None:
        """Deficit (+) or surplus (-) of an earlier year; None when not known."""
        if year >= self.plan.start.year:
            return self.deficit[year][r] if year in self.deficit else None
        realised = self.gemeente.realisatie.get(str(year))
        if realised is None:
            return None
        if realised.resultaat is not None:
            return realised.resultaat
        net = self._net_of(year)
        return None if net is None or realised.budget is None else float(net) - realised.budget

    def _budget_of(self, year: int, r: int) -> float | None:
        if year < self.plan.start.year:
            realised = self.gemeente.realisatie.get(str(year))
            return None if realised is None else realised.budget
        amount = self.budget[year].amount if year in self.budget else None
        return amount if amount is None or isinstance(amount, float) else float(amount[r])


def _vangnet_columns(results: list[VangnetResult]) -> dict[str, object]:
    return {
        "deficit_eur": [x.deficit for x in results],
        "deficit_pct": [x.deficit_pct for x in results],
        "meets_single_year": [x.meets_single_year for x in results],
        "meets_multi_year": [x.meets_multi_year for x in results],
        "vangnet_eligible": [x.eligible for x in results],
        "vangnet_eur": [x.vangnet for x in results],
        "remaining_deficit_eur": [x.remaining_deficit for x in results],
    }


def _frame(rows: pl.DataFrame, columns: dict[str, object]) -> pl.DataFrame:
    """The year's simulated rows with the ADDED columns: `columns` gives each a value for all
    replications or one per replication; those it leaves out are null."""
    added = {
        name: pl.Series(name, _per_row(columns.get(name), rows.height), dtype=dtype, strict=False)
        for name, dtype in ADDED.items()
    }
    return rows.select(list(SIMULATED)).with_columns(**added)


def _per_row(value: object, height: int) -> list[object]:
    if isinstance(value, np.ndarray):
        values: list[object] = value.tolist()
        return values
    return list(value) if isinstance(value, list) else [value] * height
