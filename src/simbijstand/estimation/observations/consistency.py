"""Exits by reason and the total outflow of the same period must add up; the total then adds
nothing and is dropped (the reasons carry it).

Stocks and the flows between them are checked where the likelihood is set up
(`aggregate.path`), which knows whether doorstroom can move cases across the klantgroepen a
stock counts.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.observations import Flow, Observations

PeriodKey = tuple[tuple[str, ...], tuple[str, ...], object, object]  # gemeenten, groups, dates


def reconcile(observations: Observations, routes: list[str]) -> Observations:
    """Check the identities above; drop implied totals and mark explained stocks."""
    flows, notes = _reasons_replace_totals(observations.flows, routes)
    return dataclasses.replace(observations, flows=flows, notes=observations.notes + notes)


def _reasons_replace_totals(
    flows: tuple[Flow, ...], routes: list[str]
) -> tuple[tuple[Flow, ...], tuple[str, ...]]:
    by_reason: dict[PeriodKey, list[Flow]] = defaultdict(list)
    for flow in flows:
        if flow.kind == "uitstroom" and flow.routes is not None:
            by_reason[(flow.gemeenten, flow.groups, flow.start, flow.end)].append(flow)
    kept, notes = [], []
    for flow in flows:
        key = (flow.gemeenten, flow.groups, flow.start, flow.end)
        parts = by_reason.get(key, [])
        if flow.kind != "uitstroom" or flow.routes is not None or not parts:
            kept.append(flow)
            continue
        _check_parts(flow, parts, routes)
        notes.append(
            f"{flow.origin.file.name}, rij {flow.origin.row}: totale uitstroom {flow.count:g} niet "
            "apart gebruikt; de uitstroom "
            f"naar reden ({parts[0].origin.reeks}) telt dezelfde vertrekken"
        )
    return tuple(kept), tuple(notes)


def _check_parts(total: Flow, parts: list[Flow], routes: list[str]) -> None:
    covered = [r for p in parts for r in p.routes or ()]
    summed = sum(p.count for p in parts)
    where = f"{total.origin} and {parts[0].origin}"
    if sorted(covered) != sorted(routes):
        missing = ", ".join(r for r in routes if r not in covered) or "none"
        raise EstimationError(
            f"{where}: the exit reasons of {', '.join(total.gemeenten)} from {total.start} cover "
            f"routes {', '.join(covered)}; with a total outflow for the same period they must "
            f"cover every route once (missing: {missing})"
        )
    if abs(summed - total.count) > 1e-9:
        raise EstimationError(
            f"{where}: exits by reason add up to {summed:g} but the total outflow of "
            f"{', '.join(total.gemeenten)} from {total.start} to {total.end} is {total.count:g}; "
            "the two files must count the same exits"
        )
