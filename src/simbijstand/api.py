"""The public Python API: what a notebook or script imports, the same calls the CLI makes.

>>> import simbijstand
>>> result = simbijstand.run("scenarios/basis.toml", replications=50)
>>> result.summary.filter(klantgroep="totaal")

Everything else in the package may change between versions; these names are kept.
"""

from simbijstand.errors import SimbijstandError
from simbijstand.runs.resume import resume
from simbijstand.runs.run import RunResult, prepare, run
from simbijstand.scenario import Scenario, load_scenario

__all__ = [
    "RunResult",
    "Scenario",
    "SimbijstandError",
    "load_scenario",
    "prepare",
    "resume",
    "run",
]

# Not here: `simbijstand.runs.compare.compare`, which imports scipy.stats (half a second); every
# spawned helper process imports this package, and a run needs none of it.
