"""`simbijstand calibrate`."""

from __future__ import annotations

from pathlib import Path

import click

from simbijstand.cli.shared import echo, user_errors
from simbijstand.estimation.pooled.config import is_pooled_config
from simbijstand.reporting.fit_report import terminal_report
from simbijstand.reporting.pooled_fit import pooled_terminal_report
from simbijstand.runs.calibrate import run_calibration
from simbijstand.runs.calibrate_pooled import run_pooled_calibration


@click.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Folder to write every file in: each parameter file (by its `uitvoer` name), its "
    "beginstand CSV, the report and the fit CSV [default: each gemeente's `uitvoer` in the "
    "config, report and fit beside the first].",
)
@user_errors
def calibrate(config: Path, out: Path | None) -> None:
    """Fit rates to a municipality's data and write the engine's parameter file.

    CONFIG is a calibration config (TOML): the data files, the klantgroepen and routes, the
    observation window, and every assumption with its source. Writes per gemeente a parameter
    file with estimates, intervals, uncertainty and provenance (SHA-256 of every input), a
    fit report (Markdown) and the fit per observation (CSV); prints a summary in Dutch.

    \b
    Examples:
      simbijstand calibrate calibration/steenwijkerland/kalibratie.toml
      simbijstand calibrate calibration/nederland/kalibratie.toml --out /tmp/nederland
      simbijstand calibrate calibration/bmwe/kalibratie.toml --out /tmp/bmwe
      simbijstand calibrate calibration/gemeenten/kalibratie-gepoold.toml   (alle gemeenten)
    """
    if is_pooled_config(config):
        if out is not None:
            raise click.BadParameter(
                "a pooled config ([gepoold]) writes into the folders its config names; "
                "--out is not supported for it yet",
                param_hint="--out",
            )
        pooled = run_pooled_calibration(config)
        echo(pooled_terminal_report(pooled.calibration, len(pooled.parameter_files) + 3))
        return
    result = run_calibration(config, out=out)
    written = [
        *result.parameter_files.values(),
        *result.initial_states.values(),
        result.report,
        result.fitted,
    ]
    echo(terminal_report(result.calibration, written))
