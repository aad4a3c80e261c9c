"""Monthly multiplier paths from a scenario's economy (macro) and dated policy (beleid)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from simbijstand.domain.calendar import add_months
from simbijstand.scenario.schema_policy import Beleid, Macro


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(key: str) -> dt.date:
    year, month = key.split("-")
    return dt.date(int(year), int(month), 1)


def unemployment_path(macro: Macro, months: list[dt.date]) -> np.ndarray:
    """Unemployment in each of `months`: linear between the given months, flat outside them."""
    points = sorted((parse_month(k), v) for k, v in macro.werkloosheid.items())
    ordinal = np.array([_month_index(d) for d, _ in points], dtype=float)
    values = np.array([v for _, v in points])
    wanted = np.array([_month_index(d) for d in months], dtype=float)
    return np.interp(wanted, ordinal, values)


def macro_multipliers(macro: Macro, months: list[dt.date]) -> tuple[np.ndarray, np.ndarray]:
    """(inflow, work-exit) multipliers per month: (u(t - lag) / referentie) ** elasticity."""

    def factor(lag: int, elasticity: float) -> np.ndarray:
        lagged = unemployment_path(macro, [add_months(m, -lag) for m in months])
        return (lagged / macro.referentie) ** elasticity

    return (
        factor(macro.vertraging_instroom_maanden, macro.elasticiteit_instroom),
        factor(macro.vertraging_werk_maanden, macro.elasticiteit_werk),
    )


def preventie_multipliers(beleid: Beleid, months: list[dt.date]) -> np.ndarray:
    """Inflow multiplier per month, (1 - quote(t)) / (1 - referentie); each dated quote holds
    from its month until the next, the first also before it."""
    points = sorted((parse_month(k), v) for k, v in beleid.preventiequote.items())
    quotes = []
    for month in months:
        current = points[0][1]
        for day, value in points:
            if day <= month:
                current = value
        quotes.append(current)
    return (1 - np.array(quotes)) / (1 - beleid.preventiequote_referentie)


def half_year_bounds(key: str) -> tuple[dt.date, dt.date]:
    """First day of a half year "YYYY-1" or "YYYY-2", and the first day after it."""
    year, half = (int(part) for part in key.split("-"))
    start = dt.date(year, 1 if half == 1 else 7, 1)
    return start, add_months(start, 6)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1
