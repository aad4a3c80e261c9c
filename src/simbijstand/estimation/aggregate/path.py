"""The expected path of the observed counts at given parameters, anchored to observed stocks.

For each gemeente the expected-flow model (`meanfield`) runs month by month from the stock
observed on the window's first day. Whenever a stock is observed, the model's state is rescaled
to it (each observed set of klantgroepen by its own factor, durations kept), so every
prediction is conditional on the last observed stock: the observations' errors stay nearly
independent instead of accumulating.

The likelihood terms (see `aggregate`):

- a flow count over [start, end) (inflow, or exits by some routes, of some klantgroepen, summed
  over some gemeenten): its expected value, with Poisson variance;
- a stock y_b of klantgroepen S on date b, the previous stock of S being y_a on a:
  * when the inflow and the exits (all routes) of S over every month of [a, b) are observed
    too, the stock adds only the net doorstroom into S, which nothing else observes:
    r = y_b - y_a - inflow + exits, expected: the model's net doorstroom into S. Such terms of
    one gemeente and interval share doorstroom counts (a move from g to h is an exit of one
    group and an entry of another), so they are jointly normal with the covariance of Poisson
    counts D_gh (see `_residual_terms`). With no doorstroom across S's border there is no term
    (and r must be 0: a stock the flows cannot explain is refused);
  * otherwise the stock itself, expected o + n, where o is what remains (in S) of the cases
    present at the last anchor and n of those who came since; variance
    sum_g o_g (1 - o_g / A_g) + n: binomial survival of the old, grouped by their klantgroep g
    at the anchor (A_g cases then, o_g of them expected in S on b), and Poisson for the new.
    The exact variance of the old part is sum_i p_i (1 - p_i) over the cases present at the
    anchor, p_i a case's chance to be in S on b; it equals A p (1 - p) - sum_i (p_i - p)^2 for
    the mean p. Grouping by klantgroep keeps the large differences (p near 1 in S, near 0
    elsewhere: one pooled A would overstate the variance several-fold when S holds most of the
    caseload but not all) and ignores those within a group by time on benefit, which makes the
    variance a slight upper bound. When the inflow I of S since the last anchor is observed (its
    exits not), the new part is conditional on it: expected I q, variance I q (1 - q), with
    q = n / (the expected inflow), so the inflow counts are not counted twice. A stock of
    klantgroepen not observed before is of this kind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from simbijstand.estimation.aggregate.meanfield import (
    GroupRates,
    MonthOperator,
    stationary_stock,
    steady_profile,
)
from simbijstand.estimation.aggregate.parametrisation import (
    Calendar,
    Parametrisation,
    monthly_inflow,
)
from simbijstand.estimation.aggregate.path_terms import (
    FlowTerm,
    StockTerm,
    flow_selection,
    residual_blocks,
    residual_value,
)
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations.observations import Flow, Observations, Stock

OPERATOR_CACHE = 64  # month operators kept per path (sets of rates)
MIN_VARIANCE = 0.25  # a count's rounding: no stock term is more precise than this


@dataclass(slots=True)
class _Since:
    """What happened since the last anchor: expected new cases (state), the cases present at
    the anchor per klantgroep, its month, and the expected arrivals per klantgroep."""

    new: np.ndarray
    present: np.ndarray
    month: int
    arrived: np.ndarray

    @classmethod
    def anchored(cls, old: np.ndarray, month: int) -> _Since:
        """Nothing yet since the anchor whose cases are `old`, by origin (`by_origin`)."""
        return cls(np.zeros_like(old[0]), old.sum(axis=(1, 2)), month, np.zeros(old.shape[2]))


def by_origin(state: np.ndarray, split: bool) -> np.ndarray:
    """A state [J+1, G] split by klantgroep: [G, J+1, G], origin g holding column g, so each
    origin's cases can be followed through doorstroom until the next anchor; unsplit [1, J+1, G]
    where no stock term needs the origins (one klantgroep, or no stock compared as a stock)."""
    if not split:
        return state[None]
    return np.eye(state.shape[1])[:, None, :] * state[None, :, :]


def old_variance(survivors: np.ndarray, present: np.ndarray) -> float:
    """sum_g o_g (1 - o_g / A_g): binomial survival into S of the A_g cases of origin g."""
    if len(survivors) >= 8:  # numpy sums 8 and more in blocks: keep its rounding
        shares = np.divide(survivors, present, out=np.zeros_like(survivors), where=present > 0)
        return float(np.sum(survivors * (1 - shares)))
    # a handful of klantgroepen, evaluated a hundred thousand times a fit: plain floats, summed
    # in numpy's order for short arrays, so the value is the same to the last bit
    total = 0.0
    for o, a in zip(survivors.tolist(), present.tolist(), strict=True):
        total += o * (1 - (o / a if a > 0 else 0.0))
    return total


@dataclass(slots=True)
class Evaluation:
    """Expected values (and stock variances) of every term, in the order of the path's terms.

    `blocks` holds the residual terms that share doorstroom counts, with their covariance; they
    are jointly normal, all other terms independent.
    """

    stock_mean: np.ndarray
    stock_variance: np.ndarray
    flow_mean: np.ndarray
    blocks: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    final_states: dict[str, np.ndarray] = field(default_factory=dict)  # state at tot
    # expected inflow [gemeente, month, klantgroep] and exits [.., route]; with keep_states
    inflow: np.ndarray | None = None
    exits: np.ndarray | None = None


class ExpectedPath:
    """Evaluates every observation's expected value at a parameter vector theta."""

    def __init__(
        self,
        param: Parametrisation,
        observations: Observations,
        calendar: Calendar,
        edges: tuple[int, ...],
        unemployment: np.ndarray | None,
        compositions: dict[str, dict[str, float]],
    ) -> None:
        self.param = param
        self.calendar = calendar
        self.edges = edges
        self.unemployment = unemployment
        self.compositions = compositions
        self.groups = param.groups
        self.routes = param.spec.model.routes
        self.gemeenten = param.config.gemeenten
        self._month = {d: i for i, d in enumerate(calendar.dates)}
        self.flow_terms = [self._flow_term(f) for f in observations.flows]
        anchors, self.stock_terms = self._stock_terms(observations.fit_stocks())
        self._anchors = anchors  # per gemeente: month -> [(groups, count, term index or None)]
        shape = (len(self.gemeenten), calendar.months, len(self.groups), len(self.routes))
        self._flow_matrix = flow_selection(self.flow_terms, shape)
        self._blocks = residual_blocks(self.stock_terms, self.gemeenten, len(self.groups))
        # following the old cases per origin costs a state per klantgroep; only stock terms
        # compared as stocks use it, and with one klantgroep the one origin is all of them
        self._split = len(self.groups) > 1 and any(t.residual_of is None for t in self.stock_terms)
        self._operator_cache: dict[tuple[bytes, bytes, bytes], dict[int, MonthOperator]] = {}

    # --- setting up ---------------------------------------------------------------------------

    def _indices(self, names: tuple[str, ...], known: list[str]) -> np.ndarray:
        return np.array([known.index(n) for n in names], dtype=np.int64)

    def _flow_term(self, flow: Flow) -> FlowTerm:
        routes = flow.routes if flow.routes is not None else tuple(self.routes)
        months = slice(self._month[flow.start], self._month[flow.end])
        gemeenten = tuple(self.gemeenten.index(g) for g in flow.gemeenten)
        return FlowTerm(
            flow,
            gemeenten,
            self._indices(flow.groups, self.groups),
            self._indices(routes, self.routes),
            months,
        )

    def _stock_terms(self, stocks: tuple[Stock, ...]) -> tuple[dict, list[StockTerm]]:
        anchors: dict[str, dict[int, list]] = {g: defaultdict(list) for g in self.gemeenten}
        terms: list[StockTerm] = []
        last: dict[tuple[str, tuple[str, ...]], Stock] = {}
        for stock in sorted(stocks, key=lambda s: s.date):
            month = self._month[stock.date]
            groups = self._indices(stock.groups, self.groups)
            self._refuse_overlap(stock, anchors[stock.gemeente][month])
            index = None
            if month > 0:
                previous = last.get((stock.gemeente, stock.groups))
                term = self._term(stock, month, groups, previous)
                if term is not None:
                    index = len(terms)
                    terms.append(term)
            anchors[stock.gemeente][month].append((groups, stock.count, index))
            last[(stock.gemeente, stock.groups)] = stock
        for gemeente in self.gemeenten:
            if 0 not in anchors[gemeente]:
                raise EstimationError(
                    f"no stock of {gemeente} observed on waarneming.van "
                    f"({self.calendar.dates[0]}): the expected path starts from it; start the "
                    "window on a date with an observed stock"
                )
        return anchors, terms

    def _refuse_overlap(self, stock: Stock, present: list) -> None:
        mine = set(stock.groups)
        for groups, _, _ in present:
            if mine & {self.groups[g] for g in groups}:
                raise EstimationError(
                    f"{stock.origin}: a second stock of {stock.gemeente} on {stock.date} covering "
                    f"klantgroepen {', '.join(sorted(mine))} again; keep one, or mark one "
                    'gebruik = "doel"'
                )

    def _term(
        self, stock: Stock, month: int, groups: np.ndarray, previous: Stock | None
    ) -> StockTerm | None:
        if previous is None:
            return StockTerm(stock, month, groups, None, None)
        start = self._month[previous.date]
        inflow, exits = self._observed_flows(stock, start, month)
        if inflow is None or exits is None:
            return StockTerm(stock, month, groups, None, start, inflow)
        observed = (inflow, exits)
        term = StockTerm(stock, month, groups, (previous.count, *observed), start)
        if self._crosses(stock.groups):
            return term
        if abs(residual_value(term)) > 1e-6:
            raise EstimationError(
                f"{stock.origin}: the stock of {stock.gemeente} on {stock.date} is "
                f"{stock.count:g}, but the stock on {previous.date} ({previous.origin}) "
                f"{previous.count:g} + instroom {observed[0]:g} - uitstroom {observed[1]:g} = "
                f"{previous.count + observed[0] - observed[1]:g}, and no doorstroom can move "
                "cases in or out of these klantgroepen: the flows cannot explain the stock"
            )
        return None  # the flows say it all

    def _crosses(self, groups: tuple[str, ...]) -> bool:
        """Whether the config lets doorstroom cross the border of `groups` at all."""
        spec = self.param.spec.klantgroepen
        for name, group in spec.items():
            for target, hazard in group.doorstroom.items():
                if (name in groups) != (target in groups) and hazard.waarde != 0:
                    return True
        return False

    def _observed_flows(
        self, stock: Stock, start: int, end: int
    ) -> tuple[float | None, float | None]:
        """(inflow, exits) of the stock's klantgroepen over months start..end-1, each when every
        month's inflow (every route's exits) is observed exactly once, else None."""
        inflow = np.zeros(end - start)
        exits = np.zeros((end - start, len(self.routes)))
        totals = [0.0, 0.0]
        for term in self.flow_terms:
            flow = term.observation
            if flow.gemeenten != (stock.gemeente,) or set(flow.groups) != set(stock.groups):
                continue
            if not (start <= term.months.start and term.months.stop <= end):
                continue
            window = slice(term.months.start - start, term.months.stop - start)
            if flow.kind == "instroom":
                inflow[window] += 1
            else:
                exits[window][:, term.routes] += 1
            totals[flow.kind == "uitstroom"] += flow.count
        return (
            totals[0] if np.all(inflow == 1) else None,
            totals[1] if np.all(exits == 1) else None,
        )

    # --- evaluating ---------------------------------------------------------------------------

    def evaluate(self, theta: np.ndarray, *, keep_states: bool = False) -> Evaluation:
        months = self.calendar.months
        shape = (len(self.gemeenten), months, len(self.groups))
        inflow = np.zeros(shape)
        exits = np.zeros((*shape, len(self.routes)))
        door = np.zeros((*shape, len(self.groups)))
        result = Evaluation(
            np.zeros(len(self.stock_terms)),
            np.zeros(len(self.stock_terms)),
            np.zeros(len(self.flow_terms)),
        )
        for k, gemeente in enumerate(self.gemeenten):
            state = self._run(theta, gemeente, inflow[k], exits[k], door[k], result)
            if keep_states:
                result.final_states[gemeente] = state
        self._flows(inflow, exits, result)
        self._residual_terms(door, result)
        if keep_states:
            result.inflow, result.exits = inflow, exits
        return result

    def _run(self, theta, gemeente, inflow, exits, door, result) -> np.ndarray:
        rates = self.param.rates(theta, gemeente, self.edges)
        operators = self._operators(rates)
        arrivals = monthly_inflow(
            self.param.inflow(theta, gemeente), self.calendar, self.unemployment
        )
        anchors = self._anchors[gemeente]
        old = by_origin(self._initial(rates, gemeente, anchors[0], arrivals[0]), self._split)
        since = _Since.anchored(old, 0)
        origins = np.zeros(len(old) + 1)  # the old get no inflow, the new all of it
        for m in range(self.calendar.months):
            if m > 0 and m in anchors:
                old = by_origin(self._anchor(old, since, anchors[m], result), self._split)
                since = _Since.anchored(old, m)
            origins[-1] = arrivals[m]
            step = operators[self.calendar.days[m]].step(
                np.concatenate([old, since.new[None]]), origins
            )
            old, since.new = step.state[:-1], step.state[-1]
            inflow[m] = arrivals[m] * rates.entry
            since.arrived += inflow[m]
            exits[m] = step.uitstroom.sum(axis=0)
            door[m] = step.doorstroom.sum(axis=0)
        final = self.calendar.months
        if final in anchors:
            return self._anchor(old, since, anchors[final], result)
        return old.sum(axis=0) + since.new

    def _operators(self, rates: GroupRates) -> dict[int, MonthOperator]:
        """The month operators of these rates per month length, reused while the rates stay
        the same: most of a numerical gradient's steps move the inflow, not the hazards."""
        key = (rates.exit.tobytes(), rates.doorstroom.tobytes(), rates.entry.tobytes())
        found = self._operator_cache.get(key)
        if found is None:
            if len(self._operator_cache) >= OPERATOR_CACHE:
                self._operator_cache.clear()
            found = {d: MonthOperator(rates, d) for d in np.unique(self.calendar.days)}
            self._operator_cache[key] = found
        return found

    def _anchor(self, old, since: _Since, anchored, result) -> np.ndarray:
        """Record the expected value of each stock term observed now, then rescale the state
        to the observed stocks (see the module docstring). `old` is by origin (`by_origin`)."""
        state = old.sum(axis=0) + since.new
        for groups, count, index in anchored:
            survivors = old[:, :, groups].sum(axis=(1, 2))  # o_g per origin g
            o, n = survivors.sum(), since.new[:, groups].sum()
            if index is not None:
                mean, variance = self._stock_moments(index, survivors, n, since, groups)
                result.stock_mean[index] = mean
                result.stock_variance[index] = max(variance, MIN_VARIANCE)
            if o + n > 0:
                state[:, groups] *= count / (o + n)
        return state

    def _stock_moments(
        self, index: int, survivors: np.ndarray, n: float, since: _Since, groups: np.ndarray
    ) -> tuple[float, float]:
        """Binomial survival of the expected old cases, per origin klantgroep (`old_variance`),
        plus the new: Poisson n, or, when the inflow I since the last anchor is observed,
        binomial survival of those I with the model's survival share q = n / (expected inflow)."""
        term = self.stock_terms[index]
        o = float(survivors.sum())
        old_part = old_variance(survivors, since.present)
        expected_in = since.arrived[groups].sum()
        given = term.given_inflow
        if given is None or term.previous_month != since.month or expected_in <= 0:
            return o + n, old_part + n
        q = min(n / expected_in, 1.0)
        return o + given * q, old_part + given * q * (1 - q)

    def _initial(
        self, rates: GroupRates, gemeente: str, anchored, first_inflow: float
    ) -> np.ndarray:
        """The state on van: observed stocks split over klantgroepen by the composition (given,
        or the model's steady state), durations from the engine's steady-state profile."""
        shares = self._composition(rates, gemeente, first_inflow)
        counts = shares.copy()
        for groups, count, _ in anchored:
            weight = shares[groups]
            counts[groups] = count * (
                weight / weight.sum() if weight.sum() > 0 else 1 / len(groups)
            )
        return steady_profile(rates) * counts[None, :]

    def _composition(self, rates: GroupRates, gemeente: str, first_inflow: float) -> np.ndarray:
        given = self.compositions.get(gemeente)
        if given is not None:
            return np.array([given.get(g, 0.0) for g in self.groups])
        return stationary_stock(rates) * first_inflow

    def _flows(self, inflow, exits, result: Evaluation) -> None:
        if self.flow_terms:
            result.flow_mean[:] = self._flow_matrix @ np.concatenate(
                [inflow.ravel(), exits.ravel()]
            )

    def _residual_terms(self, door: np.ndarray, result: Evaluation) -> None:
        """Net doorstroom into each term's klantgroepen; Poisson counts per (g, h) give
        Cov(i, j) = sum_gh sign_i sign_j E[D_gh]."""
        for block in self._blocks:
            expected = door[block.gemeente, block.months].sum(axis=0)
            result.stock_mean[block.terms] = np.einsum("igh,gh->i", block.signs, expected)
            covariance = np.einsum("igh,jgh,gh->ij", block.signs, block.signs, expected)
            result.stock_variance[block.terms] = np.diag(covariance)
            result.blocks.append((block.terms, covariance))


def observed_values(path: ExpectedPath) -> tuple[np.ndarray, np.ndarray]:
    stocks = np.array(
        [
            residual_value(t) if t.residual_of is not None else t.observation.count
            for t in path.stock_terms
        ]
    )
    flows = np.array([t.observation.count for t in path.flow_terms])
    return stocks, flows
