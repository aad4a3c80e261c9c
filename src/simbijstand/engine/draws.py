"""Each replication's own model, compiled from its own draw of the estimated parameters.

With `simulatie.parameteronzekerheid = true` a run's bands show estimation error as well as
chance: replication r draws its parameters (see `scenario.uncertainty.draw_parameters`) from
`parameter_seed(seed, r)` and runs on a model compiled from them. Gemeenten that name the same
parameter file share its draw, as they share its estimate.

The hazard tables are shared by all replications of a batch, so replications with their own
parameters run one per batch. Compiling a model takes about a millisecond; what costs is losing
the batching: a small gemeente runs about 8 times slower (basis-gekalibreerd, 200
replications: 2.6 s against 20.6 s on one core, benchmarks/parameter_uncertainty.py), a national
run not at all (it runs one replication per batch anyway).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simbijstand.engine.model import CompiledModel, compile_model
from simbijstand.engine.streams import parameter_seed
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialState
from simbijstand.scenario.schema import ParameterFile
from simbijstand.scenario.uncertainty import draw_parameters


@dataclass(frozen=True, slots=True)
class ParameterDraws:
    """Compiles replication r's model from its own parameter draw."""

    scenario: Scenario
    initial: dict[str, InitialState]
    seed: int

    def parameters(self, replication: int) -> dict[str, ParameterFile]:
        """Replication r's parameters per gemeente."""
        rng = np.random.default_rng(parameter_seed(self.seed, replication))
        drawn: dict[Path, ParameterFile] = {}
        result = {}
        for gemeente in self.scenario.gemeenten:
            path = Path(self.scenario.spec.gemeenten[gemeente].parameters)
            if path not in drawn:
                drawn[path] = draw_parameters(self.scenario.parameters[gemeente], rng)
            result[gemeente] = drawn[path]
        return result

    def model(self, replication: int) -> CompiledModel:
        scenario = dataclasses.replace(self.scenario, parameters=self.parameters(replication))
        return compile_model(scenario, self.initial)
