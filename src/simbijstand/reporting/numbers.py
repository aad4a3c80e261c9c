"""Numbers, amounts, dates and names the way Dutch readers write them: 1.234, € 12,3 mln,
1 jul 2020, leren en ontwikkelen."""

from __future__ import annotations

import datetime as dt
from typing import Any

MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def number(value: float, decimals: int = 0) -> str:
    """Dutch notation: 12.345.678 and 1.234,5."""
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not any(c not in "-0.," for c in text):
        text = text[1:]  # -0 and -0,0 after rounding read as 0
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def euro(value: float) -> str:
    """Whole euros: € 12.345 and -€ 1.200."""
    sign = "-" if round(value) < 0 else ""
    return f"{sign}€ {number(abs(value))}"


def euro_mln(value: float, decimals: int = 1) -> str:
    """Millions of euros: € 12,3 mln and -€ 0,4 mln."""
    sign = "-" if round(value / 1e6, decimals) < 0 else ""
    return f"{sign}€ {number(abs(value) / 1e6, decimals)} mln"


def percent(share: float, decimals: int = 0) -> str:
    """A share (0.125) as a Dutch percentage: 12,5%."""
    return f"{number(share * 100, decimals)}%"


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
