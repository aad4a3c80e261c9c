"""report.html of a run: key figures, five charts each with how to read it, and the manifest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from simbijstand.errors import RunDirectoryError
from simbijstand.reporting import (
    aggregates,
    charts,
    finance_charts,
    keyfigures,
    overview,
    rules_text,
)
from simbijstand.reporting.bands_text import bands_calibration
from simbijstand.reporting.html import (
    esc,
    figure,
    howto,
    manifest_section,
    nav,
    page,
    paragraph,
    section,
    table,
)
from simbijstand.reporting.numbers import date_nl, number
from simbijstand.reporting.rundata import RunData, load_run
from simbijstand.store.files import write_atomic
from simbijstand.store.rundir import REPORT


def write_report(
    run_dir: Path, manifest: dict[str, Any] | None = None, out: Path | None = None
) -> Path:
    """Write the report of a run directory (default: RUN_DIR/report.html); return its path.

    Without `manifest` the run must be complete; the run pipeline passes the manifest it is
    about to write, so the report can come before it (and be in its checksums)."""
    html = report_html(load_run(run_dir, manifest))
    path = out or run_dir / REPORT
    try:
        write_atomic(path, lambda p: p.write_text(html, encoding="utf-8"))
    except OSError as exc:
        raise RunDirectoryError(f"{path}: cannot write the report ({exc.strerror})") from None
    return path


def report_html(data: RunData) -> str:
    if len(data.gemeenten) > overview.MAX_CHARTED:  # hundreds of fan charts help nobody
        return overview.overview_html(data)
    sections = [
        ("kerncijfers", "Kerncijfers", _key_figures(data)),
        ("bestand", "Bestand", _caseload(data)),
        ("klantgroepen", "Klantgroepen", _groups(data)),
        ("stromen", "Instroom en uitstroom", _flows(data)),
        ("financien", "BUIG-lasten" + (" en budget" if _has_budget(data) else ""), _money(data)),
    ]
    rules = _rules(data)
    if rules:
        sections.append(("regels", "Regels", rules))
    measures = _measures(data)
    if measures:
        sections.append(("trajecten", "Trajecten", measures))
    body = [
        _header(data),
        nav([(a, t) for a, t, _ in sections] + [("verantwoording", "Verantwoording")]),
        *(section(a, t, *parts) for a, t, parts in sections),
        manifest_section(data.manifest),
        _footer(data),
    ]
    return page(f"Prognose bijstand: {data.name}", "\n".join(body))


def _header(data: RunData) -> str:
    last_day = data.end - dt.timedelta(days=1)  # the end is exclusive
    period = f"{date_nl(data.start)} t/m {date_nl(last_day)}"
    meta = " · ".join(
        [", ".join(data.gemeenten), period, f"{number(data.replications)} replicaties"]
    )
    description = f'<p class="lead">{esc(data.description)}</p>' if data.description else ""
    return (
        f"<header>\n<h1>Prognose bijstand en BUIG-lasten: scenario {esc(data.name)}</h1>\n"
        f'{description}\n<p class="meta">{esc(meta)}</p>\n</header>'
    )


def _key_figures(data: RunData) -> list[str]:
    items = "".join(f"<li>{item}</li>" for item in keyfigures.headline(data))
    return [
        f'<ul class="keys">{items}</ul>',
        "<h3>Bestand op peildata (uitkeringen met BUIG-financiering)</h3>",
        keyfigures.caseload_table(data),
        "<h3>BUIG-lasten per jaar</h3>",
        *keyfigures.finance_tables(data),
    ]


def _caseload(data: RunData) -> list[str]:
    history = data.history is not None
    last = aggregates.band(data.summary, aggregates.shown_gemeenten(data.summary)[-1]).row(-1)
    return [
        figure(charts.caseload_fan(data), "bestand"),
        howto(
            "De donkerblauwe lijn is de <strong>mediaan</strong>: de helft van de "
            f"{number(data.replications)} gesimuleerde verlopen ligt erboven, de helft eronder. "
            "In de donkere band ligt de middelste helft van de verlopen (P25–P75), in de lichte "
            "band 80% (P10–P90). Hoe verder vooruit, hoe breder de band: de onzekerheid groeit.",
            (
                "De zwarte lijn met punten is het <strong>waargenomen</strong> bestand. "
                if history
                else ""
            )
            + "De stippellijn markeert de start van de prognose; het getal aan het eind is de "
            f"mediaan op {date_nl(last[0])} met de 80%-band.",
            "Geteld zijn uitkeringen met BUIG-financiering. Let op: de verticale as begint niet "
            "bij nul, zodat de band goed te zien is.",
        ),
    ]


def _groups(data: RunData) -> list[str]:
    return [
        figure(charts.klantgroepen_chart(data), "klantgroepen"),
        howto(
            "Elk paneel is één klantgroep, voor alle gemeenten samen. De lijn is de mediaan, de "
            "band bevat 80% van de verlopen (P10–P90). Boven elk paneel staat het aantal bij de "
            "start en aan het eind (mediaan).",
            "Elk paneel heeft zijn eigen schaal, beginnend bij nul: vergelijk de vorm, lees de "
            "aantallen af op de as. Een groep met ‘(geen BUIG)’ telt niet mee in het BUIG-bestand "
            "en de lasten.",
        ),
        "<h3>Mediaan per klantgroep op peildata</h3>",
        keyfigures.groups_table(data),
    ]


def _flows(data: RunData) -> list[str]:
    return [
        figure(charts.flows_chart(data), "stromen"),
        howto(
            "Per maand het gemiddelde aantal uitkeringen dat <strong>begint</strong> (boven de "
            "nullijn) en dat <strong>eindigt</strong> (eronder, per uitstroomroute), over alle "
            "replicaties. De zwarte lijn is het saldo: boven nul groeit het bestand, eronder "
            "krimpt het.",
            "Een overstap naar of van een klantgroep zonder BUIG telt als uit- of instroom. "
            "Doorstroom tussen klantgroepen met BUIG verandert het bestand niet en staat hier "
            "niet.",
        ),
        "<h3>Gemiddeld per jaar</h3>",
        keyfigures.flows_table(data),
    ]


def _has_budget(data: RunData) -> bool:
    return any(keyfigures.has_values(data.finance, c) for c in ("budget_eur", "deficit_eur"))


def _money(data: RunData) -> list[str]:
    yearly = aggregates.yearly_finance(data.finance)
    text = [
        "De balken zijn de gemiddelde BUIG-lasten per jaar, de zwarte strepen de 80%-band "
        "(P10–P90). Bedragen in miljoenen euro’s, in prijzen van het jaar zelf. Een jaar dat maar "
        "deels in de prognose valt, heeft minder maanden (tussen haakjes)."
    ]
    if keyfigures.has_values(yearly, "net_expenditure_eur_mean"):
        text.append(
            "Donkerblauw: de <strong>netto</strong> lasten van een volledig jaar (lasten min "
            "terugvordering en verhaal, plus loonkostensubsidie), die tegen het budget worden "
            "gezet. Lichtblauw: alleen de gesimuleerde maanden van een jaar dat deels in de "
            "prognose valt; daarvoor is geen tekort te berekenen."
        )
    if keyfigures.has_values(yearly, "budget_eur_mean"):
        text.append("De oranje streep is het BUIG-budget van het jaar.")
    if keyfigures.has_values(yearly, "deficit_eur_mean"):
        text.append(_gap_howto(yearly))
    else:
        text.append("Deze run heeft geen BUIG-budget; tekort en vangnet staan er daarom niet in.")
    return [figure(finance_charts.finance_chart(data), "financien"), howto(*text), *_notes(data)]


def _notes(data: RunData) -> list[str]:
    """The finance module's notes: partial years, provisional budgets, unknown results."""
    if data.finance_notes is None or data.finance_notes.height == 0:
        return []
    several = len(data.gemeenten) > 1
    items = "".join(
        f"<li>{esc(gemeente) + ', ' if several else ''}{year}: {esc(note)}</li>"
        for gemeente, year, note in data.finance_notes.iter_rows()
    )
    return ["<h3>Toelichting</h3>", f'<ul class="keys note">{items}</ul>']


def _gap_howto(yearly: pl.DataFrame) -> str:
    text = (
        "Onder: het <strong>tekort</strong> (lasten min budget; onder de nullijn een overschot) "
        "met zijn 80%-band"
    )
    if "vangnet_eur_mean" in yearly.columns:
        text += ", de verwachte vangnetuitkering en het tekort dat de gemeente zelf draagt"
    if "p_vangnet" in yearly.columns:
        text += (
            "; erboven de kans dat de gemeente recht heeft op een vangnetuitkering (‘≤’: een "
            "bovengrens, want in een deel van de verlopen is het recht onbekend omdat een eerder "
            "jaarresultaat ontbreekt)"
        )
    return text + "."


def _rules(data: RunData) -> list[str]:
    """The vangnet regime of every year with how sure its rules are, and what was carried."""
    regimes = rules_text.regime_rows(data.manifest)
    if not regimes:
        return []
    header = ["jaren", "regime", "drempel", "voorwaarden", "schijven", "doorgetrokken"]
    keys = ["jaren", "regime", "drempel", "voorwaarden", "schijven", "doorgetrokken"]
    parts = [
        "<h3>Vangnetregime per jaar</h3>",
        table(header, [[r[k] or "–" for k in keys] for r in regimes], "regimes"),
        paragraph(esc(rules_text.CERTAINTY_EXPLAINED.capitalize()) + ".", "note"),
    ]
    carried = rules_text.carried_rows(data.manifest)
    if carried:
        items = "".join(
            f"<li><strong>{esc(c['naam'])}</strong>: bekend t/m {esc(c['laatst_bekend'])}; "
            f"{esc(c['waarde'])}</li>"
            for c in carried
        )
        parts += [
            "<h3>Doorgetrokken voorbij de laatst bekende waarde</h3>",
            f'<ul class="keys note">{items}</ul>',
        ]
    return parts


def _measures(data: RunData) -> list[str]:
    svg = charts.measures_chart(data)
    if svg is None:
        return []
    parts = [
        figure(svg, "trajecten"),
        howto(
            "Per traject het gemiddelde aantal <strong>deelnemers</strong> per maand "
            "(doorgetrokken lijn) en het aantal cliënten dat op een plek <strong>wacht</strong> "
            "(gestippeld). Een lange wachtrij betekent dat de capaciteit het effect van de "
            "maatregel afremt.",
        ),
    ]
    cost = keyfigures.measures_cost_table(data)
    if cost:
        parts += ["<h3>Kosten per jaar (gemiddeld, uit het participatiebudget)</h3>", cost]
    return parts


def _footer(data: RunData) -> str:
    version = esc(data.manifest.get("simbijstand_version", ""))
    return (
        f"<footer>Gemaakt met simbijstand {version}: een simulatie van elke uitkering, "
        f"{number(data.replications)} keer herhaald met toevallige variatie. De banden tonen "
        f"{_band_sources(data.manifest)}; onzekerheid in de aannames van het scenario zelf zit er "
        f"niet in.{_calibrated(data.manifest)}</footer>"
    )


def _calibrated(manifest: dict[str, Any]) -> str:
    note = bands_calibration(manifest)
    return "" if note is None else " " + esc(note)


def _band_sources(manifest: dict[str, Any]) -> str:
    """What the bands show, from the manifest's `uncertainty.bands` (older runs: chance)."""
    bands = manifest.get("uncertainty", {}).get("bands", "toeval")
    parts = ["die variatie"]
    if "parameteronzekerheid" in bands:
        parts.append("de onzekerheid in de geschatte parameters")
    if "schommeling" in bands:
        parts.append("blijvende schommelingen van de instroom (economie, beleid)")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
