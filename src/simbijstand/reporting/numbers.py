"""Numbers, amounts, dates and names the way Dutch readers write them: 1.234, € 12,3 mln,
12,5%, 1 jul 2020, leren en ontwikkelen. The one home of Dutch notation: the terminal, the HTML
reports and the charts all format through these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
UNKNOWN = "onbekend"
THOUSAND = 1_000  # municipal finance reads amounts "x € 1.000"


def number(value: float, decimals: int = 0) -> str:
    """Dutch notation: 12.345.678 and 1.234,5."""
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not any(c not in "-0.," for c in text):
        text = text[1:]  # -0 and -0,0 after rounding read as 0
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def euro(value: float | None) -> str:
    """Whole euros: € 12.345 and -€ 1.200; None: onbekend."""
    if value is None:
        return UNKNOWN
    sign = "-" if round(value) < 0 else ""
    return f"{sign}€ {number(abs(value))}"


def thousands(value: float | None) -> str:
    """Euros in thousands, as municipal finance tables show them ("x € 1.000"): 12.346 for
    € 12.345.678; None: onbekend."""
    return UNKNOWN if value is None else number(value / THOUSAND)


def millions(value: float, decimals: int = 1) -> str:
    """Millions without the euro sign, for a column that says it is euros: 12,3 mln."""
    return f"{number(value / 1e6, decimals)} mln"


def euro_mln(value: float, decimals: int = 1) -> str:
    """Millions of euros: € 12,3 mln and -€ 0,4 mln."""
    sign = "-" if round(value / 1e6, decimals) < 0 else ""
    return f"{sign}€ {millions(abs(value), decimals)}"


def percent(share: float, decimals: int = 0) -> str:
    """A share (0.125) as a Dutch percentage: 12,5%."""
    return pct(share * 100, decimals)


def pct(value: float | None, decimals: int | None = None) -> str:
    """A figure already in percent (12.5, as in the `*_pct` columns): 12,5%; None: onbekend.
    Without `decimals`: none for whole numbers, one otherwise (band limits 5% and 12,5%)."""
    return UNKNOWN if value is None else f"{_pct_number(value, decimals)}%"


def pct_range(low: float, high: float) -> str:
    """A band of percentages: 7,5–12,5%."""
    return f"{_pct_number(low)}–{pct(high)}"


def _pct_number(value: float, decimals: int | None = None) -> str:
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return number(value, decimals)


def year_label(year: int, months: int, separator: str = " ") -> str:
    """A year, and how many months of it a run covers when not all: 2020 (6 mnd)."""
    return str(year) if months == 12 else f"{year}{separator}({months} mnd)"


def date_nl(day: dt.date) -> str:
    """1 jul 2020."""
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def month_nl(day: dt.date) -> str:
    """jul 2020."""
    return f"{MONTHS_NL[day.month - 1]} {day.year}"


def label(name: str) -> str:
    """A key as a reader sees it: leren_en_ontwikkelen -> leren en ontwikkelen."""
    return name.replace("_", " ")


def gemeente_title(gemeente: str) -> str:
    return "Totaal van de gemeenten" if gemeente == "totaal" else gemeente


def flow_name(kind: str, category: str) -> str:
    """A row of the flow tables: instroom, uitstroom: werk, saldo (in − uit)."""
    return {"in": category, "saldo": "saldo (in − uit)"}.get(kind, f"uitstroom: {label(category)}")


def chance_text(row: dict[str, Any]) -> str:
    """The chance of a vangnet claim of a year (a row of aggregates.yearly_finance), its upper
    bound where eligibility is undecided, or why there is none."""
    if row.get("deficit_eur_mean") is None:
        return "geen tekort berekend:\ndeel van het jaar"
    if row.get("p_vangnet") is not None:
        return f"kans op vangnet: {percent(row['p_vangnet'])}"
    if row.get("p_vangnet_max") is not None:
        return f"kans op vangnet: ≤ {percent(row['p_vangnet_max'])}"
    return ""


def result_text(value: float | None, money: Callable[[float | None], str]) -> str:
    """A deficit (positive) as its amount, a surplus (negative) named as one: overschot 924."""
    if value is None or value >= 0:
        return money(value)
    return f"overschot {money(-value)}"
