"""Each gemeente's own rates in one year, as log rates with their sampling variances.

- inflow per inhabitant: y = log((I + 1/2) / N), v = 1/(I + 1/2) + r/(I + 1/2)^2, Poisson
  plus the CBS rounding variance r of the count (100/12 for one count rounded to tens);
- counted exit hazard: y = log((O + 1/2) / X), same v with O, X the year's exposure in
  person-years: (S_start + S_end) / 2, or where the start is unknown
  (S_end + (O - I) / 2) / (1 - a / 2), solving S_start = S_end - I + O + a X;
- a, the exits the flows do not count (mostly reaching the state-pension age, which takes a
  person out of the 15-to-AOW group without an outflow), per person-year: from the stocks where
  both are known, sum(S_start + I - O - S_end) / sum(X), else from a national growth rate.

The engine's total exit hazard is h + a with h the counted hazard; see `fit`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbijstand.estimation.pooled import Floats
from simbijstand.estimation.pooled.panel import Year

HALF = 0.5  # keeps log rates of gemeenten with no inflow or outflow finite


@dataclass(frozen=True, slots=True)
class LogRate:
    y: Floats
    v: Floats


def exposure(year: Year, uncounted: float) -> Floats:
    """Person-years on benefit in the year (module docstring); at least one."""
    if year.start is not None:
        years = (year.start + year.stock) / 2
    else:
        years = (year.stock + (year.outflow - year.inflow) / 2) / (1 - uncounted / 2)
    return np.maximum(years, 1.0)


def uncounted_from_stocks(year: Year) -> float:
    """a from a year whose start and end stocks are both known (all gemeenten together)."""
    assert year.start is not None
    net = year.start + year.inflow - year.outflow - year.stock
    return float(net.sum() / exposure(year, 0.0).sum())


def uncounted_from_growth(year: Year, growth: float) -> float:
    """a from the year's national growth of the stock (start stock = end / (1 + growth)):
    sum(S_start + I - O - S_end) = a X, X = (S_start + S_end) / 2 nationally."""
    end = year.stock.sum()
    start = end / (1 + growth)
    return float((start + year.inflow.sum() - year.outflow.sum() - end) / ((start + end) / 2))


def inflow_rate(year: Year) -> LogRate:
    count = year.inflow + HALF
    return LogRate(np.log(count / year.inwoners), _variance(count, year.rounding_variance))


def exit_rate(year: Year, uncounted: float) -> LogRate:
    count = year.outflow + HALF
    return LogRate(
        np.log(count / exposure(year, uncounted)), _variance(count, year.rounding_variance)
    )


def _variance(count: Floats, rounding: Floats) -> Floats:
    return 1 / count + rounding / count**2
