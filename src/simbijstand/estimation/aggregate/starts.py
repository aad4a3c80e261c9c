"""Moment-based starting values for the maximum-likelihood search.

Per gemeente: the mean observed stock S, the yearly inflow I and outflow O where flows are
observed (a region's flow split over its gemeenten in proportion to S), and from them a typical
exit hazard mu = O / S (or (I - dS/dt) / S, or 0.25 a year without flows) and inflow
lambda = I (or mu S + dS/dt). Each free hazard starts at mu divided over the routes a group
has free; the search itself does the rest.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_YEAR
from simbijstand.estimation.aggregate.parametrisation import Calendar
from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.observations.observations import Observations

DEFAULT_HAZARD = 0.25


def starting_values(
    config: CalibrationConfig, observations: Observations, calendar: Calendar
) -> dict[str, float]:
    stock = _mean_stocks(config, observations)
    change = _stock_change(config, observations)
    flows = _yearly_flows(observations, stock)
    free_routes = _free_routes(config)
    starts: dict[str, float] = {}
    for gemeente in config.gemeenten:
        s = max(stock.get(gemeente, 1.0), 1.0)
        inflow, outflow = flows["instroom"].get(gemeente), flows["uitstroom"].get(gemeente)
        if outflow is not None:
            mu = outflow / s
        elif inflow is not None:
            mu = (inflow - change.get(gemeente, 0.0)) / s
        else:
            mu = DEFAULT_HAZARD
        mu = float(np.clip(mu, 0.01, 5.0))
        lam = inflow if inflow is not None else mu * s + change.get(gemeente, 0.0)
        starts[f"inflow:{gemeente}"] = float(np.log(max(lam, 0.1 * mu * s, 1e-3)))
        starts[f"hazard:{gemeente}"] = mu / free_routes
    return starts


def _mean_stocks(config: CalibrationConfig, observations: Observations) -> dict[str, float]:
    per_date: dict[tuple[str, object], float] = defaultdict(float)
    for stock in observations.fit_stocks():
        per_date[(stock.gemeente, stock.date)] += stock.count
    result: dict[str, list[float]] = defaultdict(list)
    for (gemeente, _), total in per_date.items():
        result[gemeente].append(total)
    return {g: float(np.mean(v)) for g, v in result.items()}


def _stock_change(config: CalibrationConfig, observations: Observations) -> dict[str, float]:
    """Yearly change of each gemeente's total stock between its first and last observation."""
    per_date: dict[str, dict[object, float]] = defaultdict(lambda: defaultdict(float))
    for stock in observations.fit_stocks():
        per_date[stock.gemeente][stock.date] += stock.count
    result = {}
    for gemeente, totals in per_date.items():
        dates = sorted(totals)
        years = (dates[-1] - dates[0]).days / DAYS_PER_YEAR if len(dates) > 1 else 0
        result[gemeente] = (totals[dates[-1]] - totals[dates[0]]) / years if years else 0.0
    return result


def _yearly_flows(
    observations: Observations, stock: dict[str, float]
) -> dict[str, dict[str, float]]:
    counts: dict[str, dict[str, float]] = {
        "instroom": defaultdict(float),
        "uitstroom": defaultdict(float),
    }
    years: dict[str, dict[str, float]] = {
        "instroom": defaultdict(float),
        "uitstroom": defaultdict(float),
    }
    for flow in observations.flows:
        weights = np.array([max(stock.get(g, 1.0), 1.0) for g in flow.gemeenten])
        share = weights / weights.sum()
        duration = (flow.end - flow.start).days / DAYS_PER_YEAR
        for gemeente, part in zip(flow.gemeenten, share, strict=True):
            counts[flow.kind][gemeente] += flow.count * part
            years[flow.kind][gemeente] += duration
    # exits by reason come as several flows over one period: count the period once
    periods: dict[str, set] = defaultdict(set)
    for flow in observations.flows:
        if flow.kind == "uitstroom":
            for gemeente in flow.gemeenten:
                periods[gemeente].add((flow.start, flow.end))
    for gemeente, spans in periods.items():
        years["uitstroom"][gemeente] = sum((b - a).days for a, b in spans) / DAYS_PER_YEAR
    return {
        kind: {g: counts[kind][g] / years[kind][g] for g in counts[kind] if years[kind][g] > 0}
        for kind in counts
    }


def _free_routes(config: CalibrationConfig) -> float:
    per_group = [
        sum(1 for h in group.uitstroom.values() if h.waarde is None)
        for group in config.spec.klantgroepen.values()
    ]
    return float(max(np.mean(per_group), 1.0))
