"""comparison.html: several runs side by side, for `simbijstand compare` and for notebooks.

The caseload medians in one chart, the yearly budget gap per scenario with its interval, the
chance of a vangnet claim per year, and the table finance reads, with the differences to a
baseline. Differences are paired replication by replication when the runs share their seed and
number of replications (common random numbers), which makes their intervals narrow and honest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from simbijstand.errors import RunDirectoryError
from simbijstand.projections import TOTAL
from simbijstand.reporting import aggregates, compare_charts
from simbijstand.reporting.html import (
    Cell,
    esc,
    figure,
    howto,
    nav,
    page,
    paragraph,
    section,
    table,
)
from simbijstand.reporting.keyfigures import (
    EXPENDITURE_COLUMNS,
    GAP_COLUMNS,
    without_partial_budgets,
)
from simbijstand.reporting.numbers import (
    date_nl,
    euro,
    number,
    percent,
    result_text,
    year_label,
)
from simbijstand.reporting.rundata import RunData, load_run
from simbijstand.store.files import write_atomic

DIFFERENCE_COLUMNS = (  # (amount, header)
    ("expenditure_eur", "lasten"),
    ("deficit_eur", "tekort"),
    ("vangnet_eur", "vangnet"),
    ("remaining_deficit_eur", "tekort na vangnet"),
)


def write_comparison_report(
    run_dirs: Sequence[Path | str],
    out: Path | str,
    *,
    baseline: Path | str | None = None,
    title: str | None = None,
) -> Path:
    """Write comparison.html for complete run directories; return its path.

    Args:
        run_dirs: the runs, in the order they are shown.
        out: the HTML file to write (for example <folder>/comparison.html).
        baseline: one of `run_dirs`; the table then shows every other run's difference to it,
            and the caseload chart its P10-P90 band. Without it, no differences.
        title: a heading above the comparison; default "Vergelijking van scenario's".
    """
    if not run_dirs:
        raise RunDirectoryError("no run directories to compare; give at least one")
    runs = [load_run(Path(d)) for d in run_dirs]
    html = comparison_html(runs, _baseline_index(run_dirs, baseline), title)
    path = Path(out)
    try:
        write_atomic(path, lambda p: p.write_text(html, encoding="utf-8"))
    except OSError as exc:
        raise RunDirectoryError(f"{path}: cannot write the comparison ({exc.strerror})") from None
    return path


def _baseline_index(run_dirs: Sequence[Path | str], baseline: Path | str | None) -> int | None:
    if baseline is None:
        return None
    wanted = Path(baseline).resolve()
    for i, run_dir in enumerate(run_dirs):
        if Path(run_dir).resolve() == wanted:
            return i
    raise RunDirectoryError(
        f"{baseline}: the baseline is not one of the compared run directories "
        f"({', '.join(str(d) for d in run_dirs)})"
    )


def comparison_html(runs: list[RunData], baseline: int | None, title: str | None = None) -> str:
    names = run_names(runs)
    yearly = {n: aggregates.yearly_finance(r.finance) for n, r in zip(names, runs, strict=True)}
    sections = [
        ("bestand", "Bestand", _caseload(runs, names, baseline)),
        ("tekort", _money_title(yearly), _gap(yearly)),
        ("vangnet", "Kans op een vangnetuitkering", _vangnet(yearly)),
        ("tabel", "Financiën per scenario en jaar", _finance(runs, names, yearly, baseline)),
    ]
    body = [
        _header(runs, names, baseline, title),
        nav([(a, t) for a, t, _ in sections] + [("verantwoording", "Verantwoording")]),
        *(section(a, t, *parts) for a, t, parts in sections),
        _runs_section(runs, names),
    ]
    return page(title or "Vergelijking van scenario's", "\n".join(body))


def run_names(runs: list[RunData]) -> list[str]:
    """Scenario names, with the run directory added where two runs share a name."""
    plain = [r.name for r in runs]
    return [f"{r.name} ({r.run_dir.name})" if plain.count(r.name) > 1 else r.name for r in runs]


def _header(runs: list[RunData], names: list[str], baseline: int | None, title: str | None) -> str:
    items = "".join(
        f"<li><strong>{esc(n)}</strong>{' (basis voor de verschillen)' if i == baseline else ''}"
        f"{': ' + esc(r.description) if r.description else ''}</li>"
        for i, (r, n) in enumerate(zip(runs, names, strict=True))
    )
    regions = {tuple(r.gemeenten) for r in runs}
    warning = (
        paragraph("Let op: de runs gaan niet over dezelfde gemeenten.", "note")
        if len(regions) > 1
        else ""
    )
    where = ", ".join(runs[0].gemeenten) if len(regions) == 1 else "verschillende gemeenten"
    return (
        f"<header>\n<h1>{esc(title or 'Vergelijking van scenario’s')}</h1>\n"
        f'<p class="meta">{esc(where)} · {len(runs)} scenario’s</p>\n</header>\n'
        f'<ul class="keys">{items}</ul>{warning}'
    )


def _caseload(runs: list[RunData], names: list[str], baseline: int | None) -> list[str]:
    band = (
        f" De lichtblauwe band is de 80%-band (P10–P90) van {esc(names[baseline])}: verschillen "
        "tussen de lijnen die binnen die band vallen, zijn klein vergeleken met het toeval."
        if baseline is not None
        else ""
    )
    return [
        figure(compare_charts.caseload_medians(runs, names, baseline), "vergelijking-bestand"),
        howto(
            "Per scenario de <strong>mediaan</strong> van het bestand met BUIG-financiering, "
            "voor alle gemeenten samen: de helft van de gesimuleerde verlopen ligt erboven, de "
            f"helft eronder.{band} De verticale as begint niet bij nul."
        ),
        "<h3>Mediaan op peildata</h3>",
        _caseload_table(runs, names),
    ]


def _caseload_table(runs: list[RunData], names: list[str]) -> str:
    dates = sorted(
        {d for r in runs for d in aggregates.peildata(r.summary["date"].to_list(), r.start, r.end)}
    )
    medians = [
        dict(aggregates.band(r.summary, TOTAL).select("date", "p50").iter_rows()) for r in runs
    ]
    rows: list[list[Cell | str]] = [
        [
            date_nl(day),
            *(_count_cell(name, day, m.get(day)) for name, m in zip(names, medians, strict=True)),
        ]
        for day in dates
    ]
    return table(["peildatum", *names], rows, "vergelijking-bestand")


def _count_cell(name: str, day: dt.date, value: float | None) -> Cell:
    if value is None:
        return Cell("–")
    return Cell(number(value), f"bestand|{name}|{day}|p50", float(value))


def _has(yearly: dict[str, pl.DataFrame], column: str) -> bool:
    return any(column in frame.columns for frame in yearly.values())


def _money_title(yearly: dict[str, pl.DataFrame]) -> str:
    return "Tekort per jaar" if _has(yearly, "deficit_eur_mean") else "BUIG-lasten per jaar"


def _gap(yearly: dict[str, pl.DataFrame]) -> list[str]:
    with_gap = {n: f for n, f in yearly.items() if "deficit_eur_mean" in f.columns}
    if not with_gap:
        svg = compare_charts.yearly_bars(
            yearly,
            "expenditure_eur",
            "BUIG-lasten per jaar",
            "BUIG-lasten per scenario",
            "vergelijking-lasten",
        )
        return [
            figure(svg, "vergelijking-lasten"),
            howto(
                "De runs hebben geen BUIG-budget, dus ook geen tekort: de grafiek toont de "
                "gemiddelde BUIG-lasten per jaar per scenario, met de 80%-band (P10–P90)."
            ),
        ]
    svg = compare_charts.yearly_bars(
        with_gap,
        "deficit_eur",
        "euro per jaar\n← overschot · tekort →",
        "Tekort per scenario",
        "vergelijking-tekort",
    )
    missing = [n for n in yearly if n not in with_gap]
    note = f" Zonder budget, dus niet getoond: {esc(', '.join(missing))}." if missing else ""
    return [
        figure(svg, "vergelijking-tekort"),
        howto(
            "Per jaar en scenario het gemiddelde <strong>tekort</strong>: BUIG-lasten min "
            "BUIG-budget (onder de nullijn een overschot). De zwarte strepen zijn de 80%-band "
            f"(P10–P90): in 8 van de 10 verlopen ligt het tekort daartussen.{note}"
        ),
    ]


def _vangnet(yearly: dict[str, pl.DataFrame]) -> list[str]:
    with_chance = {n: f for n, f in yearly.items() if "p_vangnet" in f.columns}
    if not with_chance:
        return [
            paragraph(
                "De runs hebben geen vangnetberekening (geen budget in het scenario); deze "
                "grafiek verschijnt zodra ze die hebben.",
                "note",
            )
        ]
    return [
        figure(compare_charts.vangnet_chances(with_chance), "vergelijking-vangnet"),
        howto(
            "Per jaar en scenario het deel van de gesimuleerde verlopen waarin de gemeente recht "
            "heeft op een <strong>vangnetuitkering</strong>: het tekort is groot genoeg voor de "
            "voorwaarden van dat jaar. Bij meer gemeenten: minstens één gemeente. Een gearceerde "
            "balk met ‘≤’ is een bovengrens: in een deel van de verlopen is het recht onbekend, "
            "omdat een eerder jaarresultaat ontbreekt."
        ),
    ]


def _finance(
    runs: list[RunData], names: list[str], yearly: dict[str, pl.DataFrame], baseline: int | None
) -> list[str]:
    parts = [
        paragraph(
            "Bedragen in euro’s per jaar, gemiddeld over de replicaties, met P10 en P90; kansen "
            "als deel van de replicaties.",
            "note",
        ),
        "<h3>Lasten en budget</h3>",
        _scenario_years(
            {n: without_partial_budgets(f) for n, f in yearly.items()},
            EXPENDITURE_COLUMNS,
            "vergelijking-lasten",
        ),
    ]
    if _has(yearly, "deficit_eur_mean"):
        parts += [
            "<h3>Tekort en vangnet</h3>",
            _scenario_years(yearly, GAP_COLUMNS, "vergelijking-tekort"),
        ]
    if baseline is not None and len(runs) > 1:
        parts += _differences(runs, names, baseline)
    return parts


def _scenario_years(
    yearly: dict[str, pl.DataFrame], wanted: tuple[tuple[str, str, str], ...], name: str
) -> str:
    columns = [c for c in wanted if _has(yearly, c[0])]
    rows: list[list[Cell | str]] = []
    for scenario, frame in yearly.items():
        for record in frame.iter_rows(named=True):
            year = record["year"]
            row: list[Cell | str] = [scenario, year_label(year, record["months"])]
            row += [_value(f"{scenario}|{year}|{c}", record.get(c), kind) for c, _, kind in columns]
            rows.append(row)
    return table(["scenario", "jaar", *(h for _, h, _ in columns)], rows, name)


def _value(key: str, value: float | None, kind: str) -> Cell:
    """A figure: euro, percent, or diff (a signed euro amount: +€ 1.200, -€ 300)."""
    if value is None:
        return Cell("–")
    if kind == "diff":
        return Cell(_sign(value) + euro(value), key, float(value))
    if kind == "result":
        return Cell(result_text(value, euro), key, float(value))
    return Cell(euro(value) if kind == "euro" else percent(value), key, float(value))


def _sign(value: float) -> str:
    return "+" if round(value, 2) > 0 else ""


def _differences(runs: list[RunData], names: list[str], baseline: int) -> list[str]:
    """One row per scenario, year and amount: the difference to the baseline with its band."""
    base = runs[baseline]
    rows: list[list[Cell | str]] = []
    for run, name in zip(runs, names, strict=True):
        if run is not base:
            rows += _difference_rows(base, run, name)
    return [
        f"<h3>Verschil met {esc(names[baseline])}</h3>",
        paragraph(
            "Scenario min basis, per jaar. Runs met dezelfde seed en hetzelfde aantal "
            "replicaties worden replicatie voor replicatie vergeleken (gepaard, ‘common random "
            "numbers’); P10 en P90 geven dan de <strong>spreiding</strong> van het verschil over "
            "de replicaties (80% ligt ertussen). Dat is geen betrouwbaarheidsinterval van het "
            "gemiddelde verschil: dat is veel smaller en staat als diff_mean_low en "
            "diff_mean_high (90%) in comparison.csv en in de samenvatting in de terminal. Anders "
            "staat alleen het verschil van de gemiddelden er.",
            "note",
        ),
        table(
            [
                "scenario",
                "jaar",
                "grootheid",
                "verschil (gem.)",
                "P10 verschil",
                "P90 verschil",
            ],
            rows,
            "vergelijking-verschil",
        ),
    ]


def _difference_rows(base: RunData, run: RunData, name: str) -> list[list[Cell | str]]:
    paired = run.manifest["seed"] == base.manifest["seed"] and run.replications == base.replications
    diffs = aggregates.differences(base.finance, run.finance, paired)
    chances = _chance_differences(base, run)
    rows: list[list[Cell | str]] = []
    for record in diffs.iter_rows(named=True):
        year = record["year"]
        for column, header in DIFFERENCE_COLUMNS:
            if f"{column}_diff_mean" in record:
                key = f"verschil|{name}|{year}|{column}"
                rows.append(
                    [name, str(year), header]
                    + [
                        _value(f"{key}_{s}", record.get(f"{column}_diff_{s}"), "euro")
                        for s in STATS
                    ]
                )
        if year in chances:
            text = f"{_sign(chances[year])}{number(abs(chances[year]) * 100, 0)} procentpunt"
            cell = Cell(text, f"verschil|{name}|{year}|p_vangnet_mean", chances[year])
            rows.append([name, str(year), "kans op vangnet", cell, Cell("–"), Cell("–")])
    return rows


STATS = ("mean", "p10", "p90")


def _chance_differences(base: RunData, run: RunData) -> dict[int, float]:
    left, right = aggregates.yearly_finance(base.finance), aggregates.yearly_finance(run.finance)
    if "p_vangnet" not in left.columns or "p_vangnet" not in right.columns:
        return {}
    joined = left.join(right, on="year", suffix="_other")
    chances = joined.select("year", pl.col("p_vangnet_other") - pl.col("p_vangnet"))
    return dict(chances.drop_nulls().iter_rows())  # only years known in both runs


def _runs_section(runs: list[RunData], names: list[str]) -> str:
    rows: list[list[Cell | str]] = [
        [
            name,
            str(run.run_dir),
            Cell(str(run.manifest.get("seed", "")), numeric=False),
            Cell(number(run.replications), numeric=False),
            Cell(str(run.manifest.get("simbijstand_version", "")), numeric=False),
            Cell(str(run.manifest.get("created", "")), numeric=False),
        ]
        for run, name in zip(runs, names, strict=True)
    ]
    inputs: list[list[Cell | str]] = [
        [name, item["file"], Cell(item["sha256"], numeric=False)]
        for run, name in zip(runs, names, strict=True)
        for item in run.manifest.get("inputs", [])
    ]
    return section(
        "verantwoording",
        "Verantwoording",
        table(
            ["scenario", "rundirectory", "seed", "replicaties", "versie", "gemaakt op"],
            rows,
            "runs",
        ),
        "<h3>Invoerbestanden (SHA-256)</h3>",
        table(["scenario", "bestand", "SHA-256"], inputs, "inputs"),
    )
