"""`simbijstand run`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from simbijstand.cli.shared import (
    LazyProgressBar,
    echo,
    json_option,
    max_memory_option,
    replications_option,
    seed_option,
    stop_on_sigterm,
    user_errors,
    workers_option,
)
from simbijstand.errors import RunDirectoryError
from simbijstand.reporting.json_summary import run_json
from simbijstand.reporting.rundata import load_run
from simbijstand.reporting.scenario_text import first_year_line
from simbijstand.reporting.terminal import run_details, run_summary
from simbijstand.runs.resume import resume as resume_run
from simbijstand.runs.run import RunResult
from simbijstand.runs.run import run as run_scenario


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@replications_option("Number of replications (overrides the scenario).")
@seed_option("Seed of the run (overrides the scenario).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Run directory to create [default: outputs/<scenario>-<time>].",
)
@workers_option()
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
@json_option("Print a JSON summary for scripts (caseload and cost quantiles; keys in the README).")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="More detail: per gemeente and klantgroep, flows per year by route, timings.",
)
@click.option("--no-report", is_flag=True, help="Do not write report.html (see `report`).")
@max_memory_option()
@user_errors
@stop_on_sigterm
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
    as_json: bool,
    verbose: bool,
    no_report: bool,
    max_memory: int | None,
) -> None:
    """Simulate a scenario and write its run directory.

    The run directory holds the event log, caseload, flows, finance, summary.csv, report.html
    (charts in Dutch, opens offline) and manifest.json, written last: a directory without it
    is unfinished. A killed run can be finished with --resume; its outputs are then the same,
    byte for byte, as an uninterrupted run's. The terminal shows a summary in Dutch. With
    --json or --quiet, stdout holds only the JSON or the run directory.

    \b
    Examples:
      simbijstand run scenarios/tweede-golf.toml
      simbijstand run scenarios/basis.toml -n 1000 --seed 7 --out outputs/basis-1000
      simbijstand run scenarios/basis.toml --keep-events 10 --quiet
      simbijstand run scenarios/tweede-golf.toml --json > tweede-golf.json
      simbijstand run scenarios/tweede-golf.toml -v
      simbijstand run --resume outputs/basis-1000
      simbijstand run scenarios/basis.toml -n 1000 --dask local --workers 2
      simbijstand run scenarios/basis.toml -n 1000 --dask tcp://scheduler:8786 --out /shared/run
    """
    _check_output_flags(quiet, as_json, verbose)
    bar = LazyProgressBar("replicaties", enabled=not (quiet or as_json))
    settings = {"-n": replications, "--seed": seed, "--out": out, "--keep-events": keep_events}
    try:
        if resume_dir is not None:
            _check_resume_arguments(scenario, {**settings, "--no-report": no_report or None})
            result = resume_run(
                resume_dir, workers=workers, dask=dask, progress=bar, max_memory=max_memory
            )
        else:
            result = _run(
                scenario,
                replications,
                seed,
                out,
                workers,
                keep_events,
                bar,
                no_report,
                dask,
                max_memory,
            )
    finally:
        bar.close()
    if not quiet:  # --quiet prints the run directory only
        for move in result.first_year:
            click.echo(first_year_line(result.scenario.path, move), err=True)
    if quiet:
        echo(str(result.run_dir))
        return
    if as_json:
        echo(json.dumps(run_json(load_run(result.run_dir)), indent=2, ensure_ascii=False))
        return
    details = run_details(load_run(result.run_dir)) if verbose else ""
    echo(run_summary(result, details))


def _run(
    scenario: Path | None,
    replications: int | None,
    seed: int | None,
    out: Path | None,
    workers: int | None,
    keep_events: int | None,
    bar: LazyProgressBar,
    no_report: bool,
    dask: str | None,
    max_memory: int | None,
) -> RunResult:
    if scenario is None:
        raise click.UsageError("give a SCENARIO to run, or --resume RUN_DIR")
    return run_scenario(
        scenario,
        replications=replications,
        seed=seed,
        out=out,
        workers=workers,
        keep_events=keep_events,
        progress=bar,
        report=not no_report,
        dask=dask,
        max_memory=max_memory,
    )


def _check_resume_arguments(scenario: Path | None, settings: dict[str, object]) -> None:
    given = [name for name, value in settings.items() if value is not None]
    if scenario is not None:
        given.insert(0, "SCENARIO")
    if given:
        raise RunDirectoryError(
            f"--resume takes the scenario and settings from the run's run.json; drop "
            f"{', '.join(given)} (only --workers and --dask may change)"
        )


def _check_output_flags(quiet: bool, as_json: bool, verbose: bool) -> None:
    chosen = [name for name, on in (("--quiet", quiet), ("--json", as_json)) if on]
    if verbose:
        chosen.append("--verbose")
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be combined; choose one")
