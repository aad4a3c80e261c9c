"""The finance block of the terminal summary, in Dutch: budget, tekort and vangnet per year."""

from __future__ import annotations

import polars as pl

from simbijstand.finance.summary import PROVISIONAL_NOTE
from simbijstand.reporting.numbers import pct, result_text, thousands, year_label
from simbijstand.reporting.table import table

BASIS_MARK = {"voorlopig": "v", "groei": "g", "historisch": "h"}
BASIS_TEXT = {
    "v": "v = voorlopig budget: geen definitief bekend, het tekort is op het voorlopige berekend",
    "g": "g = budget gegroeid vanaf het laatst bekende jaar (budget.groei_per_jaar)",
    "h": "h = historisch budget: eigen netto lasten twee jaar eerder x macrofactor",
}
HEADER = [
    "jaar",
    "netto lasten",
    "budget",
    "tekort",
    "(P10–P90)",
    "tekort %",
    "kans tekort",
    "kans vangnet",
    "vangnet",
    "rest tekort",
]


def finance_block(summary: pl.DataFrame, finance: pl.DataFrame) -> list[str]:
    """Per gemeente with a budget: a row per year, then the marks and notes that explain it."""
    lines: list[str] = []
    for gemeente in summary["gemeente"].unique(maintain_order=True).to_list():
        if gemeente == "totaal":
            continue
        rows = summary.filter(pl.col("gemeente") == gemeente)
        if rows.filter(pl.col("quantity") == "deficit_eur").is_empty():
            continue
        lines += ["", *_gemeente_block(gemeente, rows, finance)]
    return lines


def _gemeente_block(gemeente: str, rows: pl.DataFrame, finance: pl.DataFrame) -> list[str]:
    years = _first_replication(finance.filter(pl.col("gemeente") == gemeente))
    body, marks, notes = [], set(), []
    for year in rows["year"].unique(maintain_order=True).to_list():
        stats = _stats(rows.filter(pl.col("year") == year))
        mark = BASIS_MARK.get(years[year]["budget_basis"] or "", "")
        marks.add(mark)
        body.append(_year_row(year, stats, mark, years[year]["months"]))
        note = _without(rows.filter(pl.col("year") == year)["note"][0], PROVISIONAL_NOTE)
        if note:
            notes.append(f"  {year}: {note}")
    legend = [f"  {BASIS_TEXT[m]}" for m in "vgh" if m in marks]
    title = (
        f"BUIG-budget, tekort en vangnet {gemeente} (x € 1.000; netto lasten = bruto - baten + "
        "loonkostensubsidie, gezet tegen het budget; gemiddelde over replicaties, P10–P90 = 80% "
        "van de replicaties; tekort < 0 is een overschot)"
    )
    return [title, *table(HEADER, body), *legend, *notes]


def _first_replication(finance: pl.DataFrame) -> dict[int, dict]:
    """What is the same in every replication: months, budget basis."""
    first = finance.filter(pl.col("replication") == finance["replication"].min())
    return {r["year"]: r for r in first.iter_rows(named=True)}


def _stats(rows: pl.DataFrame) -> dict[str, dict[str, float | None]]:
    return {r["quantity"]: r for r in rows.iter_rows(named=True)}


def _year_row(year: int, stats: dict[str, dict], mark: str, months: int) -> list[str]:
    if "deficit_eur" not in stats:
        return [year_label(year, months), *["–"] * (len(HEADER) - 1)]
    deficit = stats["deficit_eur"]
    return [
        str(year),
        thousands(stats["net_expenditure_eur"]["mean"]),
        thousands(stats["budget_eur"]["mean"]) + (f" {mark}" if mark else ""),
        thousands(deficit["mean"]),
        f"({thousands(deficit['p10'])} – {thousands(deficit['p90'])})",
        pct(stats["deficit_pct"]["mean"], 1),
        pct(stats["p_deficit_pct"]["mean"], 0),
        chance_of_vangnet(stats),
        thousands(stats["vangnet_eur"]["mean"]),
        result_text(stats["remaining_deficit_eur"]["mean"], thousands),
    ]


def chance_of_vangnet(stats: dict[str, dict]) -> str:
    """Undecided eligibility: at most the chance that the single-year condition holds."""
    known = stats["p_vangnet_pct"]["mean"]
    if known is not None:
        return pct(known, 0)
    return f"≤ {pct(stats['p_single_year_pct']['mean'], 0)}"


def _without(note: str, part: str) -> str:
    """The note without one of its parts (the terminal says that part in a legend)."""
    return "; ".join(p for p in note.split("; ") if p != part)
