"""`simbijstand run`."""

from __future__ import annotations

from pathlib import Path

import click

from simbijstand.cli.shared import LazyProgressBar, user_errors
from simbijstand.reporting.terminal import run_summary
from simbijstand.runner import run as run_scenario


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=1),
    help="Number of replications (overrides the scenario).",
)
@click.option(
    "--seed", type=click.IntRange(min=0), help="Seed of the run (overrides the scenario)."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Run directory to create [default: outputs/<scenario>-<time>].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Local worker processes [default: all cores]; results do not depend on it.",
)
@click.option(
    "--keep-events",
    type=click.IntRange(min=0),
    metavar="N",
    help="Store the event log of the first N replications only [default: all].",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the run directory.")
@user_errors
def run(
    scenario: Path,
    replications: int | None,
    seed: int | None,
    out: Path | None,
    workers: int | None,
    keep_events: int | None,
    quiet: bool,
) -> None:
    """Simulate a scenario and write its run directory.

    The run directory holds the event log, caseload, flows, finance, summary.csv and
    manifest.json; the terminal shows a summary in Dutch.

    \b
    Examples:
      simbijstand run scenarios/tweede-golf.toml
      simbijstand run scenarios/basis.toml -n 1000 --seed 7 --out outputs/basis-1000
      simbijstand run scenarios/basis.toml --keep-events 10 --quiet
    """
    bar = LazyProgressBar("replicaties", enabled=not quiet)
    try:
        result = run_scenario(
            scenario,
            replications=replications,
            seed=seed,
            out=out,
            workers=workers,
            keep_events=keep_events,
            progress=bar,
        )
    finally:
        bar.close()
    if quiet:
        click.echo(str(result.run_dir))
        return
    sim = result.scenario.spec.simulatie
    click.echo(
        run_summary(
            result.scenario.name,
            result.scenario.spec.beschrijving,
            result.scenario.start,
            result.scenario.end,
            sim.replicaties,
            sim.seed,
            result.summary,
            result.finance,
            str(result.run_dir),
            result.finance_summary,
        )
    )
