"""`simbijstand replay`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from simbijstand.cli.shared import echo, json_option, run_dir_argument, user_errors
from simbijstand.reporting.replay_text import replay_json, replay_text
from simbijstand.store.replay import replay_run


@click.command()
@run_dir_argument()
@click.option(
    "--at",
    "at",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date (YYYY-MM-DD); the state at 00:00 that day.",
)
@click.option(
    "--replication", type=click.IntRange(min=0), help="Show one replication instead of quantiles."
)
@json_option()
@user_errors
def replay(run_dir: Path, at: dt.datetime, replication: int | None, as_json: bool) -> None:
    """Caseload per klantgroep at a date, from a stored run.

    Folds the event log of RUN_DIR to the state at 00:00 on --at. Uses the replications
    whose log was kept (see run --keep-events).

    \b
    Examples:
      simbijstand replay outputs/basis-20261123-120000 --at 2022-01-01
      simbijstand replay outputs/basis-20261123-120000 --at 2021-07-01 --replication 0 --json
    """
    table = replay_run(run_dir, at.date(), replication)
    if as_json:
        echo(json.dumps(replay_json(table, at.date(), run_dir), indent=2))
    else:
        echo(replay_text(table, at.date(), run_dir))
