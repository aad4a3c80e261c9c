"""The cases on benefit, as columns, and the exact sampler that moves them through time.

A case's hazard depends on its state (cell, duration band, modifier) and the calendar month; all
cases in one state share the same cumulative hazard Λ(t) over calendar time, a piecewise-linear
function the model tabulates at month starts. When a case enters a state at t0 with a
unit-exponential clock E, its next event happens exactly where Λ(t) reaches Λ(t0) + E; if the case
first reaches the end of its duration band, the unused part of the clock carries over into the
next band's Λ, and so on. Each case is therefore touched only at its own events, never month by
month. The event's type (exit route or target klantgroep) is drawn in proportion to the hazards of
the month it falls in (competing exponential risks); after a move to another klantgroep, and when
its modifier changes (a measure starts or ends, the statushouder phase ends), the case draws a
fresh clock, which by memorylessness leaves the law of its future unchanged. All cases of all
replications in a batch move together; every draw comes from the case's own random stream.

Index columns are int64 on purpose: numpy gathers with int32 indices are several times slower.
Hot paths select by mask with `compress`: numpy's `x[mask]` is up to 4x slower on mixed masks.
The class is long because every transition touches the same columns; their storage lives in
`columns`, the measures' intake rules in `measures`.
"""

from __future__ import annotations

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_YEAR
from simbijstand.domain.events import AFGEROND, NIET_GESTART, UITSTROOM_IN_TRAJECT, EventKind
from simbijstand.engine.ages import AgeModel, aow_moments, birth_moments
from simbijstand.engine.arrays import Bools, Codes, Floats, Int32s, Ints
from simbijstand.engine.columns import ColumnStore
from simbijstand.engine.events import NO_CODE, EventBatch, chronological
from simbijstand.engine.model import MICROS_PER_DAY, CompiledModel
from simbijstand.engine.streams import Purpose, ReplicationStreams

INDEX = np.int64
DTYPES = {
    "rep": INDEX,  # local replication
    "cell": INDEX,
    "band": INDEX,  # duration band the case is in at its next change
    "mod": INDEX,  # modifier: statushouder phase and measure phase, see engine.modifiers
    "start": np.float64,  # moment the benefit began, days since the run's start
    "pid": np.int64,  # LEFT once the case has left
    "draws": np.int64,  # how many numbers the case has taken from its stream
    "t_next": np.float64,  # moment of the next event or modifier change; inf when none
    "fires": np.bool_,  # whether t_next is an event (else a modifier change)
    "birth": np.float64,  # moment of birth, days since the run's start (nan without ages)
    "aow_at": np.float64,  # moment the case reaches its AOW age and leaves; inf when not
    "sh_end": np.float64,  # end of the statushouder phase, inf when none
    "phase": INDEX,  # measure phase: 0 none, 1 + j in measure j, 1 + J + j after it
    "phase_end": np.float64,  # end of that phase, inf when none
    "queued": INDEX,  # measure whose queue the case waits in, or -1
    "queued_at": np.float64,
    "seen": np.int64,  # bit j set: the case was considered for measure j (never twice)
}
COLUMNS = tuple(DTYPES)
DEFAULTS = {
    "birth": np.nan,
    "aow_at": np.inf,
    "sh_end": np.inf,
    "phase": 0,
    "phase_end": np.inf,
    "queued": -1,
    "queued_at": np.nan,
    "seen": 0,
}
LEFT = -1
COMPACT_AT = 0.25  # drop rows of cases that left once they are this share of all rows


class Population:
    """Cases of a batch of replications and their next changes."""

    # views of the column store, one per DTYPES entry, set by _set_views
    rep: Ints
    cell: Ints
    band: Ints
    mod: Ints
    start: Floats
    pid: Ints
    draws: Ints
    t_next: Floats
    fires: Bools
    birth: Floats
    aow_at: Floats
    sh_end: Floats
    phase: Ints
    phase_end: Floats
    queued: Ints
    queued_at: Floats
    seen: Ints

    def __init__(
        self, model: CompiledModel, streams: ReplicationStreams, replications: Int32s
    ) -> None:
        self.model = model
        self.streams = streams
        self.replications = replications  # global replication number per local index
        self.bands: int = model.total.shape[2]
        self.kinds = model.modifiers.count
        self.months = model.months
        self.measures = model.modifiers.measures
        self.participants = np.zeros((len(replications), len(self.measures)), dtype=np.int64)
        aow = model.ages is not None and model.ages.aow_route >= 0
        self._has_schedules = model.modifiers.count > 1 or aow
        self._advanced_to = -np.inf  # cases added later start after it, so no event is missed
        states = model.cells * self.bands * self.kinds
        lam = model.cumulative_hazard.reshape(states, model.months + 1)
        rate = model.total.reshape(model.months, states)
        self._cumulative: Floats = model.cumulative.reshape(model.months, states, -1)
        self._last_type: Ints = model.last_type.reshape(model.months, states)
        self._lam_shift: float = lam[:, -1].max() + 1.0
        self._lam_flat = (lam + np.arange(states)[:, None] * self._lam_shift).ravel()
        # Λ and its slope per (state, month) in one flat index, state * (months + 1) + month;
        # month `months` is the horizon's end, where Λ stays put (flat gathers beat 2-D ones)
        self._lam_cells: Floats = lam.ravel()
        self._rate_cells: Floats = np.pad(rate.T, ((0, 0), (0, 1))).ravel()
        self._end: float = model.boundaries[-1]
        self._band_edges: Floats = model.band_edges.ravel()
        self._edges_per_cell: int = model.band_edges.shape[1]
        self._month_of_day: Ints = (
            np.searchsorted(model.boundaries, np.arange(int(self._end) + 1), side="right") - 1
        )
        self.next_pid = np.zeros(len(replications), dtype=np.int64)
        self._pending: list[EventBatch] = []
        self._dead = 0
        self._store = ColumnStore(DTYPES, DEFAULTS)
        self._set_views()

    def __len__(self) -> int:
        return self._store.size

    # --- cases arriving -----------------------------------------------------------------------

    def add(
        self,
        rep: Ints,
        cell: Codes,
        start: Floats,
        arrival: Floats,
        month: int,
        reason: int = NO_CODE,
        statushouder: bool = False,
    ) -> None:
        """Add cases whose benefit began at `start` and who enter the simulation at `arrival`, a
        moment in calendar month `month`; `reason` is the instroom reason (see INSTROOM_REASONS).

        Cases must come grouped by replication and, within one, in the order to number them.
        """
        rep, cell = rep.astype(INDEX), cell.astype(INDEX)
        pid = self._new_ids(rep)
        sh_end = arrival + self.model.modifiers.statushouder_days if statushouder else np.inf
        columns = {
            "rep": rep,
            "cell": cell,
            "band": self._band_at(cell, arrival - start),
            "mod": np.full(len(rep), self.model.modifiers.phases if statushouder else 0),
            "start": start,
            "pid": pid,
            "draws": np.ones(len(rep), dtype=np.int64),  # the start clock below is draw 0
            "sh_end": np.broadcast_to(sh_end, len(rep)),
        }
        rows = self._store.append(columns, len(rep))
        self._set_views()
        if self.model.ages is not None:
            self._give_ages(self.model.ages, rows, arrival)
        clock = -np.log1p(-self.streams.uniforms(rep, Purpose.CASE, pid, 0))
        self._arm(rows, month, arrival, clock)
        no_code = np.full(len(rows), NO_CODE)
        self._record(rep, pid, start, EventKind.INSTROOM, cell, no_code, np.full(len(rows), reason))

    def _give_ages(self, ages: AgeModel, rows: Ints, arrival: Floats) -> None:
        rep, pid = self.rep[rows], self.pid[rows]
        u_band = self.streams.uniforms(rep, Purpose.AGE, pid, 0)
        u_age = self.streams.uniforms(rep, Purpose.AGE, pid, 1)
        self.birth[rows] = birth_moments(ages, self.cell[rows], arrival, u_band, u_age)
        self.aow_at[rows] = aow_moments(ages, self.birth[rows], self._end)

    # --- time passing ---------------------------------------------------------------------------

    def advance_to(self, month: int, moment: float) -> None:
        """Apply every event and modifier change before `moment`, inside calendar month `month`."""
        if moment <= self._advanced_to:
            return  # processes due at one moment each ask; only the first needs a scan
        self._advanced_to = moment
        due = np.flatnonzero(self.t_next < moment)
        while due.size:
            fires = self.fires[due]
            fired = self._fire(month, due.compress(fires))
            changed = np.concatenate([fired, self._end_phases(month, due.compress(~fires))])
            due = np.sort(changed.compress(self.t_next[changed] < moment))

    def flush(self, before: float) -> EventBatch:
        """The recorded events before `before` (days), in time order within each replication."""
        batch = EventBatch.concat(self._pending).typed() if self._pending else EventBatch.empty()
        limit = self.model.boundaries_us[0] + round(before * MICROS_PER_DAY)
        later = batch.time_us >= limit
        self._pending = []
        if not later.any():
            return batch.take(chronological(batch.replication, batch.time_us))
        self._pending = [batch.take(np.flatnonzero(later))]
        now = np.flatnonzero(~later)  # sorted through their indices: one take of the batch
        return batch.take(now[chronological(batch.replication[now], batch.time_us[now])])

    def compact(self) -> None:
        """Drop the rows of cases that left, once they add up (they are inert until then)."""
        if self._dead <= COMPACT_AT * len(self):
            return
        self._store.keep(np.flatnonzero(self.pid != LEFT))
        self._dead = 0
        self._set_views()

    # --- measures (called by the measure processes) ----------------------------------------------

    def alive(self) -> Bools:
        alive: Bools = self.pid != LEFT
        return alive

    def duration_at(self, rows: Ints, moment: float) -> Floats:
        return moment - self.start[rows]

    def age_at(self, rows: Ints, moment: float) -> Floats:
        """Age in years (nan without ages)."""
        return (moment - self.birth[rows]) / DAYS_PER_YEAR

    def measure_choice(self, rows: Ints, measure: int) -> Floats:
        """The uniform each case uses to decide on measure `measure`; apart from its own stream,
        so that a measure nobody can enter leaves every other draw, and so every result, alone."""
        return self.streams.uniforms(
            self.rep[rows], Purpose.MEASURE_CHOICE, self.pid[rows], measure
        )

    def take_numbers(self, rows: Ints) -> Floats:
        """One uniform from each case's own stream."""
        uniform = self.streams.uniforms(
            self.rep[rows], Purpose.CASE, self.pid[rows], self.draws[rows]
        )
        self.draws[rows] += 1
        return uniform

    def enqueue(self, rows: Ints, measure: int, moment: float) -> None:
        self.queued[rows] = measure
        self.queued_at[rows] = moment
        self._emit_traject(rows, moment, EventKind.TRAJECT_WACHT, measure, NO_CODE)

    def start_measure(self, rows: Ints, measure: int, month: int, moment: float) -> None:
        """Move queued cases into measure `measure` at `moment`; they get its hazard modifier."""
        spec = self.measures[measure]
        self.queued[rows] = -1
        self.phase[rows] = 1 + measure
        self.phase_end[rows] = moment + spec.duration_days
        np.add.at(self.participants[:, measure], self.rep[rows], 1)
        self._emit_traject(rows, moment, EventKind.TRAJECT_START, measure, NO_CODE)
        self._restart(rows, month, moment)

    # --- internals ------------------------------------------------------------------------------

    def _arm(self, rows: Ints, month: int, t0: Floats, clock: Floats) -> None:
        """Set the next change of `rows`, which entered their state at `t0` (in calendar month
        `month`) with `clock` left, walking through as many duration bands as the clock lasts."""
        cell, band = self.cell[rows], self.band[rows]
        state = self._state(cell, band, self.mod[rows])
        target = self._lam_at(state, month, t0) + clock
        change, start = self._scheduled_changes(rows), self.start[rows]
        t_next, fires = np.full(len(rows), np.inf), np.zeros(len(rows), dtype=bool)
        final_band = band.copy()
        index = np.arange(len(rows))  # which of `rows` the working arrays still hold
        while index.size:
            band_end = start + self._band_edges.take(cell * self._edges_per_cell + band + 1)
            lam_end = self._lam_until(state, np.minimum(band_end, change))
            event = target < lam_end
            hit = index.compress(event)
            t_next[hit] = self._inverse_lam(state.compress(event), month, target.compress(event))
            fires[hit] = True
            stops = ~event & (change <= band_end) & (change < self._end)
            t_next[index.compress(stops)] = change.compress(stops)
            carry = np.flatnonzero(~event & (band_end < change) & (band_end < self._end))
            index, cell, band = index[carry], cell[carry], band[carry] + 1
            final_band[index] = band
            state = state[carry] + self.kinds  # the next band, same cell and modifier
            target = target[carry] + (self._lam_until(state, band_end[carry]) - lam_end[carry])
            start, change = start[carry], change[carry]
        self.band[rows], self.t_next[rows], self.fires[rows] = final_band, t_next, fires

    def _scheduled_changes(self, rows: Ints) -> Floats:
        """When each case's modifier next changes or it reaches AOW age (inf if never)."""
        if not self._has_schedules:
            return np.full(len(rows), np.inf)
        return np.minimum(np.minimum(self.sh_end[rows], self.phase_end[rows]), self.aow_at[rows])

    def _state(self, cell: Ints, band: Ints, mod: Ints) -> Ints:
        return (cell * self.bands + band) * self.kinds + mod

    def _lam_at(self, state: Ints, month: int, t: Floats) -> Floats:
        cell = state * (self.months + 1) + month
        month_start: float = self.model.boundaries[month]
        return self._lam_cells.take(cell) + self._rate_cells.take(cell) * (t - month_start)

    def _lam_until(self, state: Ints, t: Floats) -> Floats:
        """Each state's Λ at moment t, or at the horizon's end when t lies beyond it."""
        capped = np.minimum(t, self._end)  # keeps inf (an open band) out of the arithmetic
        month = self._month_of_day.take(capped.astype(np.int64))  # month starts are whole days
        cell = state * (self.months + 1) + month
        return self._lam_cells.take(cell) + self._rate_cells.take(cell) * (
            capped - self.model.boundaries.take(month)
        )

    def _inverse_lam(self, state: Ints, month: int, target: Floats) -> Floats:
        """The moment in the horizon at which the state's Λ reaches `target` (< Λ at the end)."""
        # one searchsorted over all states' Λ rows laid end to end, each shifted above the last
        row = state * (self.months + 1)
        position = np.searchsorted(self._lam_flat, target + state * self._lam_shift, side="right")
        k: Ints = np.clip(position - 1 - row, month, self.months - 1)
        cell = row + k
        return self.model.boundaries.take(k) + (
            target - self._lam_cells.take(cell)
        ) / self._rate_cells.take(cell)

    def _fire(self, month: int, rows: Ints) -> Ints:
        """Give `rows` their event; return the rows that moved to another klantgroep."""
        moment = self.t_next[rows]
        types = self._event_types(month, rows, self.take_numbers(rows))
        routes = len(self.model.routes)
        leaves = types < routes
        stays = ~leaves
        self._leave(rows.compress(leaves), moment.compress(leaves), types.compress(leaves))
        movers, moved_at = rows.compress(stays), moment.compress(stays)
        from_cell = self.cell[movers]
        first = self.model.gemeente_first_cell[self.model.cell_gemeente[from_cell]]
        self.cell[movers] = first + types.compress(stays) - routes
        no_code = np.full(movers.size, NO_CODE)
        self._emit(
            movers,
            moved_at,
            EventKind.DOORSTROOM,
            from_cell,
            no_code,
            no_code,
            to_cell=self.cell[movers],
        )
        self._arm(movers, month, moved_at, self._fresh_clocks(movers))
        return movers

    def _leave(self, rows: Ints, moment: Floats, routes: Ints) -> None:
        self._close_measures(rows, moment)
        no_code = np.full(rows.size, NO_CODE)
        self._emit(rows, moment, EventKind.UITSTROOM, self.cell[rows], no_code, routes)
        self.t_next[rows] = np.inf
        self.pid[rows] = LEFT
        if self.measures:
            self.queued[rows], self.phase[rows] = -1, 0  # frees their place and queue position
        self._dead += rows.size

    def _close_measures(self, rows: Ints, moment: Floats) -> None:
        """A benefit that ends also ends its measure, or its wait for one."""
        if not self.measures:
            return
        waiting = rows[self.queued[rows] >= 0]
        for measure in np.unique(self.queued[waiting]):
            these = waiting[self.queued[waiting] == measure]
            self._emit_traject(
                these, moment[np.isin(rows, these)], EventKind.TRAJECT_EINDE, measure, NIET_GESTART
            )
        taking = rows[(self.phase[rows] >= 1) & (self.phase[rows] <= len(self.measures))]
        for measure in np.unique(self.phase[taking] - 1):
            these = taking[self.phase[taking] - 1 == measure]
            np.add.at(self.participants[:, measure], self.rep[these], -1)
            self._emit_traject(
                these,
                moment[np.isin(rows, these)],
                EventKind.TRAJECT_EINDE,
                measure,
                UITSTROOM_IN_TRAJECT,
            )

    def _end_phases(self, month: int, rows: Ints) -> Ints:
        """Changes due at t_next: reaching AOW age (the case leaves), or the end of the
        statushouder phase or of a measure phase. Return the rows still on benefit."""
        retiring = self.aow_at[rows] <= self.t_next[rows]
        if retiring.any():
            self._retire(rows[retiring])
            rows = rows[~retiring]
        moment = self.t_next[rows]
        self.sh_end[rows[self.sh_end[rows] <= moment]] = np.inf
        ending = rows[self.phase_end[rows] <= moment]
        in_measure = ending[self.phase[ending] <= len(self.measures)]
        for measure in np.unique(self.phase[in_measure] - 1):
            these = in_measure[self.phase[in_measure] - 1 == measure]
            np.add.at(self.participants[:, measure], self.rep[these], -1)
            self._emit_traject(
                these, self.phase_end[these], EventKind.TRAJECT_EINDE, measure, AFGEROND
            )
            after = self.measures[measure].after_days
            self.phase[these] = 1 + len(self.measures) + measure if after > 0 else 0
            self.phase_end[these] = self.phase_end[these] + after if after > 0 else np.inf
        after_effect = ending[self.phase[ending] > len(self.measures)]
        after_effect = after_effect[self.phase_end[after_effect] <= self.t_next[after_effect]]
        self.phase[after_effect], self.phase_end[after_effect] = 0, np.inf
        self._restart(rows, month, moment)
        return rows

    def _retire(self, rows: Ints) -> None:
        """Cases that reach their AOW age leave by the AOW route."""
        ages = self.model.ages
        if ages is None:  # only cases given an age (_give_ages) have a finite aow_at
            raise RuntimeError(
                f"day {self.t_next[rows].min():.4f} since the start: {rows.size} case(s) reach "
                f"AOW age (person ids {self.pid[rows][:5].tolist()}), but the model has no ages"
            )
        self._leave(rows, self.t_next[rows], np.full(rows.size, ages.aow_route))

    def _restart(self, rows: Ints, month: int, moment: Floats | float) -> None:
        """Re-arm cases whose modifier changed at `moment`, with a fresh clock from there."""
        moment = np.broadcast_to(moment, rows.shape).astype(np.float64)
        self.band[rows] = self._band_at(self.cell[rows], moment - self.start[rows])
        self.mod[rows] = self._modifier(rows)
        self._arm(rows, month, moment, self._fresh_clocks(rows))

    def _modifier(self, rows: Ints) -> Ints:
        statushouder = np.isfinite(self.sh_end[rows]).astype(INDEX)
        return statushouder * self.model.modifiers.phases + self.phase[rows]

    def _band_at(self, cell: Codes, duration: Floats) -> Ints:
        """The band of each duration: how many of its cell's upper band edges it has reached
        (new benefits, duration 0 or less, start in band 0)."""
        band = np.zeros(len(cell), dtype=INDEX)
        for upper in self.model.band_edges.T[1:]:  # a pass per edge beats a 2-D gather
            band += duration >= upper.take(cell)
        return band

    def _fresh_clocks(self, rows: Ints) -> Floats:
        return -np.log1p(-self.take_numbers(rows))

    def _event_types(self, month: int, rows: Ints, uniform: Floats) -> Ints:
        state = self._state(self.cell[rows], self.band[rows], self.mod[rows])
        cumulative = self._cumulative[month].take(state, axis=0)
        target = uniform * cumulative[:, -1]
        chosen: Ints = (cumulative <= target[:, None]).sum(axis=1)
        last_type: Ints = self._last_type[month].take(state)
        # u * total can round up to total itself; never pick a type with zero hazard then
        return np.minimum(chosen, last_type)

    def _new_ids(self, rep: Ints) -> Ints:
        counts = np.bincount(rep, minlength=len(self.next_pid))
        offsets = np.cumsum(counts) - counts
        within = np.arange(len(rep)) - np.repeat(offsets, counts)
        ids = self.next_pid[rep] + within
        self.next_pid += counts
        return ids

    def _set_views(self) -> None:
        for name, view in self._store.views().items():
            setattr(self, name, view)

    def _emit_traject(
        self,
        rows: Ints,
        moment: Floats | float,
        kind: EventKind,
        measure: int,
        reason: int,
    ) -> None:
        no_code = np.full(rows.size, NO_CODE)
        moment = np.broadcast_to(moment, rows.shape)
        self._emit(
            rows,
            moment,
            kind,
            self.cell[rows],
            no_code,
            np.full(rows.size, reason),
            traject=measure,
        )

    def _emit(
        self,
        rows: Ints,
        moment: Floats,
        kind: EventKind,
        cell: Codes,
        from_cell: Codes,
        route: Codes,
        *,
        to_cell: Codes | None = None,
        traject: int = NO_CODE,
    ) -> None:
        """Record events; for a doorstroom `cell` is where the case came from, `to_cell` where
        it went."""
        if rows.size == 0:
            return
        after, before = (to_cell, cell) if to_cell is not None else (cell, from_cell)
        self._record(self.rep[rows], self.pid[rows], moment, kind, after, before, route, traject)

    def _record(
        self,
        rep: Ints,
        pid: Ints,
        moment: Floats,
        kind: EventKind,
        cell: Codes,
        from_cell: Codes,
        route: Codes,
        traject: int = NO_CODE,
    ) -> None:
        model = self.model
        time_us = model.boundaries_us[0] + np.rint(moment * MICROS_PER_DAY).astype(np.int64)
        # rounding must not push an event past the horizon, where no fold would count it
        np.minimum(time_us, model.boundaries_us[-1] - 1, out=time_us)
        # columns keep their working dtypes here; `flush` converts once per batch
        self._pending.append(
            EventBatch(
                replication=self.replications[rep],
                time_us=time_us,
                person_id=pid,
                kind=np.full(len(rep), kind, dtype=np.int8),
                cell=cell,
                from_cell=from_cell,
                route=route,
                traject=np.full(len(rep), traject, dtype=np.int16),
            )
        )
