"""Scenario files as the terminal lists them, for `simbijstand validate` and `scenarios`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from simbijstand.reporting.numbers import number, pct
from simbijstand.scenario import Scenario
from simbijstand.scenario.catalog import CatalogEntry

if TYPE_CHECKING:  # reporting reads the move's fields; it does not import the runs layer
    from simbijstand.runs.first_year import FirstYearMove


def valid_line(path: Path, scenario: Scenario) -> str:
    """A scenario file that passed every check, with what it simulates."""
    return (
        f"ok: {path} ({scenario.name}: {', '.join(scenario.gemeenten)}, {scenario.start} to "
        f"{scenario.end}, {scenario.spec.simulatie.replicaties} replications)"
    )


def first_year_line(path: Path | str, move: FirstYearMove) -> str:
    """A warning (not an error): a klantgroep the rates move far from its beginstand."""
    change = f"{'+' if move.change > 0 else ''}{pct(move.change * 100, 0)}"
    return (
        f"waarschuwing: {path}: {move.gemeente}, klantgroep {move.klantgroep}: beginstand "
        f"{number(move.start)}, na een jaar verwacht {number(move.after_year)} ({change}; "
        f"evenwicht bij deze kansen {number(move.steady)}). De beginstand past niet bij de "
        "kansen in het parameterbestand; controleer of die van deze gemeente en periode zijn"
    )


def catalog_width(entries: list[CatalogEntry]) -> int:
    """The width of the name column, so that descriptions line up."""
    return max(len(e.path.name) for e in entries)


def catalog_line(
    entry: CatalogEntry, width: int, checked: bool = False, problem: str | None = None
) -> str:
    """A file's name, description and what it extends. A checked file starts with its status,
    and its `problem` (None: it is valid) replaces the description."""
    base = f" (extends {entry.extends})" if entry.extends else ""
    text = entry.problem or entry.description
    status = ""
    if checked:
        status = "ok     " if problem is None else "error  "
        text = text if problem is None else problem
    return f"{status}{entry.path.name.ljust(width)}  {text}{base}"
