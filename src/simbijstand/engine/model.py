"""The scenario compiled into numeric tables the sampler reads.

A *cell* is one (gemeente, klantgroep) pair. Hazards are per day and piecewise constant in
(calendar month, cell, duration band, modifier); an event *type* is an exit route (0..R-1) or a
move to the gemeente's k-th klantgroep (R + k). A case's *state* is its (cell, band, modifier),
numbered ((cell x B) + band) x K + modifier; all cases in one state share one cumulative hazard
over calendar time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from simbijstand.domain.calendar import month_starts
from simbijstand.domain.events import INSTROOM_REASONS
from simbijstand.engine.ages import AgeModel, compile_ages
from simbijstand.engine.arrays import Bools, Floats, Int32s, Ints
from simbijstand.engine.layout import CellLayout
from simbijstand.engine.modifiers import Modifiers, compile_modifiers
from simbijstand.engine.statushouders import expected_entries
from simbijstand.engine.tables import (
    band_edges,
    hazard_table,
    inflow_table,
    integrate_over_months,
    last_positive,
)
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialCases, InitialCounts, InitialState

EPOCH = dt.datetime(1970, 1, 1)
MICROS_PER_DAY = 86_400_000_000


@dataclass(frozen=True, slots=True)
class CompiledModel:
    start: dt.date
    dates: tuple[dt.date, ...]  # month starts, from the start to the horizon's end inclusive
    boundaries: Floats  # the same dates in days since the start [M+1]
    boundaries_us: Ints  # the same dates in microseconds since 1970 [M+1]
    gemeenten: tuple[str, ...]
    routes: tuple[str, ...]
    inflow_reasons: tuple[str, ...]
    cell_gemeente: Int32s  # [C]
    cell_local: Int32s  # klantgroep index within its gemeente [C]
    cell_klantgroep: tuple[str, ...]
    gemeente_first_cell: Int32s  # [G]
    cell_buig: Bools  # [C]
    cell_regeling: tuple[str, ...]
    band_edges: Floats  # days on benefit where bands start, padded with inf, [C, B+1]
    modifiers: Modifiers
    ages: AgeModel | None  # None when no klantgroep has ages
    hazard: Floats  # per day [M, C, B, K, T]
    total: Floats  # sum over types [M, C, B, K]
    cumulative: Floats  # cumulative sum over types [M, C, B, K, T]
    last_type: Ints  # highest type with a positive hazard [M, C, B, K]
    cumulative_hazard: Floats  # integrated total hazard up to each month start [C, B, K, M+1]
    inflow_mean: Floats  # expected new cases per month [M, C]
    statushouder_entries: Floats  # expected statushouders entering per month [M, C]
    initial_counts: Ints  # [C, B+1]; the last column holds counts of unknown duration
    initial_cases_cell: Int32s  # [n] cases replayed from an event log
    initial_cases_start: Floats  # [n] their benefit start, days since the start

    @property
    def months(self) -> int:
        return len(self.dates) - 1

    @property
    def cells(self) -> int:
        return len(self.cell_klantgroep)

    def expected_initial_size(self) -> int:
        return int(self.initial_counts.sum()) + len(self.initial_cases_cell)


def compile_model(scenario: Scenario, initial: dict[str, InitialState]) -> CompiledModel:
    """Turn a validated scenario and its gemeenten's initial states into tables."""
    dates = tuple(month_starts(scenario.start, scenario.months))
    layout = CellLayout.of(scenario)
    boundaries = np.array([(d - scenario.start).days for d in dates], dtype=np.float64)
    start_us = _micros(dt.datetime.combine(scenario.start, dt.time()))

    def to_days(day: dt.date) -> float:
        return float((day - scenario.start).days)

    modifiers = compile_modifiers(scenario, layout, to_days)
    base = hazard_table(scenario, layout, list(dates[:-1]))
    hazard = base[:, :, :, None, :] * modifiers.factors[None, None, None, :, :]
    cumulative = np.cumsum(hazard, axis=-1)
    total = cumulative[..., -1].copy()
    cases_cell, cases_start = _initial_cases(scenario, layout, initial)
    return CompiledModel(
        start=scenario.start,
        dates=dates,
        boundaries=boundaries,
        boundaries_us=start_us + boundaries.astype(np.int64) * MICROS_PER_DAY,
        gemeenten=tuple(scenario.gemeenten),
        routes=layout.routes,
        inflow_reasons=INSTROOM_REASONS,
        cell_gemeente=np.array(layout.gemeente, dtype=np.int32),
        cell_local=np.array(layout.local, dtype=np.int32),
        cell_klantgroep=tuple(layout.klantgroep),
        gemeente_first_cell=np.array(layout.first, dtype=np.int32),
        cell_buig=np.array([layout.group(c).buig for c in range(layout.size)], dtype=bool),
        cell_regeling=tuple(layout.group(c).regeling for c in range(layout.size)),
        band_edges=band_edges(layout),
        modifiers=modifiers,
        ages=compile_ages(scenario, layout),
        hazard=hazard,
        total=total,
        cumulative=cumulative,
        last_type=last_positive(hazard),
        cumulative_hazard=integrate_over_months(total, boundaries),
        inflow_mean=inflow_table(scenario, layout, list(dates[:-1]), boundaries),
        statushouder_entries=expected_entries(scenario, layout, boundaries, to_days),
        initial_counts=_initial_counts(scenario, layout, initial),
        initial_cases_cell=cases_cell,
        initial_cases_start=cases_start,
    )


def _initial_counts(
    scenario: Scenario, layout: CellLayout, initial: dict[str, InitialState]
) -> Ints:
    counts = np.zeros((layout.size, layout.max_bands + 1), dtype=np.int64)
    for g, gemeente in enumerate(scenario.gemeenten):
        state = initial[gemeente]
        if not isinstance(state, InitialCounts):
            continue
        for (klantgroep, band), count in state.counts.items():
            column = layout.max_bands if band is None else band
            counts[layout.cell_of(g, klantgroep), column] += count
    return counts


def _initial_cases(
    scenario: Scenario, layout: CellLayout, initial: dict[str, InitialState]
) -> tuple[Int32s, Floats]:
    cells: list[Int32s] = [np.zeros(0, dtype=np.int32)]
    starts: list[Floats] = [np.zeros(0, dtype=np.float64)]
    origin_us = _micros(dt.datetime.combine(scenario.start, dt.time()))
    for g, gemeente in enumerate(scenario.gemeenten):
        state = initial[gemeente]
        if not isinstance(state, InitialCases):
            continue
        index = {k: layout.cell_of(g, k) for k in set(state.klantgroep)}
        cells.append(np.array([index[k] for k in state.klantgroep], dtype=np.int32))
        start_us = np.array(state.benefit_start_us, dtype=np.int64)
        starts.append((start_us - origin_us) / MICROS_PER_DAY)
    return np.concatenate(cells), np.concatenate(starts)


def _micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)
