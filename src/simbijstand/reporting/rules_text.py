"""The rules a run applied, in Dutch: the vangnet regime of every year with the certainty of its
conditions and tiers, and every value carried beyond its last known date.

Read from the manifest's `regels` (written by the run from `scenario.rules.rules_in_force`);
runs made before it have none, and then nothing is said.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from simbijstand.reporting.numbers import pct, pct_range

CERTAINTY_NL = {"bevestigd": "bevestigd", "gangbaar": "gangbaar", "onbekend": "onbekend"}
CERTAINTY_EXPLAINED = (
    "bevestigd = nagegaan in de wet of bij de toetsingscommissie; gangbaar = de waarde die "
    "gemeenten noemen, niet in de bron nagegaan; onbekend = niet bekend, het bedrag blijft open"
)


def regime_rows(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per run of consecutive years with the same regime and certainties."""
    years = manifest.get("regels", {}).get("vangnet", [])
    rows = []
    for _, group in groupby(years, key=_regime_key):
        items = list(group)
        first, last = items[0], items[-1]
        carried = [y["jaar"] for y in items if y["doorgetrokken"]]
        rows.append(
            {
                "jaren": _years(first["jaar"], last["jaar"]),
                "regime": first["regime"],
                "drempel": pct(first["drempel_pct"]),
                "voorwaarden": CERTAINTY_NL[first["voorwaarden_zekerheid"]],
                "schijven": _tiers_text(first),
                "doorgetrokken": _years(carried[0], carried[-1]) if carried else "",
            }
        )
    return rows


def carried_rows(manifest: dict[str, Any]) -> list[dict[str, str]]:
    """What was carried, in Dutch: naam, laatst_bekend, waarde (what the run used after it)."""
    return [_carried_text(c) for c in manifest.get("regels", {}).get("doorgetrokken", [])]


def _carried_text(carried: dict[str, Any]) -> dict[str, str]:
    what, value, first = carried["wat"], carried["waarde"], carried["vanaf"]
    last = _period(str(carried["laatst_bekend"]))
    if what == "aow_leeftijd":
        text = f"{value // 12} jaar en {value % 12} maanden, ook in {first} en later"
        return {"naam": "AOW-leeftijd", "laatst_bekend": last, "waarde": text}
    if what == "bijstandsnorm":
        text = f"daarna {pct(value * 100, 2)} per 1 januari (kosten.indexatie_per_jaar)"
        name = "bijstandsnorm (indexatie van de kosten per uitkeringsmaand)"
        return {"naam": name, "laatst_bekend": last, "waarde": text}
    text = f"ook toegepast in {first} en later (geldt tot nader order)"
    return {"naam": f"vangnetregime {value}", "laatst_bekend": last, "waarde": text}


def _period(key: str) -> str:
    """'2031' as it is; a half year '2025-2' as '2e halfjaar 2025'."""
    if "-" not in key:
        return key
    year, half = key.split("-")
    return f"{half}e halfjaar {year}"


def rules_block(manifest: dict[str, Any]) -> list[str]:
    """The terminal's lines: regimes per year, then what was carried forward."""
    rows = regime_rows(manifest)
    if not rows:
        return []
    lines = ["", "Vangnet per jaar (regime; zekerheid van voorwaarden en schijven):"]
    for r in rows:
        carried = f"; {r['doorgetrokken']} doorgetrokken" if r["doorgetrokken"] else ""
        lines.append(
            f"  {r['jaren']}: {r['regime']}, drempel {r['drempel']}; voorwaarden "
            f"{r['voorwaarden']}, schijven {r['schijven']}{carried}"
        )
    lines.append(f"  ({CERTAINTY_EXPLAINED})")
    carried_values = carried_rows(manifest)
    if carried_values:
        lines.append("Doorgetrokken voorbij de laatst bekende waarde:")
        lines += [
            f"  {c['naam']}: bekend t/m {c['laatst_bekend']}; {c['waarde']}" for c in carried_values
        ]
    return lines


def _regime_key(year: dict[str, Any]) -> tuple[Any, ...]:
    return (year["regime"], year["voorwaarden_zekerheid"], _tiers_text(year))


def _tiers_text(year: dict[str, Any]) -> str:
    """'bevestigd' when all tiers share a certainty, else each tier's: '0–5% bevestigd, ...'."""
    tiers = year["schijven"]
    certainties = {t["zekerheid"] for t in tiers}
    if len(certainties) == 1:
        return CERTAINTY_NL[certainties.pop()]
    return ", ".join(f"{_band(t)} {CERTAINTY_NL[t['zekerheid']]}" for t in tiers)


def _band(tier: dict[str, Any]) -> str:
    if tier["tot_pct"] is None:
        return f"boven {pct(tier['van_pct'])}"
    return pct_range(tier["van_pct"], tier["tot_pct"])


def _years(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"
