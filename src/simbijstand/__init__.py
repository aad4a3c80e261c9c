"""simbijstand: event-sourced simulation and forecasting of bijstand caseloads and BUIG cost.

>>> import simbijstand
>>> result = simbijstand.run("scenarios/basis.toml", replications=50)
>>> result.summary.filter(klantgroep="totaal")

The public names come from `simbijstand.api`; docs/architecture.md maps the packages.
"""

from simbijstand.api import (
    RunResult,
    Scenario,
    SimbijstandError,
    load_scenario,
    prepare,
    resume,
    run,
)

__all__ = [
    "RunResult",
    "Scenario",
    "SimbijstandError",
    "load_scenario",
    "prepare",
    "resume",
    "run",
]
