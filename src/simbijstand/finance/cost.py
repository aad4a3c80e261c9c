"""BUIG expenditure: benefit-months times the cost of a benefit-month.

The cost per benefit-month is set per regeling at the start of the scenario's price year and
follows the bijstand norm: the shipped norms of `scenario/regels.toml` rise every 1 January and
1 July; a scenario's dated rise ("2023-01" = 0.1015, "2023-07" = 0.03) takes effect on the first
of its month and a year's rate ("2024" = 0.02) on 1 January, replacing the shipped rises of that
year; years with neither rise by `indexatie_per_jaar` on 1 January (`scenario.rules.indexation`).
Klantgroepen without a BUIG benefit (buig = false) cost nothing.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl

from simbijstand.domain.dated import DatedValue, Period
from simbijstand.engine import CompiledModel
from simbijstand.engine.arrays import Floats
from simbijstand.projections import Projections
from simbijstand.scenario.rules import indexation
from simbijstand.scenario.schema import Kosten


def price_level(kosten: Kosten, day: dt.date, rises: DatedValue[float] | None = None) -> float:
    """Price level on `day` relative to 1 January of the price year (`rises`: the scenario's
    `indexation`, when the caller already has it)."""
    rises = indexation(kosten) if rises is None else rises
    base = (kosten.prijsjaar, 1)
    here = (day.year, day.month)
    years = range(min(day.year, kosten.prijsjaar), max(day.year, kosten.prijsjaar) + 1)
    steps = [(year, month, rate) for year in years for month, rate in _rises(rises, year)]
    after = math.prod(1 + r for y, m, r in steps if base < (y, m) <= here)
    before = math.prod(1 + r for y, m, r in steps if here < (y, m) <= base)
    return after / before


def _rises(rises: DatedValue[float], year: int) -> list[tuple[int, float]]:
    """(month, rate) of the norm rises in `year`: those given for it, else one on 1 January."""
    given = rises.starting_in(Period.year(year))
    if given:
        return [(start.month, rate) for start, rate in given]
    return [(1, rises.at(dt.date(year, 1, 1)))]


def cost_per_benefit_month(model: CompiledModel, kosten: Kosten) -> Floats:
    """Euro per benefit-month [month, cell]."""
    base = np.array(
        [
            kosten.per_maand[r] if buig else 0.0
            for r, buig in zip(model.cell_regeling, model.cell_buig, strict=True)
        ]
    )
    rises = indexation(kosten)
    factors = np.array([price_level(kosten, d, rises) for d in model.dates[:-1]])
    cost: Floats = factors[:, None] * base[None, :]
    return cost


def expenditure_frame(
    model: CompiledModel, kosten: Kosten, projections: Projections
) -> pl.DataFrame:
    """BUIG expenditure per replication, calendar year and gemeente (years may be partial:
    `months` says how many months of the year lie inside the horizon)."""
    spend = projections.benefit_months * cost_per_benefit_month(model, kosten)[None]
    buig_months = projections.benefit_months * model.cell_buig[None, None, :]
    years = np.array([d.year for d in model.dates[:-1]])
    replications = spend.shape[0]
    gemeente_cells = [model.cell_gemeente == g for g in range(len(model.gemeenten))]
    columns: dict[str, list[np.ndarray]] = {"year": [], "months": [], "bm": [], "eur": []}
    for year in np.unique(years):
        in_year = years == year
        # the year's months taken once, not once per gemeente (390 copies of every cell took
        # a second); each gemeente's sum is the same sum over the same array as before
        year_spend, year_months = spend[:, in_year], buig_months[:, in_year]
        for cells in gemeente_cells:
            columns["year"].append(np.full(replications, year, dtype=np.int32))
            columns["months"].append(np.full(replications, in_year.sum(), dtype=np.int32))
            columns["bm"].append(year_months[:, :, cells].sum(axis=(1, 2)))
            columns["eur"].append(year_spend[:, :, cells].sum(axis=(1, 2)))
    blocks = len(columns["year"])
    frame = pl.DataFrame(
        {
            "replication": np.tile(
                np.arange(replications, dtype=np.int32) + projections.first_replication, blocks
            ),
            "year": np.concatenate(columns["year"]),
            "gemeente": pl.Series(model.gemeenten, dtype=pl.String).gather(
                np.tile(np.repeat(np.arange(len(model.gemeenten)), replications), len(set(years)))
            ),
            "months": np.concatenate(columns["months"]),
            "benefit_months": np.concatenate(columns["bm"]),
            "expenditure_eur": np.concatenate(columns["eur"]),
        }
    )
    return frame.sort("replication", "year", "gemeente")
