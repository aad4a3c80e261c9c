"""The `simbijstand` command: a thin shell over the Python API.

Library errors (SimbijstandError) become a short message and exit code 2; nothing a user can
cause shows a traceback.
"""

from __future__ import annotations

import click

from simbijstand.cli.backtest import backtest
from simbijstand.cli.calibrate import calibrate
from simbijstand.cli.compare import compare
from simbijstand.cli.replay import replay
from simbijstand.cli.report import report
from simbijstand.cli.run import run
from simbijstand.cli.scenarios import scenarios
from simbijstand.cli.shared import version
from simbijstand.cli.validate import validate
from simbijstand.cli.vangnet import vangnet
from simbijstand.cli.verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(version(), prog_name="simbijstand")
def main() -> None:
    """Simulate and forecast bijstand caseloads and BUIG cost from scenario files.

    \b
    Start with:
      simbijstand validate scenarios/*.toml
      simbijstand run scenarios/tweede-golf.toml
      simbijstand replay outputs/<run> --at 2022-01-01
      simbijstand verify outputs/<run>
      simbijstand compare scenarios/basis.toml scenarios/tweede-golf.toml
      simbijstand report outputs/<run>
      simbijstand calibrate calibration/steenwijkerland/kalibratie.toml
    """


main.add_command(run)
main.add_command(validate)
main.add_command(scenarios)
main.add_command(replay)
main.add_command(report)
main.add_command(vangnet)
main.add_command(verify)
main.add_command(compare)
main.add_command(calibrate)
main.add_command(backtest)
