"""`simbijstand validate`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simbijstand.cli.shared import (
    USER_ERROR,
    echo,
    max_memory_option,
    problems_of,
    scenario_files_argument,
    workers_option,
)
from simbijstand.domain.bsn import mask_bsns
from simbijstand.errors import SimbijstandError
from simbijstand.reporting.scenario_text import first_year_line, valid_line
from simbijstand.runs.run import Prepared, admitted_chunks, prepare


@click.command()
@scenario_files_argument()
@workers_option()
@max_memory_option()
def validate(scenarios: tuple[Path, ...], workers: int | None, max_memory: int | None) -> None:
    """Check scenario files and everything they refer to; run nothing.

    Every problem is listed with its file, key and what is allowed, and a scenario too large
    for the memory a run may use is refused as `run` would refuse it. Exit code 0 when all are
    valid, 2 otherwise.

    \b
    Examples:
      simbijstand validate scenarios/tweede-golf.toml
      simbijstand validate scenarios/*.toml
    """
    failed = 0
    for path in scenarios:
        prepared, problems = check_scenario(path, workers, max_memory)
        for problem in problems:
            echo(f"error: {mask_bsns(problem)}", err=True)
        if prepared is None:
            failed += 1
        else:
            for move in prepared.first_year:
                echo(first_year_line(path, move), err=True)
            echo(valid_line(path, prepared.scenario))
    if failed:
        echo(f"{failed} of {len(scenarios)} scenario file(s) invalid", err=True)
        sys.exit(USER_ERROR)


def check_scenario(
    path: Path, workers: int | None = None, max_memory: int | None = None
) -> tuple[Prepared | None, list[str]]:
    """The scenario prepared for a run, or None and every problem that stops it."""
    try:
        prepared = prepare(path)
        admitted_chunks(prepared, workers, max_memory)
        return prepared, []
    except SimbijstandError as exc:
        return None, problems_of(exc)
