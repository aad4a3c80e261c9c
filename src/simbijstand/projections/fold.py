"""Folding events, as they stream from the engine, into caseload, flows and benefit-months.

The fold keeps arrays per (replication, month, cell), so the event log itself never has to be kept
in memory. An event at moment t changes the caseload at every month start after t (a count at a
date is the state at 00:00 that day). Benefit-months are exact: a case counts for the fraction of
each month it was on benefit, summed in whole microseconds so the result does not depend on how
the events were batched. Events of measures (trajecten) are few; they are kept as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simbijstand.domain.events import CASELOAD_KINDS, EventKind
from simbijstand.engine import CompiledModel, EventBatch
from simbijstand.engine.arrays import Floats, Int32s, Ints


@dataclass(frozen=True, slots=True)
class FlowCodes:
    """Flow codes: 0 ordinary instroom, 1+i instroom for reason i, then uitstroom by route,
    then doorstroom by the klantgroep a case came from (its index in its gemeente)."""

    reasons: int
    routes: int
    groups: int

    @staticmethod
    def of(model: CompiledModel) -> FlowCodes:
        return FlowCodes(
            len(model.inflow_reasons), len(model.routes), int(model.cell_local.max()) + 1
        )

    @property
    def count(self) -> int:
        return 1 + self.reasons + self.routes + self.groups

    @property
    def first_exit(self) -> int:
        return 1 + self.reasons

    @property
    def first_move(self) -> int:
        return 1 + self.reasons + self.routes


@dataclass(frozen=True, slots=True)
class Projections:
    """Folded results of consecutive replications starting at `first_replication`."""

    first_replication: int
    caseload: Int32s  # [R, M+1, C], at each month start and the horizon's end
    flows: Int32s  # [R, M, C, F], see FlowCodes
    benefit_months: Floats  # [R, M, C]
    measure_events: EventBatch  # every traject_* event, in time order per replication

    @staticmethod
    def concat(parts: Sequence[Projections]) -> Projections:
        ordered = sorted(parts, key=lambda p: p.first_replication)
        return Projections(
            first_replication=ordered[0].first_replication,
            caseload=np.concatenate([p.caseload for p in ordered]),
            flows=np.concatenate([p.flows for p in ordered]),
            benefit_months=np.concatenate([p.benefit_months for p in ordered]),
            measure_events=EventBatch.concat([p.measure_events for p in ordered]),
        )


class ProjectionFold:
    """A Recorder that folds the events of replications first..first+count-1."""

    def __init__(self, model: CompiledModel, first: int, count: int) -> None:
        self.model = model
        self.first = first
        self.codes = FlowCodes.of(model)
        months, cells = model.months, model.cells
        self._shape_case = (count, months + 1, cells)
        self._shape_flow = (count, months, cells, self.codes.count)
        self._delta = np.zeros(int(np.prod(self._shape_case)), dtype=np.int64)
        self._flow_cells: list[Ints] = []  # flat flow index per event, counted at the end
        self._partial_us = np.zeros(count * months * cells, dtype=np.int64)
        self._measure_events: list[EventBatch] = [EventBatch.empty()]

    def record(self, batch: EventBatch) -> None:
        caseload = np.isin(batch.kind, CASELOAD_KINDS)
        if not caseload.all():
            self._measure_events.append(batch.take(np.flatnonzero(~caseload)))
            batch = batch.take(np.flatnonzero(caseload))
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
        count, months, cells = self._shape_case[0], self._shape_case[1] - 1, self._shape_case[2]
        length_us = np.diff(self.model.boundaries_us).astype(np.float64)
        partial = self._partial_us.reshape(count, months, cells) / length_us[None, :, None]
        return Projections(
            first_replication=self.first,
            caseload=caseload.astype(np.int32),
            flows=self._flow_counts().reshape(self._shape_flow).astype(np.int32),
            benefit_months=caseload[:, :months, :] + partial,
            measure_events=EventBatch.concat(self._measure_events),
        )

    def _fold_caseload(self, batch: EventBatch, after: Ints) -> None:
        cells = self._shape_case[2]
        row = ((batch.replication - self.first) * self._shape_case[1] + after) * cells
        plus = batch.kind != EventKind.UITSTROOM
        minus_cell = np.where(batch.kind == EventKind.DOORSTROOM, batch.from_cell, batch.cell)
        minus = batch.kind != EventKind.INSTROOM
        size = len(self._delta)
        self._delta += np.bincount(row[plus] + batch.cell[plus], minlength=size)
        self._delta -= np.bincount(row[minus] + minus_cell[minus], minlength=size)

    def _fold_flows(self, batch: EventBatch, month: Ints) -> None:
        _, months, cells, count = self._shape_flow
        codes = self.codes
        from_local = self.model.cell_local[np.maximum(batch.from_cell, 0)]
        code = np.select(
            [batch.kind == EventKind.INSTROOM, batch.kind == EventKind.UITSTROOM],
            [1 + batch.route, codes.first_exit + batch.route],  # an ordinary instroom has route -1
            default=codes.first_move + from_local,
        )
        flat = (
            ((batch.replication - self.first) * months + month) * cells + batch.cell
        ) * count + code
        self._flow_cells.append(flat)

    def _flow_counts(self) -> Ints:
        # one count at the end: a bincount per month would sweep the whole flows array each time
        size = int(np.prod(self._shape_flow))
        if not self._flow_cells:
            return np.zeros(size, dtype=np.int64)
        return np.bincount(np.concatenate(self._flow_cells), minlength=size)

    def _fold_partial_months(self, batch: EventBatch, month: Ints) -> None:
        remaining_us = self.model.boundaries_us[month + 1] - batch.time_us
        cells = self._shape_case[2]
        row = ((batch.replication - self.first) * self.model.months + month) * cells
        gains = batch.kind != EventKind.UITSTROOM
        losses = batch.kind != EventKind.INSTROOM
        lost_cell = np.where(batch.kind == EventKind.DOORSTROOM, batch.from_cell, batch.cell)
        np.add.at(self._partial_us, row[gains] + batch.cell[gains], remaining_us[gains])
        np.subtract.at(self._partial_us, row[losses] + lost_cell[losses], remaining_us[losses])
