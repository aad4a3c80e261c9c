"""`simbijstand scenarios`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simbijstand.cli.shared import USER_ERROR, echo, user_errors
from simbijstand.cli.validate import check_scenario
from simbijstand.reporting.scenario_text import catalog_line, catalog_width
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
        echo(f"no scenario files (*.toml) in {folder}")
        return
    width = catalog_width(entries)
    failed = 0
    for entry in entries:  # a line as soon as its file is checked: checks take a while
        problem = (entry.problem or _problem(entry.path)) if check else None
        failed += problem is not None
        echo(catalog_line(entry, width, check, problem))
    if failed:
        echo(f"{failed} of {len(entries)} scenario file(s) invalid", err=True)
        sys.exit(USER_ERROR)


def _problem(path: Path) -> str | None:
    prepared, problems = check_scenario(path)
    return None if prepared is not None else "; ".join(problems)
