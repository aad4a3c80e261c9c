"""Folding events, as they stream from the engine, into caseload, flows and benefit-months.

The fold keeps arrays per (replication, month, cell), so the event log itself never has to be kept
in memory. An event at moment t changes the caseload at every month start after t (a count at a
date is the state at 00:00 that day). Benefit-months are exact: a case counts for the fraction of
each month it was on benefit, computed from the event moments (as stored, in microseconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simbijstand.domain.events import EventKind
from simbijstand.engine import CompiledModel, EventBatch


def flow_codes(model: CompiledModel) -> int:
    """Flow code 0 is instroom, 1+r uitstroom by route r, 1+R+k doorstroom from klantgroep k."""
    return 1 + len(model.routes) + int(model.cell_local.max()) + 1


@dataclass(frozen=True, slots=True)
class Projections:
    """Folded results of consecutive replications starting at `first_replication`."""

    first_replication: int
    caseload: np.ndarray  # int32 [R, M+1, C], at each month start and the horizon's end
    flows: np.ndarray  # int32 [R, M, C, F], see flow_codes
    benefit_months: np.ndarray  # float64 [R, M, C]

    @staticmethod
    def concat(parts: Sequence[Projections]) -> Projections:
        ordered = sorted(parts, key=lambda p: p.first_replication)
        return Projections(
            first_replication=ordered[0].first_replication,
            caseload=np.concatenate([p.caseload for p in ordered]),
            flows=np.concatenate([p.flows for p in ordered]),
            benefit_months=np.concatenate([p.benefit_months for p in ordered]),
        )


class ProjectionFold:
    """A Recorder that folds the events of replications first..first+count-1."""

    def __init__(self, model: CompiledModel, first: int, count: int) -> None:
        self.model = model
        self.first = first
        months, cells = model.months, model.cells
        self._shape_case = (count, months + 1, cells)
        self._shape_flow = (count, months, cells, flow_codes(model))
        self._delta = np.zeros(int(np.prod(self._shape_case)), dtype=np.int64)
        self._flows = np.zeros(int(np.prod(self._shape_flow)), dtype=np.int64)
        self._partial = np.zeros(count * months * cells)

    def record(self, batch: EventBatch) -> None:
        if len(batch) == 0:
            return
        after = np.searchsorted(self.model.boundaries_us, batch.time_us, side="right")
        self._fold_caseload(batch, after)
        inside = after >= 1  # events before the start are the initial caseload, not flows
        if not inside.all():
            batch, after = batch.take(np.flatnonzero(inside)), after[inside]
        self._fold_flows(batch, after - 1)
        self._fold_partial_months(batch, after - 1)

    def result(self) -> Projections:
        caseload = np.cumsum(self._delta.reshape(self._shape_case), axis=1)
        months = self._shape_case[1] - 1
        benefit_months = caseload[:, :months, :] + self._partial.reshape(
            self._shape_case[0], months, -1
        )
        return Projections(
            first_replication=self.first,
            caseload=caseload.astype(np.int32),
            flows=self._flows.reshape(self._shape_flow).astype(np.int32),
            benefit_months=benefit_months,
        )

    def _fold_caseload(self, batch: EventBatch, after: np.ndarray) -> None:
        cells = self._shape_case[2]
        row = ((batch.replication - self.first) * self._shape_case[1] + after) * cells
        plus = batch.kind != EventKind.UITSTROOM
        minus_cell = np.where(batch.kind == EventKind.DOORSTROOM, batch.from_cell, batch.cell)
        minus = batch.kind != EventKind.INSTROOM
        size = len(self._delta)
        self._delta += np.bincount(row[plus] + batch.cell[plus], minlength=size)
        self._delta -= np.bincount(row[minus] + minus_cell[minus], minlength=size)

    def _fold_flows(self, batch: EventBatch, month: np.ndarray) -> None:
        _, months, cells, codes = self._shape_flow
        routes = len(self.model.routes)
        from_local = self.model.cell_local[np.maximum(batch.from_cell, 0)]
        code = np.select(
            [batch.kind == EventKind.INSTROOM, batch.kind == EventKind.UITSTROOM],
            [0, 1 + batch.route],
            default=1 + routes + from_local,
        )
        flat = (
            ((batch.replication - self.first) * months + month) * cells + batch.cell
        ) * codes + code
        self._flows += np.bincount(flat, minlength=len(self._flows))

    def _fold_partial_months(self, batch: EventBatch, month: np.ndarray) -> None:
        bounds = self.model.boundaries_us
        fraction = (bounds[month + 1] - batch.time_us) / (bounds[month + 1] - bounds[month])
        cells = self._shape_case[2]
        row = ((batch.replication - self.first) * self.model.months + month) * cells
        gains = batch.kind != EventKind.UITSTROOM
        losses = batch.kind != EventKind.INSTROOM
        lost_cell = np.where(batch.kind == EventKind.DOORSTROOM, batch.from_cell, batch.cell)
        size = len(self._partial)
        self._partial += np.bincount(
            row[gains] + batch.cell[gains], fraction[gains], minlength=size
        )
        self._partial -= np.bincount(
            row[losses] + lost_cell[losses], fraction[losses], minlength=size
        )
