"""`simbijstand vangnet`: the vangnet of one year, built up tier by tier."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import click

from simbijstand.cli.shared import user_errors
from simbijstand.errors import FinanceError
from simbijstand.finance.vangnet import TierAmount, VangnetResult, calculate_vangnet
from simbijstand.reporting.terminal import number

# Plain numbers only: "1.000.000" could mean a million (Dutch) or one (English), so refuse it.
EUROS = re.compile(r"[+-]?\d+(\.\d+)?")
EUROS_ALLOWED = "euros as a plain number such as 1250000 or -35000.50 (no thousands separators)"
EMPTY = ("", "", "")
CERTAIN_MARK = {"commonly-cited": "*"}  # a footnote marks shares not checked at the source


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
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
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
        click.echo(json.dumps(dataclasses.asdict(result), indent=2))
    else:
        click.echo(vangnet_table(result))


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


# --- the Dutch table ----------------------------------------------------------------------------


def vangnet_table(result: VangnetResult) -> str:
    """The result as a short table in Dutch: amounts, conditions with their reasons, build-up."""
    lines = [
        f"Vangnet {result.year} (regime {result.regime})",
        *_rows(
            [
                ["BUIG-budget (definitief)", _eur(result.budget)],
                ["BUIG-lasten", _eur(result.expenditure)],
                _deficit_row(result),
            ],
            right=frozenset({1}),
        ),
        "",
        "Voorwaarden",
        *_rows(
            [
                ["eenjarig", _yes(result.meets_single_year), _single_year_reason(result)],
                ["meerjarig", _yes(result.meets_multi_year), _multi_year_reason(result)],
                ["recht op vangnet", _yes(result.eligible), ""],
            ]
        ),
        "",
        *_build_up(result),
    ]
    return "\n".join(lines)


def _deficit_row(result: VangnetResult) -> list[str]:
    label = "overschot" if result.deficit < 0 else "tekort"
    return [label, _eur(abs(result.deficit)), f"{_pct(abs(result.deficit_pct), 2)} van het budget"]


def _single_year_reason(result: VangnetResult) -> str:
    threshold = _pct(result.single_year_threshold_pct)
    if result.deficit <= 0:
        return f"geen tekort; nodig is een tekort van meer dan {threshold} van het budget"
    relation = "meer dan" if result.meets_single_year else "niet meer dan"
    return f"tekort {_pct(result.deficit_pct, 2)} van het budget, {relation} {threshold}"


def _multi_year_reason(result: VangnetResult) -> str:
    check, year = result.multi_year, result.year
    threshold = _pct(check.threshold_pct or 0)
    span = f"{min(check.reference_years, default=year)}–{max(check.reference_years, default=year)}"
    if check.met is None:
        return f"onbekend: niet alle resultaten van {span} zijn bekend"
    if check.total is not None and check.total_pct is not None:  # cumulative_deficit
        relation = "meer dan" if check.met else "niet meer dan"
        return (
            f"cumulatief tekort {span}: {_eur(check.total)} = {_pct(check.total_pct, 2)} van het "
            f"budget {year}, {relation} {threshold}"
        )
    if check.kind == "deficit_years":
        years = ", ".join(str(y) for y in check.deficit_years) or "geen"
        return (
            f"jaren in {span} met een tekort van ten minste {threshold} van hun budget: {years} "
            f"(nodig: {check.min_years})"
        )
    return f"geen meerjarige voorwaarde voor {year}"


def _build_up(result: VangnetResult) -> list[str]:
    if result.deficit <= 0:
        return ["Geen vangnetuitkering: er is geen tekort."]
    if not result.eligible:
        return [
            "Geen vangnetuitkering: niet aan de voorwaarden voldaan; de gemeente draagt het hele "
            f"tekort van {_eur(result.deficit)}."
        ]
    rows = [
        ["band", "van – tot", "deel", "tekort in band", "vergoeding"],
        *(_tier_row(t) for t in result.tiers),
        ["vangnetuitkering", *EMPTY, _eur_or_unknown(result.vangnet)],
        ["resterend tekort (eigen middelen)", *EMPTY, _eur_or_unknown(result.remaining_deficit)],
    ]
    table = _rows(rows, right=frozenset({2, 3, 4}))
    return ["Opbouw vangnetuitkering", *table, *_footnotes(result)]


def _tier_row(tier: TierAmount) -> list[str]:
    if tier.to_pct is None or tier.to_eur is None:
        band, euros = f"vanaf {_pct(tier.from_pct)}", f"vanaf {_eur(tier.from_eur)}"
    else:
        band = f"{_pct_plain(tier.from_pct)}–{_pct(tier.to_pct)}"
        euros = f"{_eur(tier.from_eur)} – {_eur(tier.to_eur)}"
    mark = CERTAIN_MARK.get(tier.certainty, "")
    share = "onbekend" if tier.share is None else _pct(tier.share * 100) + mark
    return [band, euros, share, _eur(tier.deficit_in_band), _eur_or_unknown(tier.amount)]


def _footnotes(result: VangnetResult) -> list[str]:
    marks = {t.certainty for t in result.tiers}
    notes = []
    if "commonly-cited" in marks:
        notes.append("* gangbare waarde, niet getoetst aan de primaire bron")
    if "unknown" in marks:
        notes.append(
            f"onbekend: de compensatiepercentages van regime {result.regime} zijn niet bekend, dus "
            "ook het bedrag niet (een scenario kan ze opgeven)"
        )
    return ["", *notes] if notes else []


# --- formatting -------------------------------------------------------------------------------


def _eur(value: int) -> str:
    return f"€ {number(value)}" if value >= 0 else f"-€ {number(-value)}"


def _eur_or_unknown(value: int | None) -> str:
    return "onbekend" if value is None else _eur(value)


def _pct(value: float, decimals: int | None = None) -> str:
    return f"{_pct_plain(value, decimals)}%"


def _pct_plain(value: float, decimals: int | None = None) -> str:
    """12,5 and 5 for band limits; a fixed number of decimals for computed shares."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return number(value, decimals)


def _yes(value: bool | None) -> str:
    return "onbekend" if value is None else "ja" if value else "nee"


def _rows(rows: list[list[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """Indented columns: left-aligned, except the columns in `right` (amounts)."""
    width = max(len(r) for r in rows)
    padded = [r + [""] * (width - len(r)) for r in rows]
    widths = [max(len(r[i]) for r in padded) for i in range(width)]

    def cell(i: int, text: str) -> str:
        return text.rjust(widths[i]) if i in right else text.ljust(widths[i])

    return ["  " + "  ".join(cell(i, t) for i, t in enumerate(r)).rstrip() for r in padded]
