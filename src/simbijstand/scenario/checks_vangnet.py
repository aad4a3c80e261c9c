"""Checks of a scenario's vangnet keys: its `[vangnet.regimes]` and the regime of every year.

A run computes the vangnet of every complete year of a gemeente with a budget (see
`simbijstand.scenario.money`), so each such year needs a regime: the one `vangnet.regime` names
for it, or the one that applies by default. Checking at load lets `simbijstand validate` fail on
what would otherwise stop a run only when it prepares its finance.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simbijstand.domain.calendar import is_month_start
from simbijstand.errors import FinanceError, ScenarioError
from simbijstand.scenario.money import complete_years
from simbijstand.scenario.regimes import RegimeSet, scenario_regimes, select_regime
from simbijstand.scenario.schema import ScenarioFile

Origin = Callable[[tuple[str | int, ...]], Path]


def check_vangnet(spec: ScenarioFile, origin: Origin) -> list[str]:
    """Problems with the merged regimes, else the first year a run would find without a regime
    (one, as a run would stop there: the fix, a regime or a later start, usually serves all)."""
    try:
        regimes = scenario_regimes(spec, origin(("vangnet", "regimes")))
    except ScenarioError as exc:
        return exc.problems
    if not is_month_start(spec.simulatie.start):
        return []  # reported elsewhere; the years with a deficit need a month start
    chosen = {int(y): name for y, name in spec.vangnet.regime.items()}
    for year in sorted(years_with_deficit(spec)):
        problem = _regime_problem(regimes, year, chosen.get(year))
        if problem is not None:
            key = ("vangnet", "regime", str(year)) if year in chosen else ("simulatie",)
            return [
                f"{origin(key)}: {problem}; add a regime for {year} under [vangnet.regimes], or "
                "let the horizon start later"
            ]
    return []


def years_with_deficit(spec: ScenarioFile) -> set[int]:
    """The years whose vangnet a run computes: complete years of a gemeente with a budget."""
    sim = spec.simulatie
    return {
        year
        for g in spec.gemeenten.values()
        if g.budget is not None
        for year in complete_years(sim.start, sim.horizon_maanden, g)
    }


def _regime_problem(regimes: RegimeSet, year: int, name: str | None) -> str | None:
    try:
        select_regime(regimes, year, name)
    except FinanceError as exc:
        return str(exc)
    return None
