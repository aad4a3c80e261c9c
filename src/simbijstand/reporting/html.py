"""HTML building blocks for self-contained reports: one file, inline CSS and SVG, no scripts,
no external fonts or images, so it opens offline and can be mailed as it is."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simbijstand.reporting.numbers import number
from simbijstand.store.rundir import REPORT

CSS = """
:root { --ink: #1f2328; --muted: #57606a; --line: #d8dee4; --accent: #0072B2; --soft: #f4f7fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 32px 48px; }
header { border-bottom: 4px solid var(--accent); padding-bottom: 14px; margin-bottom: 8px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 1.35rem; margin: 0 0 6px; }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
.lead { font-size: 1.1rem; margin: 4px 0; }
.meta, .note { color: var(--muted); font-size: 0.92rem; }
nav { font-size: 0.92rem; margin: 10px 0 4px; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; white-space: nowrap; }
section { padding: 22px 0 10px; border-bottom: 1px solid var(--line); break-inside: avoid; }
figure { margin: 10px 0 6px; }
figure svg { width: 100%; height: auto; display: block; }
.howto { background: var(--soft); border-left: 4px solid var(--accent); padding: 8px 14px;
  margin: 8px 0 4px; font-size: 0.95rem; }
.howto p { margin: 4px 0; }
.howto strong { font-weight: 600; }
ul.keys { padding-left: 20px; margin: 6px 0 12px; }
ul.keys li { margin: 3px 0; }
table { border-collapse: collapse; margin: 8px 0 14px; font-size: 0.92rem; }
th, td { padding: 4px 12px 4px 0; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { font-weight: 600; border-bottom: 2px solid var(--ink); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num, td:first-child, table[data-table^="vergelijking"] td { white-space: nowrap; }
table[data-table="inputs"] td:last-child, table[data-table="outputs"] td:last-child {
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.8rem; }
.scroll { overflow-x: auto; }
footer { color: var(--muted); font-size: 0.85rem; padding-top: 16px; }
@media print { main { padding: 0; } section { break-inside: avoid; } nav { display: none; } }
"""


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: the text shown and, for figures, the exact value and a key for tests and
    scripts (`data-key`, `data-value`)."""

    text: str
    key: str | None = None
    value: float | None = None
    numeric: bool = True


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def section(anchor: str, title: str, *parts: str) -> str:
    return (
        f'<section id="{esc(anchor)}">\n<h2>{esc(title)}</h2>\n' + "\n".join(parts) + "\n</section>"
    )


def nav(links: list[tuple[str, str]]) -> str:
    return "<nav>" + "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t in links) + "</nav>"


def figure(svg: str, name: str) -> str:
    return f'<figure class="chart" data-chart="{esc(name)}">\n{svg}\n</figure>'


def howto(*paragraphs: str) -> str:
    """'How to read this chart': paragraphs are HTML (the caller escapes data in them)."""
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f'<div class="howto"><p><strong>Zo leest u deze grafiek.</strong></p>{text}</div>'


def paragraph(text: str, css: str = "") -> str:
    return f'<p class="{css}">{text}</p>' if css else f"<p>{text}</p>"


def table(header: list[str], rows: list[list[Cell | str]], name: str = "") -> str:
    """A table; Cell values become right-aligned figures with data attributes."""
    numeric = [
        all(isinstance(r[i], Cell) and r[i].numeric for r in rows) for i in range(len(header))
    ]
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if n else f"<th>{esc(h)}</th>"
        for h, n in zip(header, numeric, strict=True)
    )
    body = "\n".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    attribute = f' data-table="{esc(name)}"' if name else ""
    return (
        f'<div class="scroll"><table{attribute}>\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody></table></div>"
    )


def _cell(cell: Cell | str) -> str:
    if isinstance(cell, str):
        return f"<td>{esc(cell)}</td>"
    attributes = ' class="num"' if cell.numeric else ""
    if cell.key is not None and cell.value is not None:
        attributes += f' data-key="{esc(cell.key)}" data-value="{cell.value!r}"'
    return f"<td{attributes}>{esc(cell.text)}</td>"


def manifest_section(manifest: dict[str, Any], anchor: str = "verantwoording") -> str:
    """The run's record: how it was made (seed, replications, version) and from which files."""
    horizon = manifest.get("horizon", {})
    scenario_file = str(manifest["scenario"].get("file", ""))
    facts = [
        ("scenariobestand", Path(scenario_file).name),
        ("seed", str(manifest.get("seed", ""))),
        ("replicaties", number(manifest.get("replications", 0))),
        ("periode", f"{horizon.get('start', '')} tot {horizon.get('end', '')}"),
        ("gemaakt op", manifest.get("created", "")),
        ("simbijstand-versie", manifest.get("simbijstand_version", "")),
        ("events", _events_fact(manifest.get("events", {}))),
        ("rekentijd", _timings_fact(manifest.get("timings", {}))),
        ("omgeving", _environment_fact(manifest.get("environment", {}))),
    ]
    inputs = [
        [_relative(f["file"], scenario_file), Cell(f["sha256"], numeric=False)]
        for f in manifest.get("inputs", [])
    ]
    outputs = [
        [name, Cell(digest, numeric=False)]
        for name, digest in manifest.get("outputs", {}).items()
        if name != REPORT  # the report cannot hold its own checksum
    ]
    return section(
        anchor,
        "Verantwoording",
        paragraph(
            "Met deze gegevens is de berekening te herhalen: hetzelfde scenario met dezelfde "
            "invoerbestanden, seed en versie geeft dezelfde uitkomsten. Paden van "
            "invoerbestanden zijn gezien vanuit de map van het scenario.",
            "note",
        ),
        table(["gegeven", "waarde"], [[k, Cell(v, numeric=False)] for k, v in facts], "manifest"),
        "<h3>Invoerbestanden (SHA-256)</h3>",
        table(["bestand", "SHA-256"], inputs, "inputs"),
        "<h3>Uitvoerbestanden (SHA-256)</h3>",
        table(["bestand", "SHA-256"], outputs, "outputs"),
    )


def _relative(file: str, scenario_file: str) -> str:
    """An input's path as the scenario names it (relative to the scenario's folder), not as it
    lies on the machine that ran it."""
    if not scenario_file or not Path(file).is_absolute():
        return file
    return os.path.relpath(file, Path(scenario_file).resolve().parent)


def _events_fact(events: dict[str, Any]) -> str:
    if not events:
        return ""
    return (
        f"{number(events.get('total_events', 0))} gebeurtenissen; logboek bewaard van "
        f"{number(events.get('kept_replications', 0))} replicaties "
        f"(schemaversie {events.get('schema_version', '?')})"
    )


def _timings_fact(timings: dict[str, Any]) -> str:
    # Only the phases before the report: the report cannot know how long it takes itself.
    parts = [
        ("voorbereiden", "prepare_s"),
        ("simuleren", "simulate_s"),
        ("wegschrijven", "write_s"),
    ]
    return ", ".join(f"{name} {number(timings[k], 1)} s" for name, k in parts if k in timings)


def _environment_fact(environment: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in environment.items())
