"""The vangnet of one year in Dutch for the terminal: amounts, the entry conditions with their
reasons, and the build-up tier by tier (`simbijstand vangnet`)."""

from __future__ import annotations

from simbijstand.finance.vangnet import TierAmount, VangnetResult
from simbijstand.reporting.numbers import UNKNOWN, euro, pct, pct_range
from simbijstand.reporting.table import table

EMPTY = ("", "", "")
CERTAIN_MARK = {"commonly-cited": "*"}  # a footnote marks shares not checked at the source


def vangnet_table(result: VangnetResult) -> str:
    """The result as a short table in Dutch: amounts, conditions with their reasons, build-up."""
    lines = [
        f"Vangnet {result.year} (regime {result.regime})",
        *_rows(
            [
                ["BUIG-budget (definitief)", euro(result.budget)],
                ["BUIG-lasten", euro(result.expenditure)],
                _deficit_row(result),
            ],
            left=1,
        ),
        "",
        "Voorwaarden",
        *_rows(
            [
                ["eenjarig", _yes(result.meets_single_year), _single_year_reason(result)],
                ["meerjarig", _yes(result.meets_multi_year), _multi_year_reason(result)],
                ["recht op vangnet", _yes(result.eligible), ""],
            ],
            left=3,
        ),
        "",
        *_build_up(result),
    ]
    return "\n".join(lines)


def _deficit_row(result: VangnetResult) -> list[str]:
    label = "overschot" if result.deficit < 0 else "tekort"
    return [label, euro(abs(result.deficit)), f"{pct(abs(result.deficit_pct), 2)} van het budget"]


def _single_year_reason(result: VangnetResult) -> str:
    threshold = pct(result.single_year_threshold_pct)
    if result.deficit <= 0:
        return f"geen tekort; nodig is een tekort van meer dan {threshold} van het budget"
    relation = "meer dan" if result.meets_single_year else "niet meer dan"
    return f"tekort {pct(result.deficit_pct, 2)} van het budget, {relation} {threshold}"


def _multi_year_reason(result: VangnetResult) -> str:
    check, year = result.multi_year, result.year
    threshold = pct(check.threshold_pct or 0)
    span = f"{min(check.reference_years, default=year)}–{max(check.reference_years, default=year)}"
    if check.met is None:
        return f"onbekend: niet alle resultaten van {span} zijn bekend"
    if check.total is not None and check.total_pct is not None:  # cumulative_deficit
        relation = "meer dan" if check.met else "niet meer dan"
        return (
            f"cumulatief tekort {span}: {euro(check.total)} = {pct(check.total_pct, 2)} van het "
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
            f"tekort van {euro(result.deficit)}."
        ]
    rows = [
        ["band", "van – tot", "deel", "tekort in band", "vergoeding"],
        *(_tier_row(t) for t in result.tiers),
        ["vangnetuitkering", *EMPTY, euro(result.vangnet)],
        ["resterend tekort (eigen middelen)", *EMPTY, euro(result.remaining_deficit)],
    ]
    return ["Opbouw vangnetuitkering", *_rows(rows, left=2), *_footnotes(result)]


def _tier_row(tier: TierAmount) -> list[str]:
    if tier.to_pct is None or tier.to_eur is None:
        band, euros = f"vanaf {pct(tier.from_pct)}", f"vanaf {euro(tier.from_eur)}"
    else:
        band = pct_range(tier.from_pct, tier.to_pct)
        euros = f"{euro(tier.from_eur)} – {euro(tier.to_eur)}"
    mark = CERTAIN_MARK.get(tier.certainty, "")
    share = UNKNOWN if tier.share is None else pct(tier.share * 100) + mark
    return [band, euros, share, euro(tier.deficit_in_band), euro(tier.amount)]


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


def _yes(value: bool | None) -> str:
    return UNKNOWN if value is None else "ja" if value else "nee"


def _rows(rows: list[list[str]], left: int) -> list[str]:
    """A terminal table whose first row is data too; short rows are padded with empty cells
    (an empty cell at the end of a row takes no room, whatever its alignment)."""
    width = max(len(r) for r in rows)
    padded = [r + [""] * (width - len(r)) for r in rows]
    return table(padded[0], padded[1:], left=left)
