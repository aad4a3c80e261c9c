"""The scenario files in a folder, with their one-line description and what each extends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simbijstand.errors import ScenarioError
from simbijstand.scenario.toml_io import read_toml


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    path: Path
    name: str
    description: str
    extends: str | None
    problem: str | None  # why the file could not be read, if it could not


def list_scenarios(folder: Path) -> list[CatalogEntry]:
    """Every *.toml file in `folder` (not its subfolders), sorted by name."""
    if not folder.is_dir():
        raise ScenarioError([f"{folder}: no such folder"])
    return [_entry(path) for path in sorted(folder.glob("*.toml"))]


def _entry(path: Path) -> CatalogEntry:
    try:
        data = read_toml(path)
    except ScenarioError as exc:
        return CatalogEntry(path, path.stem, "", None, exc.problems[0])
    extends = data.get("extends")
    description = data.get("beschrijving") or _inherited_description(path, extends)
    return CatalogEntry(
        path=path,
        name=str(data.get("naam") or path.stem),
        description=str(description),
        extends=str(extends) if extends else None,
        problem=None,
    )


def _inherited_description(path: Path, extends: object, depth: int = 0) -> str:
    if not isinstance(extends, str) or depth > 10:
        return ""
    try:
        base = read_toml(path.parent / extends)
    except ScenarioError:
        return ""
    return str(
        base.get("beschrijving")
        or _inherited_description(path.parent / extends, base.get("extends"), depth + 1)
    )
