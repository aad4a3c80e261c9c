"""The overview report for runs with many gemeenten; few gemeenten keep the full report."""

from __future__ import annotations

import datetime as dt

import polars as pl

from simbijstand.reporting.overview import MAX_CHARTED, gemeente_rows, overview_html


def _summary(names: list[str]) -> pl.DataFrame:
    rows = []
    for i, name in enumerate([*names, "totaal"]):
        start = 100.0 * (i + 1) if name != "totaal" else 100.0 * sum(range(1, len(names) + 1))
        for date, factor in ((dt.date(2017, 1, 1), 1.0), (dt.date(2018, 1, 1), 1.1)):
            value = start * factor
            rows.append(
                {"gemeente": name, "klantgroep": "totaal", "date": date, "mean": value,
                 "p05": value * 0.9, "p10": value * 0.95, "p25": value, "p50": value,
                 "p75": value, "p90": value * 1.05, "p95": value * 1.1}
            )  # fmt: skip
    return pl.DataFrame(rows)


def test_rows_give_change_and_band_per_gemeente():
    rows = gemeente_rows(_summary(["A", "B"]))
    a = rows.filter(pl.col("gemeente") == "A").row(0, named=True)
    assert a["start"] == 100 and abs(a["p50"] - 110) < 1e-9
    assert abs(a["change_p50"] - 10) < 1e-9 and abs(a["change_p10"] - 4.5) < 1e-9


class _Data:
    def __init__(self, names: list[str]) -> None:
        self.summary = _summary(names)
        self.gemeenten = names
        self.name = "test"
        self.description = "beschrijving"
        self.replications = 10
        self.start = dt.date(2017, 1, 1)
        self.end = dt.date(2018, 1, 1)
        self.manifest = {}


def test_overview_has_sortable_table_and_total(monkeypatch):
    names = [f"G{i}" for i in range(MAX_CHARTED + 5)] + ["'s-Gravenhage"]
    monkeypatch.setattr("simbijstand.reporting.overview.manifest_section", lambda m: "")
    html = overview_html(_Data(names))  # type: ignore[arg-type]
    assert html.count("<tr><td") == len(names)
    assert 'class="sortable"' in html and "addEventListener" in html
    assert "&#x27;s-Gravenhage" in html or "&#39;s-Gravenhage" in html
    assert "Alle gemeenten samen" in html and "+10,0%" in html


def test_the_terminal_shows_many_gemeenten_as_their_total() -> None:
    from simbijstand.reporting.terminal import _caseload_table

    start, end = dt.date(2017, 1, 1), dt.date(2018, 1, 1)
    many = _caseload_table(_summary([f"G{i}" for i in range(MAX_CHARTED + 1)]), start, end)
    assert f"{MAX_CHARTED + 1} gemeenten samen" in many[0] and "report.html" in many[0]
    assert many[1].split() == ["peildatum", "totaal"]
    assert "G0" not in "\n".join(many)
    few = _caseload_table(_summary([f"G{i}" for i in range(MAX_CHARTED)]), start, end)
    assert few[1].split() == ["peildatum", *(f"G{i}" for i in range(MAX_CHARTED)), "totaal"]
