"""Each replication's own model: its own parameter draw, its own path of inflow deviation.

With `simulatie.parameteronzekerheid = true` a run's bands show estimation error as well as
chance: replication r draws its parameters (see `scenario.uncertainty.draw_parameters`) from
`parameter_seed(seed, r)` and runs on a model compiled from them.

A parameter file with `[instroom.schommeling]` adds persistent shifts of inflow (economy,
policy): replication r draws a path eta_1..eta_M = a_t + w_t and multiplies month t's expected
inflow of the file's entry cells by exp(a_t - Var(a_t) / 2) max(1 + w_t, 0) / c_t. The path is

    a_t = rho^t start + g_t u_t,   u_t = rho u_(t-1) + eps_t,   eps_t ~ N(0, sigma^2),
    u_0 ~ N(0, start_sd^2),   w_t = w_(t-1) + N(0, tau_t^2), w_0 = 0,
    v_t = Var(eta_t) = g_t^2 Var(u_t) + tau_1^2 + ... + tau_t^2,
    Var(u_t) = sigma^2 (1 + rho^2 + ... + rho^(2(t-1))) + rho^(2t) start_sd^2,

with `start` and `start_sd` the deviation the calibration's last months show (Kalman-filtered,
`estimation.aggregate.deviation`; 0 when not given) and g_t the file's `inflatie` for month t
(1 without it) and tau_t its `wandeling_sd_per_maand` (0 without it), a level that wanders;
both calibrated on out-of-sample errors by `estimation.bands`. The AR(1) enters as a lognormal
factor, the wandering level in proportion (c_t = E[max(1 + w_t, 0)], `walk_factors`): the
widening makes its variance large (0.5 after 15 months nationally), and a lognormal factor that
large would pull the median caseload far below the mean the band is calibrated around. Both
keep E[multiplier] = exp(rho^t start): the expected inflow is the file's, moved by what the
deviation at the start leaves; the median caseload lies a little below the mean. When the run
draws parameters and the file gives [intervallen] for sd_per_maand and persistentie, every
replication draws sigma (lognormal) and rho (normal, clipped to [0, 1]) from them first, from
`deviation_parameter_seed(seed, r, k)`. The path comes from `deviation_seed(seed, r, k)`, k
numbering the scenario's parameter files in order of first use, so it does not depend on
workers, on the parameter draw, or on the horizon (a longer horizon extends the same path), and
two scenarios on the same files get the same path for replication r (common random numbers in
`simbijstand compare`). Statushouders keep their own expected entries: their deviation is the
quota's, not the economy's.

Gemeenten that name the same parameter file share its draw and its path, as they share its
estimate. Files that declare the same shared component (`gedeeld` in [[onzekerheid]]) draw the
same standard normals for it in replication r, from `shared_seed(seed, r, name)` (`SharedDraws`):
a national year that every gemeente has in common, while their own blocks stay independent.

The hazard tables are shared by all replications of a batch, so replications with
their own model run one per batch. Compiling a model takes about a millisecond; what costs is
losing the batching: a small gemeente runs about 8 times slower (basis-gekalibreerd, 200
replications: 2.6 s against 20.6 s on one core, benchmarks/parameter_uncertainty.py), a national
run not at all (it runs one replication per batch anyway).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np

from simbijstand.engine.arrays import Floats
from simbijstand.engine.model import CompiledModel, compile_model
from simbijstand.engine.streams import (
    deviation_parameter_seed,
    deviation_seed,
    parameter_seed,
    shared_seed,
)
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialState
from simbijstand.scenario.schema import Interval, ParameterFile, Schommeling
from simbijstand.scenario.uncertainty import draw_parameters, normal_factors

DEVIATION_KEY = "instroom.schommeling"


@dataclass(frozen=True, slots=True)
class ReplicationModels:
    """Builds replication r's model: its parameter draw (when `parameters_drawn`) and its paths
    of inflow deviation (for every parameter file with an active [instroom.schommeling])."""

    scenario: Scenario
    initial: dict[str, InitialState]
    seed: int
    parameters_drawn: bool

    def parameters(self, replication: int) -> dict[str, ParameterFile]:
        """Replication r's parameters per gemeente."""
        rng = np.random.default_rng(parameter_seed(self.seed, replication))
        shared = SharedDraws(self.seed, replication)
        drawn: dict[Path, ParameterFile] = {}
        result = {}
        for gemeente in self.scenario.gemeenten:
            path = _parameter_path(self.scenario, gemeente)
            if path not in drawn:
                drawn[path] = draw_parameters(self.scenario.parameters[gemeente], rng, shared)
            result[gemeente] = drawn[path]
        return result

    def model(self, replication: int, base: CompiledModel) -> CompiledModel:
        """Replication r's model; `base` is the run's model of the point estimates."""
        model = base
        if self.parameters_drawn:
            scenario = dataclasses.replace(self.scenario, parameters=self.parameters(replication))
            model = compile_model(scenario, self.initial)
        factors = self.inflow_factors(replication, model)
        if factors is None:
            return model
        return dataclasses.replace(model, inflow_mean=model.inflow_mean * factors)

    def inflow_factors(self, replication: int, model: CompiledModel) -> Floats | None:
        """Replication r's inflow multipliers [month, cell], or None when no file deviates."""
        gemeente_file = [_parameter_path(self.scenario, g) for g in self.scenario.gemeenten]
        cell_file = [gemeente_file[g] for g in model.cell_gemeente]
        factors = None
        for k, (path, params) in enumerate(parameter_files(self.scenario).items()):
            deviation = params.instroom.schommeling
            if deviation is None or not is_active(deviation):
                continue
            if self.parameters_drawn:
                rng = np.random.default_rng(deviation_parameter_seed(self.seed, replication, k))
                deviation = draw_deviation(deviation, params.intervallen, rng)
            rng = np.random.default_rng(deviation_seed(self.seed, replication, k))
            if factors is None:
                factors = np.ones((model.months, model.cells))
            cells = [c for c, p in enumerate(cell_file) if p == path]
            factors[:, cells] = inflow_multipliers(deviation, model.months, rng)[:, None]
        return factors


@dataclass(slots=True)
class SharedDraws:
    """Replication r's standard normals of each shared component, drawn once and handed to
    every file that declares it: antithetic pairs, u from `shared_seed(seed, r, name)` for an
    even r and -u of replication r - 1 for an odd one.

    A shared component moves every gemeente of a run at once, so its few draws (one per
    replication) set where every gemeente's median and band fall: with 200 independent draws
    the medians of all 390 gemeenten moved together between seeds (the per-gemeente backtest's
    MAE by 10%). Pairs make the sample of a component symmetric around zero, which removes
    that common shift to first order; each replication's draw is still N(0, 1)."""

    seed: int
    replication: int
    drawn: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def __call__(self, component: str, count: int) -> np.ndarray:
        values = self.drawn.get(component)
        if values is None or len(values) < count:
            # a generator's first k normals do not depend on how many are drawn after them
            first = self.replication - self.replication % 2
            rng = np.random.default_rng(shared_seed(self.seed, first, component))
            sign = -1.0 if self.replication % 2 else 1.0
            values = self.drawn[component] = sign * rng.standard_normal(count)
        return values[:count]


def replication_models(
    scenario: Scenario, initial: dict[str, InitialState], seed: int, *, draw: bool
) -> ReplicationModels | None:
    """Per-replication models when the run draws parameters (`draw`) or a parameter file has
    an active [instroom.schommeling]; None when every replication runs on one model."""
    deviates = any(is_active(p.instroom.schommeling) for p in scenario.parameters.values())
    if not draw and not deviates:
        return None
    return ReplicationModels(scenario, initial, seed, draw)


def is_active(deviation: Schommeling | None) -> bool:
    """Whether a file's [instroom.schommeling] moves inflow at all (sd_per_maand 0 from a start
    of 0 does not: such a run is the same as one without the table)."""
    return deviation is not None and (
        deviation.sd_per_maand > 0
        or deviation.start != 0
        or deviation.start_sd > 0
        or (deviation.inflatie is not None and any(deviation.inflatie.wandeling_sd_per_maand))
    )


def parameter_files(scenario: Scenario) -> dict[Path, ParameterFile]:
    """The scenario's parameter files in order of first use by its gemeenten."""
    files: dict[Path, ParameterFile] = {}
    for gemeente in scenario.gemeenten:
        files.setdefault(_parameter_path(scenario, gemeente), scenario.parameters[gemeente])
    return files


def inflow_multipliers(deviation: Schommeling, months: int, rng: np.random.Generator) -> Floats:
    """exp(a_t - Var(a_t) / 2) x the wandering level's factor for t = 1..months, one path
    (see the module docstring)."""
    # imported here: scipy.signal pulls in scipy.stats, a second of import time in every worker
    # process of every run, and only runs with an inflow deviation need it
    from scipy import signal

    sigma, rho = deviation.sd_per_maand, deviation.persistentie
    shocks = sigma * rng.standard_normal(months)
    # drawn after the shocks, and only when uncertain: files without start_sd keep their paths
    u_0 = deviation.start_sd * rng.standard_normal() if deviation.start_sd > 0 else 0.0
    # lfilter runs u_t = rho u_(t-1) + eps_t; its state carries rho u_0 into month 1
    u: Floats = np.asarray(signal.lfilter([1.0], [1.0, -rho], shocks, zi=[rho * u_0])[0])
    eta = deviation_mean(deviation, months) + inflation_factors(deviation, months) * u
    multipliers: Floats = np.exp(eta - ar_variance(deviation, months) / 2)
    walk = walk_sd(deviation, months)
    if np.any(walk > 0):  # drawn last, and only when wanted: files without it keep their paths
        level = np.cumsum(walk * rng.standard_normal(months))
        multipliers = multipliers * walk_factors(level, np.cumsum(walk**2))
    return multipliers


def walk_factors(level: Floats, variance: Floats) -> Floats:
    """max(1 + w_t, 0) / E[max(1 + w_t, 0)], w_t ~ N(0, variance_t) (`normal_factors`): the
    wandering level enters inflow in proportion, not through exp(w_t - variance_t / 2). The
    widening (`estimation.bands`) solves it for a symmetric band of the caseload, linear in w; a
    lognormal factor with a variance of 0.5 would put the median inflow at exp(-0.25) = 78% of
    the mean and the median caseload far below its expectation. Inflow cannot be negative, so
    w below -1 gives none; dividing by the mean of that keeps the expected inflow."""
    factors: Floats = normal_factors(level, variance)
    return factors


def deviation_mean(deviation: Schommeling, months: int) -> Floats:
    """E[eta_t] = rho^t start for t = 1..months."""
    return deviation.start * deviation.persistentie ** np.arange(1.0, months + 1)


def path_variance(deviation: Schommeling, months: int) -> Floats:
    """v_t = Var(eta_t) for t = 1..months, start uncertainty and inflation included."""
    walk: Floats = np.cumsum(walk_sd(deviation, months) ** 2)
    return ar_variance(deviation, months) + walk


def ar_variance(deviation: Schommeling, months: int) -> Floats:
    """Var(g_t u_t) for t = 1..months: the AR(1) part of v_t, start uncertainty included."""
    rho = deviation.persistentie
    start = deviation.start_sd**2 * rho ** (2.0 * np.arange(1, months + 1))
    own = deviation_variance(deviation.sd_per_maand, rho, months)
    variance: Floats = inflation_factors(deviation, months) ** 2 * (own + start)
    return variance


def inflation_factors(deviation: Schommeling, months: int) -> Floats:
    """g_t for t = 1..months: the `inflatie` factor of the first horizon that reaches month t,
    the last factor after the last horizon; 1 without inflation."""
    if deviation.inflatie is None:
        return np.ones(months)
    return np.array(deviation.inflatie.month_factors(months))


def walk_sd(deviation: Schommeling, months: int) -> Floats:
    """tau_t for t = 1..months: the wandering level's monthly sd (0 without one)."""
    if deviation.inflatie is None:
        return np.zeros(months)
    return np.array(deviation.inflatie.month_walk(months))


def deviation_variance(sigma: float, rho: float, months: int) -> Floats:
    """Var(eta_t) for t = 1..months from eta_0 = 0: sigma^2 (1 + rho^2 + ... + rho^(2(t-1)))."""
    return sigma**2 * np.cumsum(rho ** (2.0 * np.arange(months)))


def draw_deviation(
    deviation: Schommeling, intervals: Mapping[str, Interval], rng: np.random.Generator
) -> Schommeling:
    """sigma and rho drawn from their [intervallen] (estimation uncertainty): log sigma and rho
    normal with the sd that gives the interval's width at its level (the half above the
    estimate when the interval reaches a boundary); rho clipped to [0, 1]. A value without an
    interval (assumed) is kept. Both normals are always drawn, so one's draw does not shift the
    other's."""
    z_sigma, z_rho = rng.standard_normal(2)
    sigma, rho = deviation.sd_per_maand, deviation.persistentie
    interval = intervals.get(f"{DEVIATION_KEY}.sd_per_maand")
    if interval is not None and sigma > 0 and interval.hoog > sigma:
        z = stats_z(interval.niveau)
        low = math.log(interval.laag) if interval.laag > 0 else None
        high = math.log(interval.hoog)
        sd = (high - low) / (2 * z) if low is not None else (high - math.log(sigma)) / z
        sigma = min(sigma * math.exp(sd * z_sigma), 1.0)
    interval = intervals.get(f"{DEVIATION_KEY}.persistentie")
    if interval is not None and interval.hoog > interval.laag:
        sd = (interval.hoog - interval.laag) / (2 * stats_z(interval.niveau))
        rho = min(max(rho + sd * z_rho, 0.0), 1.0)
    return deviation.model_copy(update={"sd_per_maand": sigma, "persistentie": rho})


def stats_z(level: float) -> float:
    """The standard normal quantile of a central interval at `level` (0.95 -> 1.96)."""
    return float(NormalDist().inv_cdf((1 + level) / 2))


def _parameter_path(scenario: Scenario, gemeente: str) -> Path:
    return Path(scenario.spec.gemeenten[gemeente].parameters)
