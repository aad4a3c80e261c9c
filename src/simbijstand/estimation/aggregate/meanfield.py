"""The engine's model without chance: expected stocks and flows, month by month.

The estimators compare counts with what this deterministic version of the engine expects. It
follows the engine's model exactly except for two approximations stated below.

State. x[j, g] is the expected number of cases in klantgroep g whose time on benefit lies in
duration cell j, [j, j + 1) months; the last cell J (the last edge of duurbanden_maanden, in whole
months) holds every duration >= J, the open last band.

Within duration band b the klantgroep process is a continuous-time Markov chain with generator
(per month, here 365.25 / 12 days)

    Q_b = D - diag(sum_r h_gbr + sum_h D_gh)

with D_gh the doorstroom hazard from g to h and h_gbr the uitstroom hazard of route r. With
e(t) = expm(Q t), the Van Loan block exponential gives F(t) = int_0^t e(s) ds and
G(t) = int_0^t F(s) ds in one call.

One month. A case in cell j moves to cell j + 1 (cell J stays J). Taking cases as spread
uniformly over their cell (approximation 1; the true density tilts by the hazard, a few percent
within a month), with u = duration - j ~ U[0, 1):

- no band edge at j + 1:  T_j = e_b(1),  exposure X_j = F_b(1);
- an edge at j + 1 (band b to b'):  T_j = E_u[e_b(1 - u) e_b'(u)],
  exposure in b: E_u[F_b(1 - u)], in b': E_u[e_b(1 - u) F_b'(u)]
  (means over u by Gauss-Legendre quadrature).

New cases arrive uniformly within the month in entry group pi: at the month's end they add
pi F_0(1) to cell 0, and their exposure in the month is pi G_0(1). Expected uitstroom by route r
in the month is sum over groups of exposure_gb x h_gbr; doorstroom g -> h likewise with D.
Hazards act over the month's calendar days, as in the engine (`MonthOperator(rates, days)`);
approximation 2: a case moves one duration cell per calendar month, so the duration bookkeeping
is off by up to 1.5 days (months of 28 to 31 days against 30.44 on average).

Initial durations. For a caseload given as counts per klantgroep the engine draws each case's
time on benefit from the steady-state profile S_g(d) = exp(-int_0^d H_g) of the group's total
hazard H_g (uitstroom plus doorstroom); `initial_state` puts the same profile into cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from simbijstand.estimation.errors import EstimationError
from simbijstand.scenario.schema import ParameterFile

MONTHS_PER_YEAR = 12.0
QUADRATURE_NODES = 4
TAYLOR_TERMS = 18  # |q t| <= 1/2 after scaling: the remainder is below 1e-21
# An open last band with zero hazard has no finite mean duration; the engine caps it at 10 years.
OPEN_BAND_CAP_MONTHS = 120.0


@dataclass(frozen=True, slots=True)
class GroupRates:
    """Hazards of the klantgroepen of one gemeente, per year, as the engine uses them.

    exit: [G, B, R], the uitstroom hazard per klantgroep, duration band and route (duur_factor
    included); doorstroom: [G, G], from row to column (zero diagonal); entry: [G], the shares of
    new cases per klantgroep; edges: lower edges of the duration bands in whole months.
    """

    exit: np.ndarray
    doorstroom: np.ndarray
    entry: np.ndarray
    edges: tuple[int, ...]

    @property
    def groups(self) -> int:
        return self.exit.shape[0]

    @property
    def bands(self) -> int:
        return len(self.edges)

    @property
    def cells(self) -> int:
        return self.edges[-1] + 1

    def band_of_cell(self) -> np.ndarray:
        """Band index of every duration cell 0..J."""
        return np.searchsorted(np.array(self.edges), np.arange(self.cells), side="right") - 1


def whole_month_edges(edges: list[float] | tuple[float, ...]) -> tuple[int, ...]:
    """Duration band edges as whole months; the expected-flow model needs them whole."""
    whole = tuple(round(e) for e in edges)
    if any(abs(e - w) > 1e-9 for e, w in zip(edges, whole, strict=True)):
        raise EstimationError(
            f"duurbanden_maanden {list(edges)}: calibration needs band edges in whole months"
        )
    return whole


@dataclass(frozen=True, slots=True)
class MonthStep:
    """What one month does to a state: the new state, uitstroom [G, R], doorstroom [G, G]."""

    state: np.ndarray
    uitstroom: np.ndarray
    doorstroom: np.ndarray


class MonthOperator:
    """The transition of `GroupRates` over one month of `days` days, precomputed once."""

    def __init__(self, rates: GroupRates, days: float = DAYS_PER_MONTH) -> None:
        self.rates = rates
        per_month = rates.exit * days / DAYS_PER_YEAR  # [G, B, R] over this month
        self._exit_month = per_month
        self._door_month = rates.doorstroom * days / DAYS_PER_YEAR
        generators = _generators(per_month, self._door_month)
        self.transition, self.exposure, entry = _cell_operators(rates, generators)
        self.entry_state = rates.entry @ entry[0]  # [G] at the month's end, in cell 0
        self.entry_exposure = rates.entry @ entry[1]  # [G] in band 0
        cells, _, groups = self.exposure.shape[:3]
        self._exposure_flat = self.exposure.transpose(0, 2, 1, 3).reshape(cells * groups, -1)

    def step(self, state: np.ndarray, inflow: float | np.ndarray) -> MonthStep:
        """Advance `state` [..., J+1, G] by one month with `inflow` new cases (expected; a
        number, or one per leading index of `state`)."""
        lead = state.shape[:-2]
        cells, groups = state.shape[-2:]
        moved = np.matmul(state[..., :, None, :], self.transition)[..., 0, :]
        new = np.empty_like(state)
        new[..., 1:, :] = moved[..., :-1, :]
        new[..., 0, :] = 0.0
        new[..., -1, :] += moved[..., -1, :]
        inflow = np.asarray(inflow, dtype=float)[..., None]
        new[..., 0, :] += inflow * self.entry_state
        exposure = (state.reshape(*lead, cells * groups) @ self._exposure_flat).reshape(
            *lead, -1, groups
        )  # [..., B, G]
        exposure[..., 0, :] += inflow * self.entry_exposure
        uitstroom = np.einsum("...bg,gbr->...gr", exposure, self._exit_month)
        doorstroom = exposure.sum(axis=-2)[..., :, None] * self._door_month
        return MonthStep(new, uitstroom, doorstroom)


def exp_integrals(q: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """e(t) = expm(q t), F(t) = int_0^t e(s) ds, G(t) = int_0^t F(s) ds for pairs (q_k, t_k).

    `q` is [K, n, n] (or [n, n] for all times), `times` [K]. Taylor series after scaling t by
    2^-s so that |q t| <= 1/2, then s doublings with e(2t) = e(t)^2, F(2t) = F(t) + e(t) F(t),
    G(2t) = 2 G(t) + t F(t) + (e(t) - I) G(t). (scipy's expm of the Van Loan block matrix gives
    the same, but is ~30 times slower on these small, structured matrices.)
    """
    times = np.asarray(times, dtype=float)
    q = np.broadcast_to(q, (len(times), *q.shape[-2:]))
    n = q.shape[-1]
    norm = float((np.abs(q).sum(axis=-2).max(axis=-1) * times).max(initial=0.0))
    squarings = max(0, int(np.ceil(np.log2(norm / 0.5)))) if norm > 0.5 else 0
    tau = times[:, None, None] / 2.0**squarings
    a = tau * q
    identity = np.broadcast_to(np.eye(n), a.shape)
    term = identity.copy()
    e, f, g = identity.copy(), identity.copy(), identity / 2.0
    for k in range(1, TAYLOR_TERMS):
        term = term @ a / k  # a^k / k!
        e = e + term
        f = f + term / (k + 1)
        g = g + term / ((k + 1) * (k + 2))
    f, g = f * tau, g * tau**2
    for _ in range(squarings):
        g = 2 * g + tau * f + (e - identity) @ g
        f = f + e @ f
        e = e @ e
        tau = 2 * tau
    return e, f, g


def _generators(exit_month: np.ndarray, door_month: np.ndarray) -> np.ndarray:
    """Q_b [B, G, G] of every duration band."""
    groups, bands, _ = exit_month.shape
    generators = np.repeat(door_month[None], bands, axis=0)
    leave = exit_month.sum(axis=2).T + door_month.sum(axis=1)[None, :]  # [B, G]
    generators[:, np.arange(groups), np.arange(groups)] -= leave
    return generators


def _cell_operators(
    rates: GroupRates, generators: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """T [J+1, G, G] and exposure X [J+1, B, G, G] of every duration cell for one month, and
    (F_0(1), G_0(1)) of band 0 for new cases."""
    groups, bands, cells = rates.groups, rates.bands, rates.cells
    band = rates.band_of_cell()
    u, w = _NODES, _WEIGHTS
    crossing = np.flatnonzero(band[:-1] != band[1:])  # cells with a band edge at j + 1
    # one batched call: every band at t = 1, then per crossing (1 - u) in b and u in b'
    q = [generators[b][None] for b in range(bands)]
    t = [np.ones(bands)]
    for j in crossing:
        q += [np.repeat(generators[band[j]][None], len(u), 0)]
        q += [np.repeat(generators[band[j + 1]][None], len(u), 0)]
        t += [1 - u, u]
    e, f, g = exp_integrals(np.concatenate(q), np.concatenate(t))
    transition = np.zeros((cells, groups, groups))
    exposure = np.zeros((cells, bands, groups, groups))
    for b in range(bands):
        inside = band == b
        inside[: cells - 1] &= band[1:] == b  # cells whose next month stays in band b
        transition[inside] = e[b]
        exposure[inside, b] = f[b]
    for i, j in enumerate(crossing):
        before = slice(bands + 2 * i * len(u), bands + (2 * i + 1) * len(u))
        after = slice(before.stop, before.stop + len(u))
        transition[j] = np.einsum("k,kgh,khi->gi", w, e[before], e[after])
        exposure[j, band[j]] = np.einsum("k,kgh->gh", w, f[before])
        exposure[j, band[j + 1]] = np.einsum("k,kgh,khi->gi", w, e[before], f[after])
    return transition, exposure, np.stack([f[0], g[0]])


_NODES, _WEIGHTS = (
    (np.polynomial.legendre.leggauss(QUADRATURE_NODES)[0] + 1) / 2,
    np.polynomial.legendre.leggauss(QUADRATURE_NODES)[1] / 2,
)


def steady_profile(rates: GroupRates) -> np.ndarray:
    """Share of each klantgroep's cases per duration cell [J+1, G] in the engine's profile.

    The density of time on benefit is proportional to S_g(d) = exp(-int_0^d H_g), H_g the
    group's total hazard (uitstroom and doorstroom) per band; the cell masses integrate it.
    """
    total = (rates.exit.sum(axis=2) + rates.doorstroom.sum(axis=1)[:, None]) / MONTHS_PER_YEAR
    band = rates.band_of_cell()
    hazard = total[:, band].T  # [J+1, G] per month
    closed = hazard[:-1]
    survival_at = np.vstack([np.zeros((1, rates.groups)), np.cumsum(closed, axis=0)])
    start = np.exp(-survival_at)  # S at the lower edge of every cell
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(closed > 0, -np.expm1(-closed) / closed, 1.0)
        tail = np.where(hazard[-1] > 0, 1.0 / hazard[-1], OPEN_BAND_CAP_MONTHS)
    mass = np.vstack([start[:-1] * inside, start[-1] * tail])
    return mass / mass.sum(axis=0, keepdims=True)


def initial_state(rates: GroupRates, counts: np.ndarray) -> np.ndarray:
    """State [J+1, G] of `counts` [G] cases spread over durations by `steady_profile`."""
    return steady_profile(rates) * np.asarray(counts, dtype=float)[None, :]


def stationary_stock(rates: GroupRates) -> np.ndarray:
    """Cases per klantgroep in the steady state of one new case a month: sum over cohorts."""
    operator = MonthOperator(rates)
    x = operator.entry_state.copy()
    total = np.zeros_like(x)
    transition = operator.transition
    for j in range(rates.cells - 1):
        total += x
        x = x @ transition[j]
    # the open last cell: x (I + T + T^2 + ...) = x (I - T)^-1
    open_cell = np.linalg.pinv(np.eye(len(x)) - transition[-1])
    return total + np.clip(x @ open_cell, 0, None)


def rates_from_parameters(params: ParameterFile) -> GroupRates:
    """The hazards of a parameter file as `GroupRates` (routes in the file's order)."""
    groups = list(params.klantgroepen)
    edges = whole_month_edges(params.duurbanden_maanden)
    exit_rates = np.zeros((len(groups), len(edges), len(params.routes)))
    doorstroom = np.zeros((len(groups), len(groups)))
    for g, name in enumerate(groups):
        group = params.klantgroepen[name]
        factor = np.asarray(group.duur_factor if group.duur_factor is not None else 1.0)
        for route, share in group.uitstroom_routes.items():
            exit_rates[g, :, params.routes.index(route)] = group.uitstroom_per_jaar * share * factor
        for target, rate in group.doorstroom_per_jaar.items():
            doorstroom[g, groups.index(target)] = rate
    entry = np.array([params.instroom.klantgroepen.get(name, 0.0) for name in groups])
    return GroupRates(exit_rates, doorstroom, entry, edges)
