"""The cases on benefit, as columns, and the exact sampler that moves them through time.

A case's hazard depends on its state (cell, duration band) and the calendar month; all cases in
one state share the same cumulative hazard Λ(t) over calendar time, a piecewise-linear function
the model tabulates at month starts. When a case enters a state at t0 with a unit-exponential
clock E, its next event happens exactly where Λ(t) reaches Λ(t0) + E; if the case first reaches
the end of its duration band, the unused part of the clock carries over into the next band's Λ,
and so on. Each case is therefore touched only at its own events, never month by month. The
event's type (exit route or target klantgroep) is drawn in proportion to the hazards of the
month it falls in (competing exponential risks); after a move to another klantgroep a fresh
clock is drawn. All cases of all replications in a batch move together.

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
    "rep": INDEX,  # local replication
    "cell": INDEX,
    "band": INDEX,  # duration band the case is in at its next event
    "start": np.float64,  # moment the benefit began, days since the run's start
    "pid": np.int64,  # LEFT once the case has left
    "t_next": np.float64,  # moment of the next event; inf when none within the horizon
}
LEFT = -1
COLUMNS = tuple(DTYPES)
# Rows of cases that left are compacted away once they are this share of all rows.
COMPACT_AT = 0.25


class Population:
    """Cases of a batch of replications and their next changes."""

    rep: np.ndarray
    cell: np.ndarray
    band: np.ndarray
    start: np.ndarray
    pid: np.ndarray
    t_next: np.ndarray

    def __init__(
        self, model: CompiledModel, streams: ReplicationStreams, replications: np.ndarray
    ) -> None:
        self.model = model
        self.streams = streams
        self.replications = replications  # global replication number per local index
        self.bands = model.total.shape[2]
        self.months = model.months
        self.lam = model.cumulative_hazard.reshape(-1, model.months + 1)  # [cell * B + band, month]
        self._rate = model.total.reshape(model.months, -1)  # [month, cell * B + band], per day
        self._cumulative = model.cumulative.reshape(model.months, self._rate.shape[1], -1)
        self._last_type = model.last_type.reshape(model.months, -1)
        self._lam_shift = self.lam[:, -1].max() + 1.0
        self._end = model.boundaries[-1]
        days = np.arange(int(self._end))
        self._month_of_day = np.searchsorted(model.boundaries, days, side="right") - 1
        self._lam_flat = (self.lam + np.arange(len(self.lam))[:, None] * self._lam_shift).ravel()
        self.next_pid = np.zeros(len(replications), dtype=np.int64)
        self._pending: list[EventBatch] = []
        self._dead = 0
        self._size = 0
        self._buffers = {name: np.zeros(0, dtype=dtype) for name, dtype in DTYPES.items()}
        self._set_views()

    def __len__(self) -> int:
        return self._size

    def add(
        self, rep: np.ndarray, cell: np.ndarray, start: np.ndarray, arrival: np.ndarray, month: int
    ) -> None:
        """Add cases whose benefit began at `start` and who enter the simulation at `arrival`,
        a moment in calendar month `month`.

        Cases must come grouped by replication and, within one, in the order to number them.
        """
        rep, cell = rep.astype(INDEX), cell.astype(INDEX)
        band = np.zeros(len(cell), dtype=INDEX)
        older = np.flatnonzero(arrival > start)  # new benefits start in band 0
        if older.size:
            edges = self.model.band_edges[cell[older]]
            band[older] = np.maximum((edges <= (arrival - start)[older, None]).sum(axis=1) - 1, 0)
        pid = self._new_ids(rep)
        clock = -np.log1p(-self.streams.uniforms(rep, 1)[:, 0])
        rows = np.arange(self._size, self._size + len(rep))
        self._append({"rep": rep, "cell": cell, "band": band, "start": start, "pid": pid})
        self._arm(rows, month, arrival, clock)
        no_code = np.full(len(cell), NO_CODE)
        self._emit(rep, start, pid, EventKind.INSTROOM, cell, no_code, no_code)

    def advance(self, month: int) -> EventBatch:
        """Apply every event in calendar month `month`; return the events."""
        t_end = self.model.boundaries[month + 1]
        due = np.flatnonzero(self.t_next < t_end)
        while due.size:
            movers = self._fire(month, due)
            due = movers[self.t_next[movers] < t_end]
        self._compact_now_and_then()
        return self._flush()

    def _arm(self, rows: np.ndarray, month: int, t0: np.ndarray, clock: np.ndarray) -> None:
        """Set the next event of `rows`, which entered their state at `t0` (in calendar month
        `month`) with `clock` left, walking through as many duration bands as the clock lasts."""
        cell, band = self.cell[rows], self.band[rows]
        target = self._lam_at(cell * self.bands + band, month, t0) + clock
        t_next = np.full(len(rows), np.inf)
        pending = np.arange(len(rows))
        while pending.size:
            state = cell[pending] * self.bands + band[pending]
            band_end = (
                self.start[rows[pending]] + self.model.band_edges[cell[pending], band[pending] + 1]
            )
            lam_end = self._lam_until(state, band_end)
            fires = target[pending] < lam_end
            done = pending[fires]
            t_next[done] = self._inverse_lam(state[fires], month, target[done])
            carry = ~fires & (band_end < self._end)
            pending = pending[carry]
            band[pending] += 1
            target[pending] += self._lam_until(state[carry] + 1, band_end[carry]) - lam_end[carry]
        self.band[rows] = band
        self.t_next[rows] = t_next

    def _lam_at(self, state: np.ndarray, month: int, t: np.ndarray) -> np.ndarray:
        rate = self._rate[month, state]
        return self.lam[state, month] + rate * (t - self.model.boundaries[month])

    def _lam_until(self, state: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Each state's Λ at moment t, or at the horizon's end when t lies beyond it."""
        day = np.minimum(t, self._end - 0.5).astype(np.int64)  # month starts fall on whole days
        month = self._month_of_day[day]
        rate = self._rate[month, state]
        inside = self.lam[state, month] + rate * (t - self.model.boundaries[month])
        beyond = t >= self._end
        inside[beyond] = self.lam[state[beyond], self.months]
        return inside

    def _inverse_lam(self, state: np.ndarray, month: int, target: np.ndarray) -> np.ndarray:
        """The moment in the horizon at which the state's Λ reaches `target` (< Λ at the end)."""
        # one searchsorted over all states' Λ rows laid end to end, each shifted above the last
        position = np.searchsorted(self._lam_flat, target + state * self._lam_shift, side="right")
        k = np.clip(position - 1 - state * (self.months + 1), month, self.months - 1)
        rate = self._rate[k, state]
        return self.model.boundaries[k] + (target - self.lam[state, k]) / rate

    def _fire(self, month: int, rows: np.ndarray) -> np.ndarray:
        """Give `rows` their event; return the rows that moved to another klantgroep."""
        moment = self.t_next[rows]
        draws = self.streams.uniforms(self.rep[rows], 2)
        types = self._event_types(month, rows, draws[:, 0])
        routes = len(self.model.routes)
        leaves = types < routes
        cell = self.cell[rows]
        no_code = np.full(rows.size, NO_CODE)
        exits = rows[leaves]
        self._emit(
            self.rep[exits],
            moment[leaves],
            self.pid[exits],
            EventKind.UITSTROOM,
            cell[leaves],
            no_code[leaves],
            types[leaves],
        )
        self.t_next[exits] = np.inf
        self.pid[exits] = LEFT
        self._dead += exits.size
        movers = rows[~leaves]
        first = self.model.gemeente_first_cell[self.model.cell_gemeente[cell[~leaves]]]
        self.cell[movers] = first + types[~leaves] - routes
        self._arm(movers, month, moment[~leaves], -np.log1p(-draws[~leaves, 1]))
        self._emit(
            self.rep[movers],
            moment[~leaves],
            self.pid[movers],
            EventKind.DOORSTROOM,
            self.cell[movers],
            cell[~leaves],
            no_code[~leaves],
        )
        return movers

    def _event_types(self, month: int, rows: np.ndarray, uniform: np.ndarray) -> np.ndarray:
        state = self.cell[rows] * self.bands + self.band[rows]
        cumulative = self._cumulative[month].take(state, axis=0)
        target = uniform * cumulative[:, -1]
        chosen = (cumulative <= target[:, None]).sum(axis=1)
        # u * total can round up to total itself; never pick a type with zero hazard then
        return np.minimum(chosen, self._last_type[month].take(state))

    def _new_ids(self, rep: np.ndarray) -> np.ndarray:
        counts = np.bincount(rep, minlength=len(self.next_pid))
        offsets = np.cumsum(counts) - counts
        within = np.arange(len(rep)) - np.repeat(offsets, counts)
        ids = self.next_pid[rep] + within
        self.next_pid += counts
        return ids

    def _append(self, columns: dict[str, np.ndarray]) -> None:
        added = len(columns["rep"])
        size = self._size + added
        capacity = len(self._buffers["rep"])
        if size > capacity:
            grown = max(size, 2 * capacity)
            for name, buffer in self._buffers.items():
                bigger = np.empty(grown, dtype=buffer.dtype)
                bigger[: self._size] = buffer[: self._size]
                self._buffers[name] = bigger
        for name, values in columns.items():
            self._buffers[name][self._size : size] = values
        self._size = size
        self._set_views()

    def _compact_now_and_then(self) -> None:
        """Rows of cases that left are inert (t_next is inf); drop them once they add up."""
        if self._dead <= COMPACT_AT * self._size:
            return
        keep = np.flatnonzero(self.pid != LEFT)
        for buffer in self._buffers.values():
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
        if len(self.replications) == 1:
            return batch.take(np.argsort(batch.time_us, kind="stable"))
        return batch.take(np.lexsort((batch.time_us, batch.replication)))
