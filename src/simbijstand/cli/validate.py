"""`simbijstand validate`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simbijstand.cli.shared import USER_ERROR, scenario_files_argument
from simbijstand.errors import ScenarioError, SimbijstandError
from simbijstand.runs.run import prepare


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
        try:
            prepared = prepare(path)
        except ScenarioError as exc:
            failed += 1
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            continue
        except SimbijstandError as exc:
            failed += 1
            click.echo(f"error: {exc}", err=True)
            continue
        s = prepared.scenario
        click.echo(
            f"ok: {path} ({s.name}: {', '.join(s.gemeenten)}, {s.start} to {s.end}, "
            f"{s.spec.simulatie.replicaties} replications)"
        )
    if failed:
        click.echo(f"{failed} of {len(scenarios)} scenario file(s) invalid", err=True)
        sys.exit(USER_ERROR)
