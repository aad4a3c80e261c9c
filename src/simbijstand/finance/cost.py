"""BUIG expenditure: benefit-months times the cost of a benefit-month.

The cost per benefit-month is set per regeling in the scenario's price year and indexed per
calendar year (from 1 January; the half-yearly norm indexation is folded into the yearly rate).
Klantgroepen without a BUIG benefit (buig = false) cost nothing here.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from simbijstand.engine import CompiledModel
from simbijstand.projections import Projections
from simbijstand.scenario.schema import Kosten


def index_factor(kosten: Kosten, year: int) -> float:
    """Price level of `year` relative to the price year."""

    def rate(y: int) -> float:
        return kosten.indexatie.get(str(y), kosten.indexatie_per_jaar)

    if year >= kosten.prijsjaar:
        return math.prod(1 + rate(y) for y in range(kosten.prijsjaar + 1, year + 1))
    return 1 / math.prod(1 + rate(y) for y in range(year + 1, kosten.prijsjaar + 1))


def cost_per_benefit_month(model: CompiledModel, kosten: Kosten) -> np.ndarray:
    """Euro per benefit-month [month, cell]."""
    base = np.array(
        [
            kosten.per_maand[r] if buig else 0.0
            for r, buig in zip(model.cell_regeling, model.cell_buig, strict=True)
        ]
    )
    factors = np.array([index_factor(kosten, d.year) for d in model.dates[:-1]])
    return factors[:, None] * base[None, :]


def expenditure_frame(
    model: CompiledModel, kosten: Kosten, projections: Projections
) -> pl.DataFrame:
    """BUIG expenditure per replication, calendar year and gemeente (years may be partial:
    `months` says how many months of the year lie inside the horizon)."""
    spend = projections.benefit_months * cost_per_benefit_month(model, kosten)[None]
    buig_months = projections.benefit_months * model.cell_buig[None, None, :]
    years = np.array([d.year for d in model.dates[:-1]])
    frames = []
    for year in np.unique(years):
        in_year = years == year
        for g, gemeente in enumerate(model.gemeenten):
            cells = model.cell_gemeente == g
            frames.append(
                pl.DataFrame(
                    {
                        "replication": np.arange(spend.shape[0], dtype=np.int32)
                        + projections.first_replication,
                        "year": np.full(spend.shape[0], year, dtype=np.int32),
                        "gemeente": gemeente,
                        "months": np.full(spend.shape[0], in_year.sum(), dtype=np.int32),
                        "benefit_months": buig_months[:, in_year][:, :, cells].sum(axis=(1, 2)),
                        "expenditure_eur": spend[:, in_year][:, :, cells].sum(axis=(1, 2)),
                    }
                )
            )
    return pl.concat(frames).sort("replication", "year", "gemeente")
