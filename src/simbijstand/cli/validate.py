"""`simbijstand validate`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simbijstand.cli.shared import USER_ERROR, problems_of, scenario_files_argument
from simbijstand.errors import SimbijstandError
from simbijstand.reporting.scenario_text import first_year_line, valid_line
from simbijstand.runs.run import Prepared, prepare


@click.command()
@scenario_files_argument()
def validate(scenarios: tuple[Path, ...]) -> None:
    """Check scenario files and everything they refer to; run nothing.

    Every problem is listed with its file, key and what is allowed. Exit code 0 when all are
    valid, 2 otherwise.

    \b
    Examples:
      simbijstand validate scenarios/tweede-golf.toml
      simbijstand validate scenarios/*.toml
    """
    failed = 0
    for path in scenarios:
        prepared, problems = check_scenario(path)
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        if prepared is None:
            failed += 1
        else:
            for move in prepared.first_year:
                click.echo(first_year_line(path, move), err=True)
            click.echo(valid_line(path, prepared.scenario))
    if failed:
        click.echo(f"{failed} of {len(scenarios)} scenario file(s) invalid", err=True)
        sys.exit(USER_ERROR)


def check_scenario(path: Path) -> tuple[Prepared | None, list[str]]:
    """The scenario prepared for a run, or None and every problem that stops it."""
    try:
        return prepare(path), []
    except SimbijstandError as exc:
        return None, problems_of(exc)
