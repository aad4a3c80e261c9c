"""The likelihood terms of the expected path: what each observation is compared with.

See `path` for what the terms mean; here their types, the residual-term blocks that share
doorstroom counts, and the sparse matrices that sum monthly model flows into flow terms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from simbijstand.estimation.observations.observations import Flow, Stock


@dataclass(frozen=True, slots=True)
class StockTerm:
    observation: Stock
    month: int  # index of the date in the calendar
    groups: np.ndarray  # klantgroep indices
    residual_of: tuple[float, float, float] | None  # (y_a, inflow, exits) when flows observed
    previous_month: int | None
    given_inflow: float | None = None  # the inflow since the previous stock, when observed


@dataclass(frozen=True, slots=True)
class FlowTerm:
    observation: Flow
    gemeenten: tuple[int, ...]
    groups: np.ndarray
    routes: np.ndarray
    months: slice


@dataclass(frozen=True, slots=True)
class ResidualBlock:
    terms: np.ndarray  # indices of stock terms
    gemeente: int
    months: slice
    signs: np.ndarray  # [terms, G, G]


def flow_selection(terms: list[FlowTerm], shape: tuple[int, int, int, int]) -> sparse.csr_matrix:
    """0/1 matrix: flow term x (inflow [K, M, G] then exits [K, M, G, R], flattened), with
    shape (gemeenten K, months M, klantgroepen G, routes R)."""
    k, m, g, r = shape
    rows, columns = [], []
    for i, term in enumerate(terms):
        kk, mm, gg = np.meshgrid(
            term.gemeenten, np.arange(m)[term.months], term.groups, indexing="ij"
        )
        if term.observation.kind == "instroom":
            flat = np.ravel_multi_index((kk, mm, gg), (k, m, g)).ravel()
        else:
            cells = np.ravel_multi_index((kk, mm, gg), (k, m, g)).ravel()
            flat = k * m * g + (cells[:, None] * r + term.routes[None, :]).ravel()
        rows.append(np.full(len(flat), i))
        columns.append(flat)
    return _selection(rows, columns, (len(terms), k * m * g * (1 + r)))


def residual_blocks(
    terms: list[StockTerm], gemeenten: list[str], groups: int
) -> list[ResidualBlock]:
    """Residual terms of one gemeente over one interval, with each term's sign of every
    doorstroom g -> h: +1 into its klantgroepen, -1 out of them, 0 otherwise."""
    grouped: dict[tuple, list[int]] = defaultdict(list)
    for i, term in enumerate(terms):
        if term.residual_of is not None:
            key = (term.observation.gemeente, term.previous_month, term.month)
            grouped[key].append(i)
    blocks = []
    for (gemeente, start, end), indices in grouped.items():
        signs = np.zeros((len(indices), groups, groups))
        for row, i in enumerate(indices):
            inside = np.zeros(groups, dtype=bool)
            inside[terms[i].groups] = True
            signs[row] = np.outer(~inside, inside).astype(float) - np.outer(inside, ~inside)
        blocks.append(
            ResidualBlock(np.array(indices), gemeenten.index(gemeente), slice(start, end), signs)
        )
    return blocks


def _selection(rows: list, columns: list, shape: tuple[int, int]) -> sparse.csr_matrix:
    if not rows:
        return sparse.csr_matrix(shape)
    r, c = np.concatenate(rows), np.concatenate(columns)
    return sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=shape)


def residual_value(term: StockTerm) -> float:
    """The observed part a residual term compares: y_b - y_a - inflow + exits."""
    assert term.residual_of is not None
    y_a, inflow, exits = term.residual_of
    return term.observation.count - y_a - inflow + exits
