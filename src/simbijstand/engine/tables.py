"""Hazard and inflow tables per calendar month, with every scenario multiplier applied.

Hazards [month, cell, band, type] are per day; inflow [month, cell] is the expected number of new
benefits in the month. Calendar multipliers, the macro path and the preventiequote act here;
measures and statushouders act per case, through `modifiers`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from simbijstand.engine.arrays import Floats, Ints
from simbijstand.engine.layout import CellLayout
from simbijstand.scenario import Scenario
from simbijstand.scenario.paths import macro_multipliers, preventie_multipliers
from simbijstand.scenario.schema import Multiplicator


def band_edges(layout: CellLayout) -> Floats:
    """Days on benefit where each cell's bands start, padded with inf [C, B+1]."""
    edges = np.full((layout.size, layout.max_bands + 1), np.inf)
    for cell in range(layout.size):
        bands = layout.params[layout.gemeente[cell]].duurbanden_maanden
        edges[cell, : len(bands)] = np.array(bands) * DAYS_PER_MONTH
    return edges


def hazard_table(scenario: Scenario, layout: CellLayout, months: list[dt.date]) -> Floats:
    """Hazards per day [month, cell, band, type]."""
    base = np.stack([_base_hazards(layout, cell) for cell in range(layout.size)])
    table = np.repeat(base[np.newaxis], len(months), axis=0)
    for month, day in enumerate(months):
        for mult in _active(scenario.spec.multiplicator, day):
            _apply_transition_multiplier(table[month], mult, scenario, layout)
    if scenario.spec.aow is not None:  # exits at AOW age come from each case's age instead
        table[:, :, :, layout.routes.index(scenario.spec.aow.route)] = 0.0
    if scenario.spec.macro is not None:
        _, work = macro_multipliers(scenario.spec.macro, months)
        route = scenario.spec.macro.werk_route
        if route in layout.routes:
            table[:, :, :, layout.routes.index(route)] *= work[:, None, None]
    return table / DAYS_PER_YEAR


def inflow_table(
    scenario: Scenario, layout: CellLayout, months: list[dt.date], boundaries: Floats
) -> Floats:
    """Expected new benefits per month and cell [month, cell]."""
    lengths = np.diff(boundaries)
    years_from_start = (boundaries[:-1] + lengths / 2) / DAYS_PER_YEAR
    table = np.zeros((len(months), layout.size))
    for cell in range(layout.size):
        inflow = layout.params[layout.gemeente[cell]].instroom
        share = inflow.klantgroepen.get(layout.klantgroep[cell], 0.0)
        season = np.array([inflow.seizoen[d.month - 1] if inflow.seizoen else 1.0 for d in months])
        trend = (1 + inflow.trend_per_jaar) ** years_from_start
        table[:, cell] = inflow.per_jaar * share / DAYS_PER_YEAR * lengths * season * trend
    for month, day in enumerate(months):
        for mult in _active(scenario.spec.multiplicator, day):
            if mult.instroom is not None:
                table[month, _matching_cells(mult, scenario, layout)] *= mult.instroom
    if scenario.spec.macro is not None:
        table *= macro_multipliers(scenario.spec.macro, months)[0][:, None]
    if scenario.spec.beleid is not None:
        table *= preventie_multipliers(scenario.spec.beleid, months)[:, None]
    return table


def integrate_over_months(total: Floats, boundaries: Floats) -> Floats:
    """Cumulative hazard from the start to each month start [..., M+1] of a [M, ...] table."""
    per_month = total * np.diff(boundaries).reshape(-1, *([1] * (total.ndim - 1)))
    integrated = np.zeros((*total.shape[1:], total.shape[0] + 1))
    integrated[..., 1:] = np.moveaxis(np.cumsum(per_month, axis=0), 0, -1)
    return integrated


def last_positive(hazard: Floats) -> Ints:
    """Index of the last event type with a positive hazard (over the last axis)."""
    types: int = hazard.shape[-1]
    from_end: Ints = np.argmax(hazard[..., ::-1] > 0, axis=-1)
    return (types - 1 - from_end).astype(np.int64)


def _base_hazards(layout: CellLayout, cell: int) -> Floats:
    params = layout.params[layout.gemeente[cell]]
    group = layout.group(cell)
    bands = len(params.duurbanden_maanden)
    factor = np.zeros(layout.max_bands)
    factor[:bands] = group.duur_factor if group.duur_factor is not None else 1.0
    rates = np.zeros((layout.max_bands, layout.types))
    for route, share in group.uitstroom_routes.items():
        rates[:, layout.routes.index(route)] = group.uitstroom_per_jaar * share * factor
    names = list(params.klantgroepen)
    for target, rate in group.doorstroom_per_jaar.items():
        rates[:bands, len(layout.routes) + names.index(target)] = rate
    return rates


def _active(multipliers: list[Multiplicator], day: dt.date) -> list[Multiplicator]:
    return [m for m in multipliers if m.van <= day and (m.tot is None or day < m.tot)]


def _matching_cells(mult: Multiplicator, scenario: Scenario, layout: CellLayout) -> list[int]:
    gemeenten = (
        None if mult.gemeenten is None else {scenario.gemeenten.index(g) for g in mult.gemeenten}
    )
    groups = None if mult.klantgroepen is None else set(mult.klantgroepen)
    return layout.cells_where(gemeenten, groups)


def _apply_transition_multiplier(
    month_table: Floats, mult: Multiplicator, scenario: Scenario, layout: CellLayout
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
