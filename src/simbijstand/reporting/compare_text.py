"""What `simbijstand compare` prints: a summary in Dutch, or JSON for scripts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from simbijstand.finance.summary import PROVISIONAL_NOTE
from simbijstand.reporting.finance_text import chance_of_vangnet
from simbijstand.reporting.numbers import pct, result_text, thousands
from simbijstand.reporting.table import table

if TYPE_CHECKING:
    from simbijstand.runs.compare import Comparison

HEADER = [
    "jaar",
    "scenario",
    "netto lasten",
    "tekort",
    "kans tekort",
    "kans vangnet",
    "vangnet",
    "rest tekort",
    "verschil na vangnet",
    "(90%-BI gem.)",
]
MEASURES_HEADER = ["jaar", "scenario", "extra kosten", "BUIG-besparing", "netto effect", "(90%)"]


def compare_summary(comparison: Comparison) -> str:
    c = comparison
    lines = [
        f"Vergelijking van {', '.join(c.runs)} met {c.baseline} als basis",
        f"{c.replications} gepaarde replicaties (seed {c.seed}, in elk scenario dezelfde "
        "toevalsgetallen); bedragen x € 1.000, gemiddelden; netto lasten = de lasten die tegen "
        "het budget worden gezet",
        "90%-BI gem. = 90%-betrouwbaarheidsinterval van het gemiddelde gepaarde verschil (hoe "
        "zeker het gemiddelde is), geen P10–P90-spreiding van de uitkomsten",
    ]
    for gemeente in c.table["gemeente"].unique(maintain_order=True).to_list():
        rows = c.table.filter(pl.col("gemeente") == gemeente)
        lines += ["", gemeente, *table(HEADER, _rows(rows, list(c.runs), c.baseline), left=2)]
    if c.table["note"].str.contains(PROVISIONAL_NOTE, literal=True).any():
        lines.append("  tekort berekend op een voorlopig budget waar geen definitief bekend is")
    if c.table["note"].str.contains("recht op vangnet soms onbekend", literal=True).any():
        lines.append(
            "  onbekend: recht op vangnet hangt af van resultaten die het scenario niet geeft "
            "(zie note in comparison.csv); ≤ x% = hooguit de kans op de eenjarige voorwaarde"
        )
    if c.measures is not None:
        lines += ["", *_measures(c.measures, c.baseline)]
    lines += ["", f"Uitvoer: {c.compare_dir}", f"Rapport: {c.compare_dir / 'comparison.html'}"]
    return "\n".join(lines)


def compare_json(comparison: Comparison, workbook: Path | None) -> dict[str, object]:
    """The comparison's table and where its files are; `workbook` if one was written."""
    c = comparison
    return {
        "compare_dir": str(c.compare_dir),
        "baseline": c.baseline,
        "seed": c.seed,
        "replications": c.replications,
        "runs": {name: str(r.run_dir) for name, r in c.runs.items()},
        "workbook": None if workbook is None else str(workbook),
        "rows": c.table.to_dicts(),
        "measures": None if c.measures is None else c.measures.to_dicts(),
    }


def _rows(rows: pl.DataFrame, scenarios: list[str], baseline: str) -> list[list[str]]:
    out = []
    for year in rows["year"].unique(maintain_order=True).to_list():
        for scenario in scenarios:
            part = rows.filter((pl.col("year") == year) & (pl.col("scenario") == scenario))
            stats = {r["quantity"]: r for r in part.iter_rows(named=True)}
            if "deficit_eur" in stats:
                out.append([str(year), scenario, *_cells(stats, scenario == baseline)])
    return out


def _cells(stats: dict[str, dict], is_baseline: bool) -> list[str]:
    rest = stats["remaining_deficit_eur"]
    diff = "–" if is_baseline else thousands(rest["diff_mean"])
    interval = ""
    if not is_baseline and rest["diff_mean"] is not None:
        interval = f"({thousands(rest['diff_mean_low'])} – {thousands(rest['diff_mean_high'])})"
    return [
        thousands(stats["net_expenditure_eur"]["mean"]),
        thousands(stats["deficit_eur"]["mean"]),
        pct(stats["p_deficit_pct"]["mean"], 0),
        chance_of_vangnet(stats),
        thousands(stats["vangnet_eur"]["mean"]),
        result_text(rest["mean"], thousands),
        diff,
        interval,
    ]


def _measures(measures: pl.DataFrame, baseline: str) -> list[str]:
    rows = []
    with_cost = measures.filter(
        (pl.col("quantity") == "measures_extra_cost_eur") & (pl.col("diff_mean") != 0)
    )["scenario"]
    others = measures.filter(
        (pl.col("scenario") != baseline) & pl.col("scenario").is_in(with_cost.implode())
    )
    for (gemeente, year, scenario), part in others.group_by(
        "gemeente", "year", "scenario", maintain_order=True
    ):
        stats = {r["quantity"]: r for r in part.iter_rows(named=True)}
        net = stats["net_effect_eur"]
        rows.append(
            [
                f"{year} {gemeente}",
                str(scenario),
                thousands(stats["measures_extra_cost_eur"]["diff_mean"]),
                thousands(stats["buig_saving_eur"]["diff_mean"]),
                thousands(net["diff_mean"]),
                f"({thousands(net['diff_mean_low'])} – {thousands(net['diff_mean_high'])})",
            ]
        )
    title = (
        f"Maatregelen t.o.v. {baseline} (x € 1.000): extra kosten (Participatiebudget), "
        "besparing op de BUIG-lasten en netto effect = besparing - kosten"
    )
    return [title, *table(MEASURES_HEADER, rows, left=2)]
