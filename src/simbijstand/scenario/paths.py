"""Monthly multiplier paths from a scenario's economy (macro) and dated policy (beleid)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from simbijstand.domain.calendar import add_months
from simbijstand.domain.dated import Carry, DatedValue, Period, interpolate
from simbijstand.scenario.schema_policy import Beleid, Macro


def unemployment(macro: Macro) -> DatedValue[float]:
    """`macro.werkloosheid` by month: the first month's rate also holds before it, the last
    month's is carried forward (flat outside the given months)."""
    return DatedValue.from_keys(
        "macro.werkloosheid", macro.werkloosheid, before=Carry.HOLD, carry=Carry.HOLD
    )


def preventiequote(beleid: Beleid) -> DatedValue[float]:
    """`beleid.preventiequote` by month: each quote holds from its month until the next, the
    first also before it, the last is carried forward."""
    return DatedValue.from_keys(
        "beleid.preventiequote", beleid.preventiequote, before=Carry.HOLD, carry=Carry.HOLD
    )


def unemployment_path(macro: Macro, months: list[dt.date]) -> np.ndarray:
    """Unemployment in each of `months`: linear between the given months, flat outside them."""
    rate = unemployment(macro)
    return np.array([interpolate(rate, month) for month in months])


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
    """Inflow multiplier per month, (1 - quote(t)) / (1 - referentie), with the quote of
    `preventiequote` (the first also before it)."""
    quote = preventiequote(beleid)
    quotes = [quote.at(month) for month in months]
    return (1 - np.array(quotes)) / (1 - beleid.preventiequote_referentie)


def half_year_bounds(key: str) -> tuple[dt.date, dt.date]:
    """First day of a half year "YYYY-1" or "YYYY-2", and the first day after it."""
    period = Period.parse(key)
    return period.start, period.end
