"""report.html of a run with many gemeenten: one overview instead of a fan chart per gemeente.

Per gemeente the caseload at the start, the median at the end with its 80% band, and the
expected change with its band drawn as a small bar on one common percentage scale; the table
sorts by any column (a click on its header); above it the total of all gemeenten. The
single-gemeente report (`report.report_html`) is unchanged: `report` calls this one only when a
run has more than MAX_CHARTED gemeenten.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from simbijstand.projections.summary import TOTAL
from simbijstand.reporting.html import esc, howto, manifest_section, nav, page, section
from simbijstand.reporting.numbers import date_nl, number, pct
from simbijstand.reporting.rundata import RunData

MAX_CHARTED = 8
SCALE_PCT = 30.0  # the bar's scale: -30% to +30%, beyond it the bar is cut off (marked)

SORT_SCRIPT = """
<script>
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.from(body.rows);
    var down = th.dataset.dir !== 'desc';
    th.dataset.dir = down ? 'desc' : 'asc';
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
      var d = isNaN(x) ? x.localeCompare(y, 'nl') : x - y;
      return down ? -d : d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
</script>
"""
EXTRA_CSS = """<style>
table.sortable th { cursor: pointer; white-space: nowrap; }
table.sortable th:hover { text-decoration: underline; }
table.sortable td { font-variant-numeric: tabular-nums; }
td.num { text-align: right; }
svg.band { vertical-align: middle; }
</style>"""


def overview_html(data: RunData) -> str:
    rows = gemeente_rows(data.summary)
    sections = [
        ("totaal", "Alle gemeenten samen", _total(data, rows)),
        ("gemeenten", f"Per gemeente ({len(data.gemeenten)})", _table(data, rows)),
    ]
    body = [
        _header(data),
        nav([(a, t) for a, t, _ in sections] + [("verantwoording", "Verantwoording")]),
        *(section(a, t, *parts) for a, t, parts in sections),
        manifest_section(data.manifest),
        SORT_SCRIPT,
    ]
    return page(f"Prognose bijstand: {data.name}", EXTRA_CSS + "\n".join(body))


def gemeente_rows(summary: pl.DataFrame) -> pl.DataFrame:
    """Per gemeente (and the total): start, end median and band, change in % with its band."""
    totals = summary.filter(pl.col("klantgroep") == TOTAL)
    first, last = totals["date"].min(), totals["date"].max()
    start = totals.filter(pl.col("date") == first).select("gemeente", start="p50")
    end = totals.filter(pl.col("date") == last).select("gemeente", "mean", "p10", "p50", "p90")
    return (
        start.join(end, on="gemeente", maintain_order="left")
        .with_columns(
            [
                ((pl.col(c) / pl.col("start") - 1) * 100).alias(f"change_{c}")
                for c in ("p10", "p50", "p90")
            ]
        )
        .with_columns(pl.col("^change_.*$").fill_nan(None))
    )


def _header(data: RunData) -> str:
    last_day = data.end - dt.timedelta(days=1)
    meta = (
        f"{number(len(data.gemeenten))} gemeenten · {date_nl(data.start)} t/m {date_nl(last_day)}"
        f" · {number(data.replications)} replicaties"
    )
    lead = f'<p class="lead">{esc(data.description)}</p>' if data.description else ""
    return (
        f"<header>\n<h1>Prognose bijstand per gemeente: scenario {esc(data.name)}</h1>\n{lead}\n"
        f'<p class="meta">{esc(meta)}</p>\n</header>'
    )


def _total(data: RunData, rows: pl.DataFrame) -> list[str]:
    total = rows.filter(pl.col("gemeente") == TOTAL).row(0, named=True)
    own = rows.filter(pl.col("gemeente") != TOTAL)
    rising = int((own["change_p50"] > 0).sum())
    falling = int((own["change_p50"] < 0).sum())
    items = [
        f"Bestand bij de start: <strong>{number(total['start'])}</strong>",
        f"Op {date_nl(data.end)} (mediaan): <strong>{number(total['p50'])}</strong>, 80%-band "
        f"{number(total['p10'])} tot {number(total['p90'])}",
        f"Verwachte verandering: <strong>{_signed(total['change_p50'])}</strong> "
        f"(80%-band {_signed(total['change_p10'])} tot {_signed(total['change_p90'])})",
        f"Gemeenten met een verwachte stijging: {rising}, daling: {falling}",
    ]
    lis = "".join(f"<li>{i}</li>" for i in items)
    return [
        f'<ul class="keys">{lis}</ul>',
        howto(
            "Het totaal is per replicatie over de gemeenten opgeteld; de band van het totaal is "
            "dus die van de som, niet de som van de banden. Wat gemeenten per replicatie "
            "gemeen hebben (zoals het landelijke jaar van de gepoolde kalibratie: `gedeeld` in "
            "de parameterbestanden) telt in het totaal volledig mee; wat elke gemeente apart "
            "trekt, valt in de som deels tegen elkaar weg."
        ),
    ]


def _table(data: RunData, rows: pl.DataFrame) -> list[str]:
    own = rows.filter(pl.col("gemeente") != TOTAL).sort("gemeente")
    head = (
        "<thead><tr><th>Gemeente</th><th>Start</th><th>Mediaan eind</th><th>P10</th>"
        "<th>P90</th><th>Verandering</th><th>80%-band verandering</th>"
        f"<th>−{SCALE_PCT:.0f}% … +{SCALE_PCT:.0f}%</th></tr></thead>"
    )
    body = "".join(_row(r) for r in own.iter_rows(named=True))
    return [
        howto(
            f"Per gemeente het bestand bij de start, de <strong>mediaan</strong> op "
            f"{date_nl(data.end)} met de 80%-band (P10–P90), en de verwachte verandering in "
            "procenten. Het balkje toont de 80%-band van de verandering op één schaal voor alle "
            f"gemeenten (−{SCALE_PCT:.0f}% tot +{SCALE_PCT:.0f}%), de streep de mediaan; een "
            "balk die verder loopt, is afgekapt (rood randje). Klik op een kolomkop om te "
            "sorteren; nog een klik keert de volgorde om.",
            "Kleine gemeenten hebben een brede band: een paar personen meer of minder is daar "
            "al een grote verandering in procenten.",
        ),
        f'<table class="sortable">{head}<tbody>{body}</tbody></table>',
    ]


def _row(r: dict[str, object]) -> str:
    cells = [
        f'<td data-v="{esc(r["gemeente"])}">{esc(r["gemeente"])}</td>',
        *(_num(r[c]) for c in ("start", "p50", "p10", "p90")),
        _num(r["change_p50"], signed=True),
        f'<td data-v="{_value(r["change_p90"], r["change_p10"])}">'
        f"{_signed(r['change_p10'])} tot {_signed(r['change_p90'])}</td>",
        f'<td data-v="{_value(r["change_p50"])}">{_bar(r)}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _num(value: object, *, signed: bool = False) -> str:
    shown = _signed(value) if signed else (number(float(value)) if value is not None else "–")  # type: ignore[arg-type]
    return f'<td class="num" data-v="{_value(value)}">{shown}</td>'


def _value(value: object, minus: object = None) -> str:
    """The sort key: a number (the band's width when `minus` is given); empty sorts first."""
    if value is None:
        return "-1e99"
    number_value = float(value) - (float(minus) if minus is not None else 0.0)  # type: ignore[arg-type]
    return f"{number_value:.6g}"


def _signed(value: object) -> str:
    if value is None:
        return "–"
    v = float(value)  # type: ignore[arg-type]
    return ("+" if v > 0 else "") + pct(v, 1)


def _bar(r: dict[str, object], width: int = 160, height: int = 12) -> str:
    if r["change_p50"] is None:
        return ""

    def x(v: object) -> float:
        clipped = max(-SCALE_PCT, min(SCALE_PCT, float(v)))  # type: ignore[arg-type]
        return (clipped + SCALE_PCT) / (2 * SCALE_PCT) * width

    lo, mid, hi = x(r["change_p10"]), x(r["change_p50"]), x(r["change_p90"])
    cut = float(r["change_p10"]) < -SCALE_PCT or float(r["change_p90"]) > SCALE_PCT  # type: ignore[arg-type]
    stroke = ' stroke="#c0392b" stroke-width="1.5"' if cut else ""
    return (
        f'<svg class="band" width="{width}" height="{height}" role="img">'
        f'<line x1="{width / 2}" y1="0" x2="{width / 2}" y2="{height}" stroke="#999"/>'
        f'<rect x="{lo:.1f}" y="2" width="{max(hi - lo, 1):.1f}" height="{height - 4}" '
        f'fill="#9ecae1"{stroke}/>'
        f'<line x1="{mid:.1f}" y1="0" x2="{mid:.1f}" y2="{height}" stroke="#08519c" '
        'stroke-width="2"/></svg>'
    )
