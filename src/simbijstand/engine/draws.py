"""Each replication's own model: its own parameter draw, its own path of inflow deviation.

With `simulatie.parameteronzekerheid = true` a run's bands show estimation error as well as
chance: replication r draws its parameters (see `scenario.uncertainty.draw_parameters`) from
`parameter_seed(seed, r)` and runs on a model compiled from them.

A parameter file with `[instroom.schommeling]` (sd_per_maand > 0) adds persistent shifts of
inflow (economy, policy): replication r draws a path eta_1..eta_M of the AR(1)
eta_t = rho eta_(t-1) + eps_t, eps_t ~ N(0, sigma^2), eta_0 = 0, and multiplies month t's
expected inflow of the file's entry cells by exp(eta_t - v_t / 2), v_t = Var(eta_t) =
sigma^2 (1 + rho^2 + ... + rho^(2(t-1))). The correction keeps E[multiplier] = 1: the expected
inflow, and with it the expected caseload, is the file's; the median caseload lies a little
below it (by about v_t / 2 of the inflow since the start). The path comes from
`deviation_seed(seed, r, k)`, k numbering the scenario's parameter files in order of first
use, so it does not depend on workers, on the parameter draw, or on the horizon (a longer
horizon extends the same path), and two scenarios on the same files get the same path for
replication r (common random numbers in `simbijstand compare`). Statushouders keep their own
expected entries: their deviation is the quota's, not the economy's.

Gemeenten that name the same parameter file share its draw and its path, as they share its
estimate. The hazard tables are shared by all replications of a batch, so replications with
their own model run one per batch. Compiling a model takes about a millisecond; what costs is
losing the batching: a small gemeente runs about 8 times slower (basis-gekalibreerd, 200
replications: 2.6 s against 20.6 s on one core, benchmarks/parameter_uncertainty.py), a national
run not at all (it runs one replication per batch anyway).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simbijstand.engine.arrays import Floats
from simbijstand.engine.model import CompiledModel, compile_model
from simbijstand.engine.streams import deviation_seed, parameter_seed
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialState
from simbijstand.scenario.schema import ParameterFile, Schommeling
from simbijstand.scenario.uncertainty import draw_parameters


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
        drawn: dict[Path, ParameterFile] = {}
        result = {}
        for gemeente in self.scenario.gemeenten:
            path = _parameter_path(self.scenario, gemeente)
            if path not in drawn:
                drawn[path] = draw_parameters(self.scenario.parameters[gemeente], rng)
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
            rng = np.random.default_rng(deviation_seed(self.seed, replication, k))
            if factors is None:
                factors = np.ones((model.months, model.cells))
            cells = [c for c, p in enumerate(cell_file) if p == path]
            factors[:, cells] = inflow_multipliers(deviation, model.months, rng)[:, None]
        return factors


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
    """Whether a file's [instroom.schommeling] moves inflow at all (sd_per_maand 0 does not:
    such a run is the same as one without the table)."""
    return deviation is not None and deviation.sd_per_maand > 0


def parameter_files(scenario: Scenario) -> dict[Path, ParameterFile]:
    """The scenario's parameter files in order of first use by its gemeenten."""
    files: dict[Path, ParameterFile] = {}
    for gemeente in scenario.gemeenten:
        files.setdefault(_parameter_path(scenario, gemeente), scenario.parameters[gemeente])
    return files


def inflow_multipliers(deviation: Schommeling, months: int, rng: np.random.Generator) -> Floats:
    """exp(eta_t - v_t / 2) for t = 1..months, one AR(1) path (see the module docstring)."""
    # imported here: scipy.signal pulls in scipy.stats, a second of import time in every worker
    # process of every run, and only runs with an inflow deviation need it
    from scipy import signal

    sigma, rho = deviation.sd_per_maand, deviation.persistentie
    # lfilter runs the recursion eta_t = rho eta_(t-1) + eps_t from eta_0 = 0
    eta = np.asarray(signal.lfilter([1.0], [1.0, -rho], sigma * rng.standard_normal(months)))
    return np.exp(eta - deviation_variance(sigma, rho, months) / 2)


def deviation_variance(sigma: float, rho: float, months: int) -> Floats:
    """Var(eta_t) for t = 1..months: sigma^2 (1 + rho^2 + ... + rho^(2(t-1)))."""
    return sigma**2 * np.cumsum(rho ** (2.0 * np.arange(months)))


def _parameter_path(scenario: Scenario, gemeente: str) -> Path:
    return Path(scenario.spec.gemeenten[gemeente].parameters)
