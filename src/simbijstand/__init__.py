"""simbijstand: event-sourced simulation and forecasting of bijstand caseloads and BUIG cost.

>>> import simbijstand
>>> result = simbijstand.run("scenarios/basis.toml", replications=50)
>>> result.summary.filter(klantgroep="totaal")

The public names are those of `simbijstand.api`; docs/architecture.md maps the packages.
"""

from simbijstand.api import *  # noqa: F403  (the API's names, listed once, in api.__all__)
from simbijstand.api import __all__ as __all__
