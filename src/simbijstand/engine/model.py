"""The scenario compiled into numeric tables the sampler reads.

A *cell* is one (gemeente, klantgroep) pair. Hazards are per day and piecewise constant in
(calendar month, cell, duration band); an event *type* is an exit route (0..R-1) or a move to the
gemeente's k-th klantgroep (R + k).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR, month_starts
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialCases, InitialCounts, InitialState
from simbijstand.scenario.schema import Multiplicator, ParameterFile

EPOCH = dt.datetime(1970, 1, 1)
MICROS_PER_DAY = 86_400_000_000
UNKNOWN_BAND = -1


@dataclass(frozen=True, slots=True)
class CompiledModel:
    start: dt.date
    dates: tuple[dt.date, ...]  # month starts, from the start to the horizon's end inclusive
    boundaries: np.ndarray  # the same dates in days since the start, float64 [M+1]
    boundaries_us: np.ndarray  # the same dates in microseconds since 1970, int64 [M+1]
    gemeenten: tuple[str, ...]
    routes: tuple[str, ...]
    cell_gemeente: np.ndarray  # int32 [C]
    cell_local: np.ndarray  # klantgroep index within its gemeente, int32 [C]
    cell_klantgroep: tuple[str, ...]
    gemeente_first_cell: np.ndarray  # int32 [G]
    cell_buig: np.ndarray  # bool [C]
    cell_regeling: tuple[str, ...]
    band_edges: np.ndarray  # days on benefit where bands start, padded with inf, [C, B+1]
    hazard: np.ndarray  # per day [M, C, B, T]
    total: np.ndarray  # sum over types [M, C, B]
    cumulative: np.ndarray  # cumulative sum over types [M, C, B, T]
    last_type: np.ndarray  # highest type with a positive hazard [M, C, B]
    cumulative_hazard: (
        np.ndarray
    )  # integrated total hazard from the start to each month start [C, B, M+1]
    inflow_mean: np.ndarray  # expected new cases per month [M, C]
    initial_counts: np.ndarray  # [C, B+1]; the last column holds counts of unknown duration
    initial_cases_cell: np.ndarray  # int32 [n] cases replayed from an event log
    initial_cases_start: np.ndarray  # float64 [n] their benefit start, days since the start

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
    layout = _CellLayout.of(scenario)
    boundaries = np.array([(d - scenario.start).days for d in dates], dtype=np.float64)
    start_us = _micros(dt.datetime.combine(scenario.start, dt.time()))
    hazard = _hazard_table(scenario, layout, dates)
    cumulative = np.cumsum(hazard, axis=-1)
    cases_cell, cases_start = _initial_cases(scenario, layout, initial)
    return CompiledModel(
        start=scenario.start,
        dates=dates,
        boundaries=boundaries,
        boundaries_us=start_us + boundaries.astype(np.int64) * MICROS_PER_DAY,
        gemeenten=tuple(scenario.gemeenten),
        routes=layout.routes,
        cell_gemeente=np.array(layout.gemeente, dtype=np.int32),
        cell_local=np.array(layout.local, dtype=np.int32),
        cell_klantgroep=tuple(layout.klantgroep),
        gemeente_first_cell=np.array(layout.first, dtype=np.int32),
        cell_buig=np.array([layout.group(c).buig for c in range(layout.size)], dtype=bool),
        cell_regeling=tuple(layout.group(c).regeling for c in range(layout.size)),
        band_edges=_band_edges(scenario, layout),
        hazard=hazard,
        total=cumulative[..., -1].copy(),
        cumulative=cumulative,
        last_type=_last_positive(hazard),
        cumulative_hazard=_integrate_over_months(cumulative[..., -1], boundaries),
        inflow_mean=_inflow_table(scenario, layout, dates, boundaries),
        initial_counts=_initial_counts(scenario, layout, initial),
        initial_cases_cell=cases_cell,
        initial_cases_start=cases_start,
    )


@dataclass(frozen=True, slots=True)
class _CellLayout:
    params: tuple[ParameterFile, ...]  # per gemeente
    gemeente: tuple[int, ...]
    local: tuple[int, ...]
    klantgroep: tuple[str, ...]
    first: tuple[int, ...]
    routes: tuple[str, ...]
    max_groups: int
    max_bands: int

    @staticmethod
    def of(scenario: Scenario) -> _CellLayout:
        params = tuple(scenario.parameters[g] for g in scenario.gemeenten)
        gemeente, local, names, first = [], [], [], []
        for g, p in enumerate(params):
            first.append(len(names))
            for k, name in enumerate(p.klantgroepen):
                gemeente.append(g)
                local.append(k)
                names.append(name)
        routes = tuple(dict.fromkeys(r for p in params for r in p.routes))
        return _CellLayout(
            params=params,
            gemeente=tuple(gemeente),
            local=tuple(local),
            klantgroep=tuple(names),
            first=tuple(first),
            routes=routes,
            max_groups=max(len(p.klantgroepen) for p in params),
            max_bands=max(len(p.duurbanden_maanden) for p in params),
        )

    @property
    def size(self) -> int:
        return len(self.klantgroep)

    def group(self, cell: int):
        return self.params[self.gemeente[cell]].klantgroepen[self.klantgroep[cell]]

    def cell_of(self, gemeente: int, klantgroep: str) -> int:
        return self.first[gemeente] + list(self.params[gemeente].klantgroepen).index(klantgroep)


def _band_edges(scenario: Scenario, layout: _CellLayout) -> np.ndarray:
    edges = np.full((layout.size, layout.max_bands + 1), np.inf)
    for cell in range(layout.size):
        bands = layout.params[layout.gemeente[cell]].duurbanden_maanden
        edges[cell, : len(bands)] = np.array(bands) * DAYS_PER_MONTH
    return edges


def _hazard_table(
    scenario: Scenario, layout: _CellLayout, dates: tuple[dt.date, ...]
) -> np.ndarray:
    routes = len(layout.routes)
    base = np.zeros((layout.size, layout.max_bands, routes + layout.max_groups))
    for cell in range(layout.size):
        base[cell] = _base_hazards(layout, cell, routes)
    table = np.repeat(base[np.newaxis], len(dates) - 1, axis=0)
    for month, day in enumerate(dates[:-1]):
        for mult in _active(scenario.spec.multiplicator, day):
            _apply_transition_multiplier(table[month], mult, scenario, layout)
    return table / DAYS_PER_YEAR


def _base_hazards(layout: _CellLayout, cell: int, routes: int) -> np.ndarray:
    params = layout.params[layout.gemeente[cell]]
    group = layout.group(cell)
    bands = len(params.duurbanden_maanden)
    factor = np.ones(layout.max_bands)
    factor[:bands] = group.duur_factor if group.duur_factor is not None else 1.0
    factor[bands:] = 0.0
    rates = np.zeros((layout.max_bands, routes + layout.max_groups))
    for route, share in group.uitstroom_routes.items():
        rates[:, layout.routes.index(route)] = group.uitstroom_per_jaar * share * factor
    names = list(params.klantgroepen)
    for target, rate in group.doorstroom_per_jaar.items():
        rates[:bands, routes + names.index(target)] = rate
    return rates


def _active(multipliers: list[Multiplicator], day: dt.date) -> list[Multiplicator]:
    return [m for m in multipliers if m.van <= day and (m.tot is None or day < m.tot)]


def _matching_cells(mult: Multiplicator, scenario: Scenario, layout: _CellLayout) -> list[int]:
    gemeenten = scenario.gemeenten
    return [
        c
        for c in range(layout.size)
        if (mult.gemeenten is None or gemeenten[layout.gemeente[c]] in mult.gemeenten)
        and (mult.klantgroepen is None or layout.klantgroep[c] in mult.klantgroepen)
    ]


def _apply_transition_multiplier(
    month_table: np.ndarray, mult: Multiplicator, scenario: Scenario, layout: _CellLayout
) -> None:
    routes = len(layout.routes)
    cells = _matching_cells(mult, scenario, layout)
    if isinstance(mult.uitstroom, dict):
        for route, factor in mult.uitstroom.items():
            month_table[cells, :, layout.routes.index(route)] *= factor
    elif mult.uitstroom is not None:
        month_table[cells, :, :routes] *= mult.uitstroom
    if mult.doorstroom is not None:
        month_table[cells, :, routes:] *= mult.doorstroom


def _inflow_table(
    scenario: Scenario, layout: _CellLayout, dates: tuple[dt.date, ...], boundaries: np.ndarray
) -> np.ndarray:
    lengths = np.diff(boundaries)
    years_from_start = (boundaries[:-1] + lengths / 2) / DAYS_PER_YEAR
    table = np.zeros((len(dates) - 1, layout.size))
    for cell in range(layout.size):
        inflow = layout.params[layout.gemeente[cell]].instroom
        share = inflow.klantgroepen.get(layout.klantgroep[cell], 0.0)
        season = np.array(
            [inflow.seizoen[d.month - 1] if inflow.seizoen else 1.0 for d in dates[:-1]]
        )
        trend = (1 + inflow.trend_per_jaar) ** years_from_start
        table[:, cell] = inflow.per_jaar * share / DAYS_PER_YEAR * lengths * season * trend
    for month, day in enumerate(dates[:-1]):
        for mult in _active(scenario.spec.multiplicator, day):
            if mult.instroom is not None:
                table[month, _matching_cells(mult, scenario, layout)] *= mult.instroom
    return table


def _integrate_over_months(total: np.ndarray, boundaries: np.ndarray) -> np.ndarray:
    per_month = total * np.diff(boundaries)[:, None, None]
    months, cells, bands = total.shape
    integrated = np.zeros((cells, bands, months + 1))
    integrated[:, :, 1:] = np.cumsum(per_month, axis=0).transpose(1, 2, 0)
    return integrated


def _last_positive(hazard: np.ndarray) -> np.ndarray:
    positive = hazard > 0
    types = hazard.shape[-1]
    reversed_first = np.argmax(positive[..., ::-1], axis=-1)
    return (types - 1 - reversed_first).astype(np.int32)


def _initial_counts(
    scenario: Scenario, layout: _CellLayout, initial: dict[str, InitialState]
) -> np.ndarray:
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
    scenario: Scenario, layout: _CellLayout, initial: dict[str, InitialState]
) -> tuple[np.ndarray, np.ndarray]:
    cells: list[np.ndarray] = [np.zeros(0, dtype=np.int32)]
    starts: list[np.ndarray] = [np.zeros(0, dtype=np.float64)]
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
