"""The `simbijstand` command: a thin shell over the Python API.

Library errors (SimbijstandError) become a short message and exit code 2; nothing a user can
cause shows a traceback.
"""

from __future__ import annotations

import importlib

import click

from simbijstand.runs.record import package_version

# command -> module; a command's module is imported when it runs (or for --help), so `run` does
# not pay for what only calibrate or backtest need (scipy.optimize and friends, about a second)
COMMANDS = {
    "init": "init",
    "run": "run",
    "validate": "validate",
    "scenarios": "scenarios",
    "replay": "replay",
    "report": "report",
    "vangnet": "vangnet",
    "verify": "verify",
    "compare": "compare",
    "calibrate": "calibrate",
    "backtest": "backtest",
}


class LazyGroup(click.Group):
    """Click's lazily loading group (see click's docs, "Lazily Loading Subcommands")."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"simbijstand.cli.{COMMANDS[cmd_name]}")
        return getattr(module, cmd_name)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_version("simbijstand"), prog_name="simbijstand")
def main() -> None:
    """Simulate and forecast bijstand caseloads and BUIG cost from scenario files.

    \b
    Start with:
      simbijstand init mijn-gemeente --gemeente NAAM --start 2027-01-01 --bestand 6000
      simbijstand validate scenarios/*.toml
      simbijstand run scenarios/tweede-golf.toml
      simbijstand replay outputs/<run> --at 2022-01-01
      simbijstand verify outputs/<run>
      simbijstand compare scenarios/basis.toml scenarios/tweede-golf.toml
      simbijstand report outputs/<run>
      simbijstand calibrate calibration/steenwijkerland/kalibratie.toml
    """
