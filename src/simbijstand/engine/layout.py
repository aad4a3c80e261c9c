"""Cells: the (gemeente, klantgroep) pairs of a scenario, numbered in the scenario's order."""

from __future__ import annotations

from dataclasses import dataclass

from simbijstand.scenario import Scenario
from simbijstand.scenario.schema import KlantgroepParameters, ParameterFile


@dataclass(frozen=True, slots=True)
class CellLayout:
    params: tuple[ParameterFile, ...]  # per gemeente
    gemeente: tuple[int, ...]  # per cell
    local: tuple[int, ...]  # klantgroep index within the gemeente, per cell
    klantgroep: tuple[str, ...]  # per cell
    first: tuple[int, ...]  # first cell of each gemeente
    routes: tuple[str, ...]  # exit routes of all gemeenten, in order of appearance
    max_groups: int
    max_bands: int

    @staticmethod
    def of(scenario: Scenario) -> CellLayout:
        params = tuple(scenario.parameters[g] for g in scenario.gemeenten)
        gemeente: list[int] = []
        local: list[int] = []
        names: list[str] = []
        first: list[int] = []
        for g, p in enumerate(params):
            first.append(len(names))
            for k, name in enumerate(p.klantgroepen):
                gemeente.append(g)
                local.append(k)
                names.append(name)
        return CellLayout(
            params=params,
            gemeente=tuple(gemeente),
            local=tuple(local),
            klantgroep=tuple(names),
            first=tuple(first),
            routes=tuple(dict.fromkeys(r for p in params for r in p.routes)),
            max_groups=max(len(p.klantgroepen) for p in params),
            max_bands=max(len(p.duurbanden_maanden) for p in params),
        )

    @property
    def size(self) -> int:
        return len(self.klantgroep)

    @property
    def types(self) -> int:
        """Event types: the exit routes, then a move to each klantgroep of the gemeente."""
        return len(self.routes) + self.max_groups

    def group(self, cell: int) -> KlantgroepParameters:
        return self.params[self.gemeente[cell]].klantgroepen[self.klantgroep[cell]]

    def cell_of(self, gemeente: int, klantgroep: str) -> int:
        return self.first[gemeente] + list(self.params[gemeente].klantgroepen).index(klantgroep)

    def cells_where(self, gemeenten: set[int] | None, klantgroepen: set[str] | None) -> list[int]:
        return [
            c
            for c in range(self.size)
            if (gemeenten is None or self.gemeente[c] in gemeenten)
            and (klantgroepen is None or self.klantgroep[c] in klantgroepen)
        ]
