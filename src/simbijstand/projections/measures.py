"""Measures (trajecten) per month: participants and queue at the month start, starts, ends,
waiting time and cost, folded from the traject_* events. This is trajecten.parquet.

Cost is paid from the Participatiebudget (not BUIG): per participant at the start, per place per
year for the places while the measure takes clients (prorated by day), and a fixed amount per year
over the same period.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from simbijstand.domain.calendar import DAYS_PER_YEAR
from simbijstand.domain.events import AFGEROND, NIET_GESTART, EventKind
from simbijstand.engine import CompiledModel, EventBatch
from simbijstand.engine.arrays import Bools, Floats, Ints
from simbijstand.engine.modifiers import MeasureSpec
from simbijstand.projections.fold import Projections

MEASURE_COLUMNS = (
    "replication",
    "month",
    "gemeente",
    "traject",
    "participants",
    "queue",
    "starts",
    "completed",
    "left_benefit",
    "left_queue",
    "mean_wait_days",
    "cost_eur",
)


def measures_frame(model: CompiledModel, projections: Projections) -> pl.DataFrame:
    """One row per replication, month and measure (no rows when the scenario has no measures)."""
    reps = projections.caseload.shape[0]
    frames = [
        _one_measure(model, projections, j, spec, reps)
        for j, spec in enumerate(model.modifiers.measures)
    ]
    if not frames:
        return pl.DataFrame(schema=dict.fromkeys(MEASURE_COLUMNS, pl.Float64)).select(
            MEASURE_COLUMNS
        )
    return pl.concat(frames).sort("replication", "traject", "month")


def _one_measure(
    model: CompiledModel, projections: Projections, j: int, spec: MeasureSpec, reps: int
) -> pl.DataFrame:
    events = projections.measure_events
    mine = np.flatnonzero(events.traject == j)
    rep = events.replication[mine] - projections.first_replication
    kind, reason, time_us = events.kind[mine], events.route[mine], events.time_us[mine]
    after = np.searchsorted(model.boundaries_us, time_us, side="right")  # first month start after
    month = after - 1
    months = model.months

    def per_month(
        mask: Bools, index: Ints, weights: Floats | None = None
    ) -> NDArray[np.number[Any]]:
        """Events per replication and month [R, M+1]: counts, or with `weights` their sums."""
        flat = rep[mask] * (months + 1) + index[mask]
        counted = np.bincount(
            flat, weights=None if weights is None else weights[mask], minlength=reps * (months + 1)
        )
        return counted.reshape(reps, months + 1)

    starts = kind == EventKind.TRAJECT_START
    joins = kind == EventKind.TRAJECT_WACHT
    ends = kind == EventKind.TRAJECT_EINDE
    in_measure = np.cumsum(
        per_month(starts, after) - per_month(ends & (reason != NIET_GESTART), after), axis=1
    )
    waiting = np.cumsum(
        per_month(joins, after) - per_month(starts | (ends & (reason == NIET_GESTART)), after),
        axis=1,
    )
    wait_days = _wait_days(events, mine, starts, joins)
    start_count = per_month(starts, month)[:, :months]
    wait_total = per_month(starts, month, wait_days)[:, :months]
    cost = _cost(model, spec, start_count)
    return pl.DataFrame(
        {
            "replication": np.repeat(
                np.arange(reps) + projections.first_replication, months
            ).astype(np.int32),
            "month": pl.Series(model.dates[:-1] * reps),
            "gemeente": model.gemeenten[spec.gemeente],
            "traject": spec.name,
            "participants": in_measure[:, :months].ravel(),
            "queue": waiting[:, :months].ravel(),
            "starts": start_count.ravel(),
            "completed": per_month(ends & (reason == AFGEROND), month)[:, :months].ravel(),
            "left_benefit": per_month(
                ends & (reason != AFGEROND) & (reason != NIET_GESTART), month
            )[:, :months].ravel(),
            "left_queue": per_month(ends & (reason == NIET_GESTART), month)[:, :months].ravel(),
            "mean_wait_days": np.where(
                start_count > 0, wait_total / np.maximum(start_count, 1), np.nan
            ).ravel(),
            "cost_eur": cost.ravel(),
        }
    ).with_columns(pl.col("mean_wait_days").fill_nan(None))


def _wait_days(events: EventBatch, mine: Ints, starts: Bools, joins: Bools) -> Floats:
    """Days each start waited since its client joined the queue (0 for events that are no start)."""
    key = events.replication[mine].astype(np.int64) * (1 << 40) + events.person_id[mine]
    joined = dict(zip(key[joins].tolist(), events.time_us[mine][joins].tolist(), strict=True))
    waited = np.zeros(len(mine))
    started = np.flatnonzero(starts)
    joined_at = np.array([joined[k] for k in key[started].tolist()], dtype=np.int64)
    waited[started] = (events.time_us[mine][started] - joined_at) / 86_400e6
    return waited


def _cost(model: CompiledModel, spec: MeasureSpec, starts: NDArray[np.number[Any]]) -> Floats:
    """Euro per replication and month: per start, plus places and fixed cost while open."""
    bounds = model.boundaries
    open_days = np.clip(
        np.minimum(bounds[1:], spec.closes) - np.maximum(bounds[:-1], spec.opens), 0, None
    )
    yearly = spec.capacity * spec.cost_per_place_year + spec.cost_fixed_year
    cost: Floats = (
        starts * spec.cost_per_participant + (open_days / DAYS_PER_YEAR * yearly)[None, :]
    )
    return cost
