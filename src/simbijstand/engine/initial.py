"""The caseload at the start date: who is on benefit, in which klantgroep, since when.

When the initial state gives counts without durations, each case's time on benefit is drawn from
the steady-state profile its klantgroep's hazards imply: with constant inflow, the density of the
duration of cases present is proportional to the survival function S(d), which is exponential
within each duration band. A count given per band draws the duration within that band from the
same profile.
"""

from __future__ import annotations

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_YEAR
from simbijstand.engine.arrays import Floats, Int32s, Ints
from simbijstand.engine.model import CompiledModel
from simbijstand.engine.streams import Purpose, ReplicationStreams

# An open last band with zero hazard has no finite mean; cap its width at this many days.
OPEN_BAND_CAP_DAYS = 10 * DAYS_PER_YEAR


def initial_cases(model: CompiledModel, streams: ReplicationStreams) -> tuple[Ints, Int32s, Floats]:
    """(local replication, cell, benefit start in days) of every initial case of every
    replication."""
    reps = len(streams)
    cell, band = _template(model)
    rep = np.repeat(np.arange(reps), len(cell))
    index = np.tile(np.arange(len(cell)), reps)
    uniform = np.stack(
        [streams.uniforms(rep, Purpose.INITIAL, index, counter) for counter in (0, 1)], axis=1
    )
    drawn = _draw_durations(model, np.tile(cell, reps), np.tile(band, reps), uniform)
    known_cell, known_start = model.initial_cases_cell, model.initial_cases_start
    per_rep = len(cell) + len(known_cell)
    start = np.concatenate([-drawn.reshape(reps, -1), np.tile(known_start, (reps, 1))], axis=1)
    all_cell = np.tile(np.concatenate([cell, known_cell]), reps)
    return np.repeat(np.arange(reps), per_rep), all_cell, start.ravel()


def _template(model: CompiledModel) -> tuple[Int32s, Int32s]:
    """One replication's initial cases as (cell, band or -1 when unknown)."""
    counts = model.initial_counts
    unknown = counts.shape[1] - 1
    cells, bands = np.nonzero(counts)
    repeats = counts[cells, bands]
    band = np.where(bands == unknown, -1, bands)
    return np.repeat(cells, repeats).astype(np.int32), np.repeat(band, repeats).astype(np.int32)


def _draw_durations(model: CompiledModel, cell: Int32s, band: Int32s, uniform: Floats) -> Floats:
    hazard = model.total[0, :, :, 0]  # per day, at the start's calendar month, no modifier
    edges = model.band_edges
    width = np.diff(edges, axis=1)
    mass = _band_mass(hazard, width)
    unknown = band < 0
    chosen = band.astype(np.int64)
    chosen[unknown] = _choose(mass, cell[unknown], uniform[unknown, 0])
    # flat int64 gathers: 2-D ones with int32 cells were most of this function's time
    row = cell.astype(np.int64) * width.shape[1] + chosen
    h = np.ascontiguousarray(hazard).ravel().take(row)
    w = width.ravel().take(row)
    start: Floats = edges.ravel().take(row + cell)  # edges have one column more than bands
    return start + _truncated_exponential(h, w, uniform[:, 1])


def _band_mass(hazard: Floats, width: Floats) -> Floats:
    """Integral of the survival function over each band, per cell [C, B]."""
    finite = np.where(np.isfinite(width), width, 0.0)
    survival_at_edge = np.exp(
        -np.concatenate(
            [np.zeros((len(hazard), 1)), np.cumsum(hazard * finite, axis=1)[:, :-1]], axis=1
        )
    )
    capped = np.where(np.isfinite(width), width, OPEN_BAND_CAP_DAYS)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(
            hazard > 0,
            np.where(np.isfinite(width), -np.expm1(-hazard * finite), 1.0) / hazard,
            capped,
        )
    # bands beyond a gemeente's last one are padding: both edges infinite
    return np.where(np.isnan(width), 0.0, survival_at_edge * inside)


def _choose(mass: Floats, cell: Int32s, uniform: Floats) -> Ints:
    """A band per case, with probability proportional to its cell's band masses: the first band
    whose cumulative mass exceeds the uniform times the total (searchsorted, side right, per
    cell), counted for all cases at once instead of in a loop over cells."""
    cumulative = np.cumsum(mass, axis=1)  # [C, B], non-decreasing along each row
    threshold = uniform * cumulative[cell, -1]
    picked = np.zeros(len(cell), dtype=np.int64)
    for band in range(cumulative.shape[1]):  # a few bands, not hundreds of cells
        picked += cumulative[cell, band] <= threshold
    chosen: Ints = np.minimum(picked, cumulative.shape[1] - 1)
    return chosen


def _truncated_exponential(hazard: Floats, width: Floats, uniform: Floats) -> Floats:
    """Draw from an exponential with rate `hazard` truncated to [0, width) (width may be inf)."""
    capped = np.where(np.isfinite(width), width, OPEN_BAND_CAP_DAYS)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tail = np.where(
            np.isfinite(width), np.expm1(-hazard * np.where(np.isfinite(width), width, 0.0)), -1.0
        )
        exponential = -np.log1p(uniform * tail) / hazard
    return np.where(hazard > 0, exponential, uniform * capped)
