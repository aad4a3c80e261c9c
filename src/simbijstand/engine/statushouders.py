"""Statushouders entering the caseload under the national housing quota (taakstelling).

Each half year h the gemeente houses Q_h x aandeel refugees with a permit, evenly over the half
year; a share (instroomkans) enters the caseload after an exponential delay with mean tau. The
entry moment T = U + D (U uniform on [s, e), D exponential) has CDF

    G(t) = [min(t, e) - s - tau (exp(-(t - min(t, e)) / tau) - exp(-(t - s) / tau))] / (e - s)

for t >= s (with tau = 0 the uniform CDF), so the expected entries in a month are the quota's
share times the increase of G over the month. Entries are Poisson per month, at moments uniform
within the month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_MONTH
from simbijstand.engine.arrays import Floats, Ints
from simbijstand.engine.layout import CellLayout
from simbijstand.engine.streams import Purpose, ReplicationStreams, poisson_quantile
from simbijstand.scenario import Scenario
from simbijstand.scenario.paths import half_year_bounds


def expected_entries(
    scenario: Scenario,
    layout: CellLayout,
    boundaries: Floats,
    to_days: Callable[[dt.date], float],
) -> Floats:
    """Expected statushouders entering the caseload per month and cell [M, C]."""
    table = np.zeros((len(boundaries) - 1, layout.size))
    sh = scenario.spec.statushouders
    if sh is None:
        return table
    tau = sh.vertraging_maanden * DAYS_PER_MONTH
    for key, quota in sh.taakstelling.items():
        first, after = (to_days(d) for d in half_year_bounds(key))
        per_month = np.diff(_entry_cdf(boundaries, first, after, tau)) * quota * sh.instroomkans
        for gemeente, share in sh.aandeel.items():
            cell = layout.cell_of(scenario.gemeenten.index(gemeente), sh.klantgroep)
            table[:, cell] += per_month * share
    return table


def _entry_cdf(t: Floats, first: float, after: float, tau: float) -> Floats:
    housed = np.clip(t, first, after) - first
    if tau == 0:
        return housed / (after - first)
    waited = np.exp(-(t - np.minimum(t, after)) / tau) - np.exp(-np.maximum(t - first, 0) / tau)
    return np.where(t > first, (housed - tau * waited) / (after - first), 0.0)


def statushouder_arrivals(
    entries: Floats, boundaries: Floats, streams: ReplicationStreams, month: int
) -> tuple[Ints, Ints, Floats]:
    """(local replication, cell, moment) of the month's entering statushouders."""
    mean = entries[month]
    reps, cells = len(streams), len(mean)
    rep = np.repeat(np.arange(reps), cells)
    cell = np.tile(np.arange(cells), reps)
    subject = month * 2**16 + cell
    uniform = streams.uniforms(rep, Purpose.STATUSHOUDERS, subject, 0).reshape(reps, cells)
    counts = poisson_quantile(uniform, mean).ravel()
    rep, cell = np.repeat(rep, counts), np.repeat(cell, counts)
    within = np.arange(len(cell)) - np.repeat(np.cumsum(counts) - counts, counts)
    position = streams.uniforms(rep, Purpose.STATUSHOUDERS, month * 2**16 + cell, within + 1)
    moment = boundaries[month] + position * (boundaries[month + 1] - boundaries[month])
    order = np.lexsort((moment, rep))
    return rep[order], cell[order], moment[order]
