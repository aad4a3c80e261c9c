"""`simbijstand verify`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simbijstand.cli.shared import echo, run_dir_argument, user_errors
from simbijstand.reporting.verify_text import verify_lines
from simbijstand.runs.verify import verify_run

CHECKS_FAILED = 1  # 2 stays "could not check" (no run directory, no manifest), as elsewhere


@click.command()
@run_dir_argument()
@user_errors
def verify(run_dir: Path) -> None:
    """Check a finished run's files and projections.

    Every event segment, output file and checkpoint must match the SHA-256 in manifest.json,
    and for every replication whose log was kept, the caseload at every date and the flows
    must equal a replay of the stored log.

    Exit code 0 when everything holds; 1 when something does not (each problem is listed);
    2 when RUN_DIR cannot be checked (no such directory, or no manifest.json because the run
    did not finish: finish it with `simbijstand run --resume RUN_DIR`).

    \b
    Examples:
      simbijstand verify outputs/basis-20261123-120000
      simbijstand verify outputs/basis-20261123-120000 && echo intact
    """
    result = verify_run(run_dir)
    for line in verify_lines(result):
        echo(line)
    if result.ok:
        return
    echo(f"{len(result.problems)} problem(s) in {run_dir}", err=True)
    sys.exit(CHECKS_FAILED)
