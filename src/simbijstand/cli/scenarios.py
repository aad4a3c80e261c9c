"""`simbijstand scenarios`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simbijstand.cli.shared import USER_ERROR, user_errors
from simbijstand.errors import ScenarioError, SimbijstandError
from simbijstand.runs.run import prepare
from simbijstand.scenario.catalog import list_scenarios


@click.command()
@click.argument("folder", default="scenarios", type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Also validate every file (as `simbijstand validate`).")
@user_errors
def scenarios(folder: Path, check: bool) -> None:
    """List the scenario files in a folder, with what each extends.

    \b
    Examples:
      simbijstand scenarios
      simbijstand scenarios scenarios/ --check
    """
    entries = list_scenarios(folder)
    if not entries:
        click.echo(f"no scenario files (*.toml) in {folder}")
        return
    width = max(len(e.path.name) for e in entries)
    failed = 0
    for entry in entries:
        base = f" (extends {entry.extends})" if entry.extends else ""
        text = entry.problem or entry.description
        status = ""
        if check:
            problem = entry.problem or _problem(entry.path)
            failed += problem is not None
            status = "ok     " if problem is None else "error  "
            text = text if problem is None else problem
        click.echo(f"{status}{entry.path.name.ljust(width)}  {text}{base}")
    if failed:
        click.echo(f"{failed} of {len(entries)} scenario file(s) invalid", err=True)
        sys.exit(USER_ERROR)


def _problem(path: Path) -> str | None:
    try:
        prepare(path)
    except ScenarioError as exc:
        return "; ".join(exc.problems)
    except SimbijstandError as exc:
        return str(exc)
    return None
