"""simbijstand: event-sourced simulation and forecasting of bijstand caseloads and BUIG cost.

>>> import simbijstand
>>> result = simbijstand.run("scenarios/basis.toml", replications=50)
>>> result.summary.filter(klantgroep="totaal")
"""

from simbijstand.errors import SimbijstandError
from simbijstand.runs.resume import resume
from simbijstand.runs.run import RunResult, prepare, run
from simbijstand.scenario import Scenario, load_scenario

__all__ = ["RunResult", "Scenario", "SimbijstandError", "load_scenario", "prepare", "resume", "run"]
