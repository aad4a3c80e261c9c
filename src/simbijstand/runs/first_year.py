"""A warning when the beginstand and the rates do not fit: a klantgroep that the rates alone
would move by more than a fifth in the first year.

The expected path comes from the engine's model without chance
(`estimation.aggregate.meanfield`): the beginstand per klantgroep spread over durations as the
engine spreads it, then twelve months of the parameter file's inflow (its `per_jaar` at the
start, without the scenario's multipliers, shocks or measures) and hazards. A group whose
expected count after a year differs from its beginstand by more than `THRESHOLD` (and by more
than `MIN_CASES` cases, so small groups do not warn on a handful) is heading for another steady
state than the one it starts in: usually rates borrowed from another gemeente or period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbijstand.estimation.aggregate.meanfield import (
    MonthOperator,
    initial_state,
    rates_from_parameters,
    stationary_stock,
)
from simbijstand.estimation.errors import EstimationError
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialCases, InitialCounts, InitialState
from simbijstand.scenario.schema import ParameterFile

THRESHOLD = 0.20
MIN_CASES = 10.0
MONTHS = 12


@dataclass(frozen=True, slots=True)
class FirstYearMove:
    gemeente: str
    klantgroep: str
    start: float
    after_year: float
    steady: float

    @property
    def change(self) -> float:
        return self.after_year / self.start - 1 if self.start else float("inf")


def first_year_moves(scenario: Scenario, initial: dict[str, InitialState]) -> list[FirstYearMove]:
    """Every klantgroep whose expected count moves more than THRESHOLD in the first year."""
    moves = []
    for gemeente in scenario.gemeenten:
        params = scenario.parameters[gemeente]
        start = _counts(params, initial[gemeente])
        try:
            after, steady = expected_first_year(params, start)
        except EstimationError:  # band edges not in whole months: the model cannot say
            continue
        for g, name in enumerate(params.klantgroepen):
            if _large(start[g], after[g]):
                moves.append(FirstYearMove(gemeente, name, start[g], after[g], steady[g]))
    return moves


def expected_first_year(
    params: ParameterFile, counts: np.ndarray
) -> tuple[list[float], list[float]]:
    """Expected count per klantgroep after twelve months, and the steady state of the rates."""
    rates = rates_from_parameters(params)
    operator = MonthOperator(rates)
    inflow = params.instroom.per_jaar / 12
    state = initial_state(rates, counts)
    for _ in range(MONTHS):
        state = operator.step(state, inflow).state
    steady = stationary_stock(rates) * inflow
    return state.sum(axis=0).tolist(), steady.tolist()


def _counts(params: ParameterFile, initial: InitialState) -> np.ndarray:
    groups = list(params.klantgroepen)
    counts = np.zeros(len(groups))
    if isinstance(initial, InitialCounts):
        for (group, _), n in initial.counts.items():
            counts[groups.index(group)] += n
    elif isinstance(initial, InitialCases):
        for group in initial.klantgroep:
            counts[groups.index(group)] += 1
    return counts


def _large(start: float, after: float) -> bool:
    change = abs(after - start)
    return change > MIN_CASES and change > THRESHOLD * max(start, MIN_CASES)
