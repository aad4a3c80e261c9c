"""The cases on benefit, as columns, and the exact sampler that moves them through a month.

Each case carries a unit-exponential clock: the integrated hazard it has left before its next
event. Within a month the hazard of a case is constant until it crosses into the next duration
band, so the sampler walks each case through at most a few constant pieces, subtracting the
integrated hazard of each; when the clock runs out inside a piece the event happens at the exact
moment it ran out, and its type (exit route or target klantgroep) is drawn in proportion to the
hazards (competing exponential risks). A case that moves to another klantgroep gets a fresh clock
and continues from that moment. All cases of all replications in a batch move together.

Index columns are int64 on purpose: numpy gathers with int32 indices are several times slower.
"""

from __future__ import annotations

import numpy as np

from simbijstand.domain.events import EventKind
from simbijstand.engine.events import NO_CODE, EventBatch
from simbijstand.engine.model import MICROS_PER_DAY, CompiledModel
from simbijstand.engine.streams import ReplicationStreams

INDEX = np.int64
DTYPES = {
    "rep": INDEX, "cell": INDEX, "band": INDEX, "t": np.float64,
    "clock": np.float64, "band_end": np.float64, "start": np.float64, "pid": np.int64,
}
COLUMNS = tuple(DTYPES)
# Rows of cases that left are compacted away once they are this share of all rows.
COMPACT_AT = 0.1


class Population:
    """Cases of a batch of replications; `rep` is the local index of the replication."""

    def __init__(self, model: CompiledModel, streams: ReplicationStreams, replications: np.ndarray) -> None:
        self.model = model
        self.streams = streams
        self.replications = replications  # global replication number per local index
        self.bands = model.total.shape[2]
        self.next_pid = np.zeros(len(replications), dtype=np.int64)
        self._pending: list[EventBatch] = []
        self._dead = 0  # cases that left but still occupy a row (their clock is inf)
        self._size = 0
        self._buffers = {name: np.zeros(0, dtype=DTYPES[name]) for name in COLUMNS}
        self._set_views()

    # Columns, as views of the first `len(self)` rows of growable buffers:
    rep: np.ndarray  # local replication
    cell: np.ndarray
    band: np.ndarray  # duration band
    t: np.ndarray  # days since the start up to which the case has been simulated
    clock: np.ndarray  # integrated hazard left before the next event; inf once the case left
    band_end: np.ndarray  # moment the case enters its next duration band
    start: np.ndarray  # moment its benefit began
    pid: np.ndarray

    def __len__(self) -> int:
        return self._size

    def add(self, rep: np.ndarray, cell: np.ndarray, start: np.ndarray, arrival: np.ndarray) -> None:
        """Add cases whose benefit began at `start` and who enter the simulation at `arrival`.

        Cases must come grouped by replication and, within one, in the order to number them.
        """
        rep, cell = rep.astype(INDEX), cell.astype(INDEX)
        edges = self.model.band_edges[cell]
        band = np.maximum((edges <= (arrival - start)[:, None]).sum(axis=1) - 1, 0)
        pid = self._new_ids(rep)
        uniform = self.streams.uniforms(rep, 1)[:, 0]
        band_end = start + edges[np.arange(len(cell)), band + 1]
        new = (rep, cell, band, arrival, -np.log1p(-uniform), band_end, start, pid)
        self._append(dict(zip(COLUMNS, new, strict=True)))
        no_code = np.full(len(cell), NO_CODE)
        self._emit(rep, start, pid, EventKind.INSTROOM, cell, no_code, no_code)

    def advance(self, month: int) -> EventBatch:
        """Sample every event in calendar month `month` and return them in time order."""
        t_end = self.model.boundaries[month + 1]
        alive = np.ones(len(self), dtype=bool)
        active = self._first_pass(month, t_end, alive)
        while active.size:
            active = self._step(month, t_end, active, alive)
        self._retire(~alive)
        return self._flush()

    def _first_pass(self, month: int, t_end: float, alive: np.ndarray) -> np.ndarray:
        """`_step` for all cases at once, on whole columns to avoid gathers on the hot path."""
        hazard = self.model.total[month].ravel().take(self.cell * self.bands + self.band)
        piece_end = np.minimum(self.band_end, t_end)
        integrated = hazard * (piece_end - self.t)
        fires = self.clock < integrated
        passes = ~fires
        np.subtract(self.clock, integrated, out=self.clock, where=passes)
        np.copyto(self.t, piece_end, where=passes)
        crossed = self._cross_bands(np.flatnonzero(passes & (self.band_end <= t_end)), t_end)
        hits = np.flatnonzero(fires)
        moment = self.t[hits] + self.clock[hits] / hazard[hits]
        movers = self._fire(month, hits, moment, alive)
        return np.sort(np.concatenate([crossed, movers]))

    def _step(self, month: int, t_end: float, active: np.ndarray, alive: np.ndarray) -> np.ndarray:
        """Move `active` cases to the end of their current piece; return those with time left."""
        hazard = self.model.total[month].ravel().take(self.cell[active] * self.bands + self.band[active])
        piece_end = np.minimum(self.band_end[active], t_end)
        integrated = hazard * (piece_end - self.t[active])
        clock = self.clock[active]
        fires = clock < integrated
        passing = active[~fires]
        self.clock[passing] = clock[~fires] - integrated[~fires]
        self.t[passing] = piece_end[~fires]
        crossed = self._cross_bands(passing[self.band_end[passing] <= t_end], t_end)
        hits = active[fires]
        moment = self.t[hits] + clock[fires] / hazard[fires]
        movers = self._fire(month, hits, moment, alive)
        return np.sort(np.concatenate([crossed, movers]))

    def _cross_bands(self, crossing: np.ndarray, t_end: float) -> np.ndarray:
        """Move cases into their next duration band; return those with time left in the month."""
        self.band[crossing] += 1
        next_edge = self.model.band_edges[self.cell[crossing], self.band[crossing] + 1]
        self.band_end[crossing] = self.start[crossing] + next_edge
        return crossing[self.t[crossing] < t_end]

    def _fire(self, month: int, hits: np.ndarray, moment: np.ndarray, alive: np.ndarray) -> np.ndarray:
        """Give `hits` their event at `moment`; return the cases that moved and continue."""
        draws = self.streams.uniforms(self.rep[hits], 2)
        types = self._event_types(month, hits, draws[:, 0])
        routes = len(self.model.routes)
        leaves = types < routes
        cell = self.cell[hits]
        exits = hits[leaves]
        alive[exits] = False
        no_code = np.full(hits.size, NO_CODE)
        self._emit(self.rep[exits], moment[leaves], self.pid[exits], EventKind.UITSTROOM,
                   cell[leaves], no_code[leaves], types[leaves])
        movers = hits[~leaves]
        first = self.model.gemeente_first_cell[self.model.cell_gemeente[cell[~leaves]]]
        self.cell[movers] = first + types[~leaves] - routes
        self.clock[movers] = -np.log1p(-draws[~leaves, 1])
        self.t[movers] = moment[~leaves]
        self._emit(self.rep[movers], moment[~leaves], self.pid[movers], EventKind.DOORSTROOM,
                   self.cell[movers], cell[~leaves], no_code[~leaves])
        return movers

    def _event_types(self, month: int, hits: np.ndarray, uniform: np.ndarray) -> np.ndarray:
        cell, band = self.cell[hits], self.band[hits]
        cumulative = self.model.cumulative[month, cell, band]
        target = uniform * cumulative[:, -1]
        chosen = (cumulative <= target[:, None]).sum(axis=1)
        # u * total can round up to total itself; never pick a type with zero hazard then
        return np.minimum(chosen, self.model.last_type[month, cell, band])

    def _new_ids(self, rep: np.ndarray) -> np.ndarray:
        counts = np.bincount(rep, minlength=len(self.next_pid))
        offsets = np.cumsum(counts) - counts
        within = np.arange(len(rep)) - np.repeat(offsets, counts)
        ids = self.next_pid[rep] + within
        self.next_pid += counts
        return ids

    def _append(self, extra: dict[str, np.ndarray]) -> None:
        added = len(extra["t"])
        size = self._size + added
        capacity = len(self._buffers["t"])
        if size > capacity:
            grown = max(size, 2 * capacity)
            for name, buffer in self._buffers.items():
                bigger = np.empty(grown, dtype=buffer.dtype)
                bigger[: self._size] = buffer[: self._size]
                self._buffers[name] = bigger
        for name, buffer in self._buffers.items():
            buffer[self._size : size] = extra[name]
        self._size = size
        self._set_views()

    def _retire(self, left: np.ndarray) -> None:
        """Make cases that left inert (an infinite clock never fires); compact now and then."""
        self.clock[left] = np.inf
        self.band_end[left] = np.inf
        self._dead += int(left.sum())
        if self._dead <= COMPACT_AT * self._size:
            return
        keep = np.flatnonzero(np.isfinite(self.clock))
        for name, buffer in self._buffers.items():
            buffer[: len(keep)] = buffer[: self._size].take(keep)
        self._size = len(keep)
        self._dead = 0
        self._set_views()

    def _set_views(self) -> None:
        for name, buffer in self._buffers.items():
            setattr(self, name, buffer[: self._size])

    def _emit(
        self,
        rep: np.ndarray,
        moment: np.ndarray,
        pid: np.ndarray,
        kind: EventKind,
        cell: np.ndarray,
        from_cell: np.ndarray,
        route: np.ndarray,
    ) -> None:
        if rep.size == 0:
            return
        model = self.model
        time_us = model.boundaries_us[0] + np.rint(moment * MICROS_PER_DAY).astype(np.int64)
        # rounding must not push an event past the horizon, where no fold would count it
        np.minimum(time_us, model.boundaries_us[-1] - 1, out=time_us)
        self._pending.append(
            EventBatch(
                replication=self.replications[rep].astype(np.int32),
                time_us=time_us,
                person_id=pid,
                kind=np.full(rep.size, kind, dtype=np.int8),
                cell=cell.astype(np.int32),
                from_cell=from_cell.astype(np.int32),
                route=route.astype(np.int16),
            )
        )

    def _flush(self) -> EventBatch:
        batch = EventBatch.concat(self._pending) if self._pending else EventBatch.empty()
        self._pending = []
        return batch.take(np.lexsort((batch.time_us, batch.replication)))
