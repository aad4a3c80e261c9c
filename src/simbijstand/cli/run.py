"""`simbijstand run`."""

from __future__ import annotations

from pathlib import Path

import click

from simbijstand.cli.shared import LazyProgressBar, user_errors
from simbijstand.errors import RunDirectoryError
from simbijstand.reporting.terminal import run_summary
from simbijstand.resume import resume as resume_run
from simbijstand.runner import RunResult
from simbijstand.runner import run as run_scenario


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
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
@click.option(
    "--resume",
    "resume_dir",
    type=click.Path(path_type=Path),
    metavar="RUN_DIR",
    help="Finish an interrupted run (no manifest.json) with the settings it started with.",
)
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Run on a Dask cluster: a scheduler such as tcp://host:8786 (the run directory must be "
    "on a file system its workers share), or 'local' for a LocalCluster of --workers processes.",
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
    resume_dir: Path | None,
    dask: str | None,
    quiet: bool,
) -> None:
    """Simulate a scenario and write its run directory.

    The run directory holds the event log, caseload, flows, finance, summary.csv and
    manifest.json (written last: a directory without it is unfinished). A run that was killed
    can be finished with --resume; its outputs are then the same, byte for byte, as those of an
    uninterrupted run.

    \b
    Examples:
      simbijstand run scenarios/tweede-golf.toml
      simbijstand run scenarios/basis.toml -n 1000 --seed 7 --out outputs/basis-1000
      simbijstand run scenarios/basis.toml --keep-events 10 --quiet
      simbijstand run --resume outputs/basis-1000
      simbijstand run scenarios/basis.toml -n 1000 --dask local --workers 2
      simbijstand run scenarios/basis.toml -n 1000 --dask tcp://scheduler:8786 --out /shared/run
    """
    overrides = {"-n": replications, "--seed": seed, "--out": out, "--keep-events": keep_events}
    bar = LazyProgressBar("replicaties", enabled=not quiet)
    try:
        if resume_dir is not None:
            _check_resume_arguments(scenario, overrides)
            result = resume_run(resume_dir, workers=workers, dask=dask, progress=bar)
        elif scenario is None:
            raise click.UsageError("give a SCENARIO to run, or --resume RUN_DIR")
        else:
            result = run_scenario(
                scenario,
                replications=replications,
                seed=seed,
                out=out,
                workers=workers,
                keep_events=keep_events,
                progress=bar,
                dask=dask,
            )
    finally:
        bar.close()
    _report(result, quiet)


def _check_resume_arguments(scenario: Path | None, overrides: dict[str, object]) -> None:
    given = [name for name, value in overrides.items() if value is not None]
    if scenario is not None:
        given.insert(0, "SCENARIO")
    if given:
        raise RunDirectoryError(
            f"--resume takes the scenario and settings from the run's run.json; drop "
            f"{', '.join(given)} (only --workers and --dask may change)"
        )


def _report(result: RunResult, quiet: bool) -> None:
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
