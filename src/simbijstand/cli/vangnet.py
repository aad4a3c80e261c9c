"""`simbijstand vangnet`: the vangnet of one year, built up tier by tier."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import click

from simbijstand.cli.shared import echo, json_option, user_errors
from simbijstand.errors import FinanceError
from simbijstand.finance.vangnet import calculate_vangnet
from simbijstand.reporting.vangnet_text import vangnet_table

# Plain numbers only: "1.000.000" could mean a million (Dutch) or one (English), so refuse it.
EUROS = re.compile(r"[+-]?\d+(\.\d+)?")
EUROS_ALLOWED = "euros as a plain number such as 1250000 or -35000.50 (no thousands separators)"


@click.command()
@click.option("--year", required=True, metavar="YEAR", help="Year applied for, e.g. 2018.")
@click.option(
    "--budget", required=True, metavar="EUR", help="Definitive BUIG budget of the year (> 0)."
)
@click.option(
    "--expenditure", required=True, metavar="EUR", help="BUIG expenditure of the year, net."
)
@click.option(
    "--previous-results",
    default="",
    metavar="R1,R2",
    help="Deficits (positive) or surpluses (negative) of the years before, oldest first, as many "
    "as the regime's multi-year condition needs: none for 2015-2016, 1 for 2017, 2 for 2018 and "
    "later, 3 for verruimd-2025.",
)
@click.option(
    "--previous-budgets",
    default=None,
    metavar="B1,B2",
    help="Definitive budgets of those same years; only needed for verruimd-2025.",
)
@click.option(
    "--regime", metavar="NAME", help="Use this regime, not the year's default: e.g. verruimd-2025."
)
@json_option()
@user_errors
def vangnet(
    year: str,
    budget: str,
    expenditure: str,
    previous_results: str,
    previous_budgets: str | None,
    regime: str | None,
    as_json: bool,
) -> None:
    """Safety-net compensation (vangnet) of one year's BUIG deficit.

    Shows the deficit, whether the single- and multi-year entry conditions hold, and the amount
    tier by tier. The regimes and their sources are in simbijstand/scenario/vangnet_regimes.toml.

    Amounts are whole euros; each tier's amount is rounded half-up and the vangnet is their sum.
    For 2025 the regular rules (regime vanaf-2019) apply unless --regime verruimd-2025 names the
    extended net, whose compensation shares are not known: it shows eligibility only.

    \b
    Examples:
      simbijstand vangnet --year 2018 --budget 1000000 --expenditure 1110000 --previous-results 0,0
      simbijstand vangnet --year 2016 --budget 1000000 --expenditure 1110000
      simbijstand vangnet --year 2021 --budget 20000000 --expenditure 23000000 \\
          --previous-results=-500000,1200000 --json
      simbijstand vangnet --year 2025 --regime verruimd-2025 --budget 1000000 \\
          --expenditure 1080000 --previous-results 60000,0,70000 \\
          --previous-budgets 950000,980000,990000
    """
    budgets = None
    if previous_budgets is not None:
        budgets = _euro_list("--previous-budgets", previous_budgets)
    result = calculate_vangnet(
        _year(year),
        _euros("--budget", budget),
        _euros("--expenditure", expenditure),
        _euro_list("--previous-results", previous_results),
        regime=regime,
        previous_budgets=budgets,
    )
    if as_json:
        echo(json.dumps(dataclasses.asdict(result), indent=2))
    else:
        echo(vangnet_table(result))


# --- parsing ------------------------------------------------------------------------------------


def _year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise FinanceError(f"--year = {text!r}: expected a year such as 2018")
    return int(text)


def _euros(option: str, text: str) -> Decimal:
    if not EUROS.fullmatch(text.strip()):
        raise FinanceError(f"{option} = {text!r}: expected {EUROS_ALLOWED}")
    return Decimal(text.strip())


def _euro_list(option: str, text: str) -> list[Decimal]:
    if not text.strip():
        return []
    values = []
    for part in text.split(","):
        if not EUROS.fullmatch(part.strip()):
            raise FinanceError(
                f"{option} = {text!r}: {part.strip()!r} is not a number; expected {EUROS_ALLOWED}, "
                "separated by commas, oldest first"
            )
        values.append(Decimal(part.strip()))
    return values
