"""`simbijstand init`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from simbijstand.cli.shared import MAX_REPLICATIONS, echo, seed_option, user_errors
from simbijstand.runs.init import InitRequest, init_scenario
from simbijstand.runs.init_text import terminal_summary


def _groups(values: tuple[str, ...]) -> dict[str, int] | None:
    """--klantgroep naam=aantal, repeated."""
    if not values:
        return None
    groups: dict[str, int] = {}
    for text in values:
        name, sep, count = text.partition("=")
        if not sep or not count.strip().isdigit():
            raise click.BadParameter(
                f"{text!r}: geef naam=aantal, bijvoorbeeld werkspoor=1620",
                param_hint="--klantgroep",
            )
        if name.strip() in groups:
            raise click.BadParameter(
                f"{name.strip()!r} staat er twee keer", param_hint="--klantgroep"
            )
        groups[name.strip()] = int(count)
    return groups


def _results(values: tuple[str, ...]) -> dict[int, float] | None:
    """--resultaat jaar=bedrag, repeated."""
    results: dict[int, float] = {}
    for text in values:
        year, sep, amount = text.partition("=")
        try:
            results[int(year)] = float(amount.replace("_", ""))
        except ValueError:
            raise click.BadParameter(
                f"{text!r}: geef jaar=bedrag, bijvoorbeeld 2026=-1500000", param_hint="--resultaat"
            ) from None
        if not sep:
            raise click.BadParameter(f"{text!r}: geef jaar=bedrag", param_hint="--resultaat")
    return results or None


@click.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@click.option("--gemeente", required=True, help="Name of the gemeente, as the outputs show it.")
@click.option(
    "--start",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="First day of the forecast, the first of a month (YYYY-MM-01).",
)
@click.option("--bestand", required=True, type=int, help="Benefits (uitkeringen) at the start.")
@click.option(
    "--inwoners",
    type=click.IntRange(min=1, max=100_000_000),
    help="Inhabitants (all ages) [default: those that give the national bijstand density].",
)
@click.option(
    "--budget",
    type=click.FloatRange(min=0, min_open=True, max=100_000_000_000),
    help="BUIG budget of the start year in euro [default: none; then no tekort or vangnet].",
)
@click.option(
    "--budget-groei",
    type=click.FloatRange(min=-0.5, max=1),
    help="Yearly growth of the budget after the start year, 0.03 = 3% [default: the carried "
    "rise of the bijstand norm].",
)
@click.option(
    "--klantgroep",
    "klantgroepen",
    multiple=True,
    metavar="NAAM=AANTAL",
    help="A klantgroep and its benefits at the start; repeat it; the counts add up to "
    "--bestand [default: one klantgroep 'bijstand'].",
)
@click.option(
    "--kosten-per-maand",
    type=click.FloatRange(min=0, min_open=True, max=1_000_000),
    help="Euro per benefit-month on 1 January of the start year [default: the 2015 average "
    "indexed with the bijstand norms].",
)
@click.option(
    "--horizon-maanden",
    type=click.IntRange(min=1, max=600),
    help="Months to forecast [default: to the end of the year after the start year].",
)
@click.option(
    "-n",
    "--replicaties",
    type=click.IntRange(min=1, max=MAX_REPLICATIONS),
    default=200,
    show_default=True,
    help="Replications the scenario asks for.",
)
@click.option(
    "--resultaat",
    "resultaten",
    multiple=True,
    metavar="JAAR=BEDRAG",
    help="BUIG result of a year before the start (tekort +, overschot -, euro), for the "
    "vangnet's multi-year condition; repeat it [default: none; then undecided].",
)
@seed_option("The scenario's seed [default: from the start date].")
@user_errors
def init(
    folder: Path,
    gemeente: str,
    start: dt.datetime,
    bestand: int,
    inwoners: int | None,
    budget: float | None,
    budget_groei: float | None,
    klantgroepen: tuple[str, ...],
    kosten_per_maand: float | None,
    horizon_maanden: int | None,
    replicaties: int,
    resultaten: tuple[str, ...],
    seed: int | None,
) -> None:
    """Write a ready scenario for any gemeente into DIR (new or empty).

    Rates come from the pooled calibration of every gemeente (CBS), predicted for a gemeente
    of this size and bijstand density, so that the caseload starts at their steady state;
    today's rules (AOW age, bijstand norms, vangnet regimes) are built in. DIR gets
    scenario.toml, parameters.toml and beginstand.csv; every assumed number is commented
    with its source and how to replace it. The scenario is checked as `validate` checks it
    before it is written.

    \b
    Examples:
      simbijstand init zwolle --gemeente Zwolle --start 2027-01-01 --bestand 6000 \\
          --inwoners 130000 --budget 95000000
      simbijstand validate zwolle/scenario.toml && simbijstand run zwolle/scenario.toml
      simbijstand init mijn --gemeente Mijnstad --start 2027-07-01 --bestand 900 \\
          --klantgroep werk=300 --klantgroep participatie=600
    """
    request = InitRequest(
        gemeente=gemeente,
        start=start.date(),
        bestand=bestand,
        inwoners=inwoners,
        budget=budget,
        budget_groei=budget_groei,
        klantgroepen=_groups(klantgroepen),
        horizon_maanden=horizon_maanden,
        replicaties=replicaties,
        seed=seed,
        kosten_per_maand=kosten_per_maand,
        resultaten=_results(resultaten),
    )
    echo(terminal_summary(init_scenario(folder, request)))
