"""`simbijstand report`."""

from __future__ import annotations

from pathlib import Path

import click

from simbijstand.cli.shared import echo, run_dir_argument, user_errors


@click.command()
@run_dir_argument()
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file [default: RUN_DIR/report.html].",
)
@user_errors
def report(run_dir: Path, out: Path | None) -> None:
    """Make the HTML report of a finished run again.

    Reads manifest.json, summary.csv and the Parquet files of RUN_DIR and writes report.html:
    a single file in Dutch with the charts inline, that opens offline. A run directory without
    manifest.json did not finish and is refused. Prints the report's path.

    \b
    Examples:
      simbijstand report outputs/basis-20261123-120000
      simbijstand report outputs/basis-20261123-120000 --out wethouder/basis.html
    """
    # Imported here so that every other command starts without loading matplotlib.
    from simbijstand.reporting.report import write_report

    echo(str(write_report(run_dir, out=out)))
