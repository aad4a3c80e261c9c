"""The finance workbook of `simbijstand compare --xlsx`: one sheet per table, and two that say
what the columns mean and what went in.

Sheets: Overzicht (per scenario, gemeente and year the means finance reads first), Vergelijking
(comparison.csv: every quantity with its quantiles and the paired difference to the baseline),
Maatregelen (measures.csv, when the runs have measures), Per replicatie (finance.parquet of every
scenario, so every figure can be traced), Invoer (scenarios, seeds, replications, input files with
their SHA-256) and Toelichting (every column, its unit and meaning). Column names are those of
the CSV and Parquet files; a unit ends each name (`_eur`, `_pct`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import xlsxwriter

if TYPE_CHECKING:
    from simbijstand.runs.compare import Comparison

EURO_FORMAT = "#,##0"
PCT_FORMAT = "0.0"
# Integer columns that are labels or counts, not amounts: shown without a thousands separator.
PLAIN_INTEGERS = ("year", "replication", "seed", "months", "realised_months", "replications")
OVERVIEW = {
    "net_expenditure_eur": "mean",
    "budget_eur": "mean",
    "deficit_eur": "mean",
    "deficit_pct": "mean",
    "p_deficit_pct": "mean",
    "p_vangnet_pct": "mean",
    "vangnet_eur": "mean",
    "remaining_deficit_eur": "mean",
}
COLUMNS = {
    "scenario": "naam van het scenario",
    "baseline": "het scenario waarmee vergeleken wordt (basis)",
    "gemeente": "gemeente; totaal = som over de gemeenten",
    "year": "kalenderjaar",
    "quantity": "grootheid (zie de rijen hieronder); de eenheid staat aan het eind van de naam",
    "replications": "aantal replicaties met een waarde",
    "mean": "gemiddelde over de replicaties (bij p_..._pct: de kans in %)",
    "p10": "10e percentiel over de replicaties",
    "p50": "mediaan over de replicaties",
    "p90": "90e percentiel over de replicaties",
    "diff_mean": "gemiddeld verschil met de basis, per replicatie gepaard (zelfde toevalsgetallen)",
    "diff_mean_low": "ondergrens van het 90%-betrouwbaarheidsinterval van diff_mean (t-verdeling)",
    "diff_mean_high": "bovengrens van het 90%-betrouwbaarheidsinterval van diff_mean",
    "diff_p05": "5e percentiel van de gepaarde verschillen (90% van de verschillen ligt tussen "
    "diff_p05 en diff_p95)",
    "diff_p95": "95e percentiel van de gepaarde verschillen",
    "note": "toelichting: gedeeltelijke jaren, voorlopig budget, onbekende eerdere resultaten",
    "replication": "nummer van de replicatie (dezelfde toevalsgetallen in elk scenario)",
    "months": "aantal gesimuleerde maanden van het jaar",
    "benefit_months": "uitkeringsmaanden met BUIG-financiering (gesimuleerd)",
    "expenditure_eur": "gesimuleerde bruto BUIG-lasten van de maanden in de horizon, euro",
    "realised_months": "maanden van het startjaar vóór de start, uit realisatie",
    "complete": "alle 12 maanden bekend (gesimuleerd of gerealiseerd); alleen dan een tekort",
    "gross_expenditure_eur": "bruto BUIG-lasten van het hele jaar (realisatie + simulatie), euro",
    "receipts_eur": "baten: terugvordering en verhaal, euro",
    "wage_subsidy_eur": "loonkostensubsidie buiten de klantgroepen, euro",
    "net_expenditure_eur": "netto lasten = bruto lasten - baten + loonkostensubsidie, euro",
    "budget_eur": "BUIG-budget dat het tekort bepaalt, euro",
    "budget_basis": "herkomst budget: definitief, voorlopig (geen definitief bekend), groei, "
    "historisch",
    "regime": "vangnetregime van het jaar",
    "deficit_eur": "tekort = netto lasten - budget (negatief: overschot), hele euro's",
    "deficit_pct": "tekort in % van het budget",
    "meets_single_year": "eenjarige vangnetvoorwaarde vervuld",
    "meets_multi_year": "meerjarige vangnetvoorwaarde vervuld (leeg: onbekend)",
    "vangnet_eligible": "recht op vangnetuitkering (leeg: onbekend)",
    "vangnet_eur": "vangnetuitkering, hele euro's (leeg: onbekend)",
    "remaining_deficit_eur": "resterend tekort = tekort - vangnet, ten laste van eigen middelen",
    "p_deficit_pct": "kans op een tekort, %",
    "p_single_year_pct": "kans dat de eenjarige vangnetvoorwaarde vervuld is, %",
    "p_vangnet_pct": "kans op recht op een vangnetuitkering, % (leeg: onbekend)",
    "measures_cost_eur": "kosten van maatregelen (trajecten; Participatiebudget, niet BUIG), euro",
    "measures_extra_cost_eur": "extra kosten van maatregelen t.o.v. de basis, euro",
    "buig_saving_eur": "BUIG-besparing t.o.v. de basis: netto lasten basis - scenario, euro",
    "net_effect_eur": "netto effect = BUIG-besparing - extra kosten maatregelen, euro",
    "saving_on_net": "waar: besparing op netto lasten; onwaar: op de gesimuleerde lasten "
    "(gedeeltelijk jaar)",
}


def write_workbook(path: Path, comparison: Comparison) -> None:
    """Write the workbook; an existing file at `path` is replaced."""
    sheets = {
        "Overzicht": overview(comparison.table),
        "Vergelijking": comparison.table,
        **({"Maatregelen": comparison.measures} if comparison.measures is not None else {}),
        "Per replicatie": per_replication(comparison),
        "Invoer": inputs(comparison),
    }
    sheets["Toelichting"] = explanation(sheets)
    # xlsxwriter turns a text starting with '=' into a formula, and one that looks like a URL
    # into a link, unless told not to: every cell holds exactly the text of the table
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(path), options) as workbook:
        for name, frame in sheets.items():
            frame.write_excel(
                workbook=workbook,
                worksheet=name,
                column_formats=_formats(frame),
                autofit=True,
                freeze_panes=(1, 0),
                table_style="Table Style Light 1",
            )


def overview(table: pl.DataFrame) -> pl.DataFrame:
    """Per scenario, gemeente and year: the mean of the quantities finance reads first."""
    chosen = table.filter(pl.col("quantity").is_in(list(OVERVIEW)))
    wide = chosen.pivot(on="quantity", index=["scenario", "gemeente", "year"], values="mean")
    columns = [q for q in OVERVIEW if q in wide.columns]
    notes = table.select("scenario", "gemeente", "year", "note").unique()
    return wide.select("scenario", "gemeente", "year", *columns).join(
        notes, on=["scenario", "gemeente", "year"], how="left", maintain_order="left"
    )


def per_replication(comparison: Comparison) -> pl.DataFrame:
    return pl.concat(
        r.finance.select(pl.lit(name).alias("scenario"), pl.all())
        for name, r in comparison.runs.items()
    )


def inputs(comparison: Comparison) -> pl.DataFrame:
    rows = []
    for name, r in comparison.runs.items():
        m = r.manifest
        for item in m["inputs"]:
            rows.append(
                {
                    "scenario": name,
                    "baseline": comparison.baseline,
                    "seed": m["seed"],
                    "replications": m["replications"],
                    "run_dir": str(r.run_dir),
                    "input_file": item["file"],
                    "sha256": item["sha256"],
                }
            )
    return pl.DataFrame(rows)


def explanation(sheets: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Every column of every sheet, with its meaning; then the quantities of Vergelijking."""
    rows = [
        {"sheet": sheet, "column": column, "meaning": COLUMNS.get(column, "")}
        for sheet, frame in sheets.items()
        for column in frame.columns
    ]
    quantities = sheets["Vergelijking"]["quantity"].unique(maintain_order=True).to_list()
    rows += [
        {"sheet": "Vergelijking", "column": f"quantity = {q}", "meaning": COLUMNS.get(q, "")}
        for q in quantities
    ]
    rows.append(
        {
            "sheet": "(alle)",
            "column": "",
            "meaning": "Alle scenario's zijn gedraaid met dezelfde seed en hetzelfde aantal "
            "replicaties: replicatie r gebruikt in elk scenario dezelfde toevalsgetallen, dus "
            "verschillen zijn gepaard en nauwkeurig.",
        }
    )
    return pl.DataFrame(rows)


def _formats(frame: pl.DataFrame) -> dict[str, str]:
    formats = {}
    for column, dtype in frame.schema.items():
        if not dtype.is_numeric():
            continue
        if column in PLAIN_INTEGERS:
            formats[column] = "0"  # a year reads 2023, not 2,023 (polars' default for integers)
            continue
        formats[column] = PCT_FORMAT if column.endswith("_pct") else EURO_FORMAT
    numeric_stats = ("mean", "p10", "p50", "p90", "diff_mean", "diff_mean_low", "diff_mean_high")
    for column in ("diff_p05", "diff_p95", *numeric_stats):
        if column in frame.columns:
            formats[column] = "#,##0.0"  # quantities mix euros and percentages here
    return formats
