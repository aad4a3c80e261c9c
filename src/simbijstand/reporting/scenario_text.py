"""Scenario files as the terminal lists them, for `simbijstand validate` and `scenarios`."""

from __future__ import annotations

from pathlib import Path

from simbijstand.scenario import Scenario
from simbijstand.scenario.catalog import CatalogEntry


def valid_line(path: Path, scenario: Scenario) -> str:
    """A scenario file that passed every check, with what it simulates."""
    return (
        f"ok: {path} ({scenario.name}: {', '.join(scenario.gemeenten)}, {scenario.start} to "
        f"{scenario.end}, {scenario.spec.simulatie.replicaties} replications)"
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
