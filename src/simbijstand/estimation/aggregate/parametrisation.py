"""The free parameters of an aggregate calibration and what they set in the model.

The vector theta holds, on unconstrained scales:

- per gemeente, log instroom.per_jaar: the yearly inflow at the window's end (tot), at the
  reference unemployment;
- the trend b = log(1 + trend_per_jaar), 11 seasonal log factors z (January is 0; the factors
  are exp(z) / mean(exp(z)), so they average 1 as the engine wants) and the elasticity e to
  unemployment, when estimated (per gemeente, or shared when named in model.gedeeld);
- log hazards: one per estimated (klantgroep, route) or (klantgroep, doorstroom target), and one
  per scale of tied hazards (hazard = relatief x scale);
- entry shares as softmax logits (the first klantgroep is 0), when estimated;
- log phi, the overdispersion, when estimated.

Inflow in calendar month m of the window (d_m days, midpoint t_m years before tot):

    lambda_m = per_jaar x d_m / 365.25 x seizoen[month(m)] x exp(b t_m) x (u_m / u_ref)^e

with u_m the unemployment averaged over `gemiddelde_maanden` months ending `vertraging_maanden`
before month m, and u_ref that average for the month starting at tot. This is the engine's
inflow (per_jaar x share x days x seizoen x (1 + trend)^years) for a forecast starting at tot
with unemployment staying at u_ref.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np

from simbijstand.domain.calendar import DAYS_PER_YEAR, month_starts, months_between
from simbijstand.estimation.aggregate.meanfield import GroupRates
from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.config.schema import HazardSpec, Klantgroep

MONTH_NAMES = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
# Scale on which a parameter counts as pinned down (see `identifiability`): log-rates and
# logits 1 (a factor e), trend 0.1 a year, seasonal log factors 0.5, elasticity 1.
PRIOR_SCALE = {"log": 1.0, "trend": 0.1, "season": 0.5, "elasticity": 1.0, "logit": 1.0}


@dataclass(frozen=True, slots=True)
class FreeParameter:
    name: str  # readable, e.g. "instroom.per_jaar [Bedum]" or "schaal.uitstroom"
    kind: str  # log | trend | season | elasticity | logit | dispersion
    start: float


@dataclass(frozen=True, slots=True)
class InflowModel:
    """A gemeente's inflow parameters at one theta."""

    per_jaar: float
    trend_log: float
    season: np.ndarray | None  # 12 factors averaging 1, or None
    elasticity: float


class Parametrisation:
    """Which parameters a config leaves free, and theta -> rates and inflow per gemeente."""

    def __init__(self, config: CalibrationConfig, starts: dict[str, float]) -> None:
        self.config = config
        self.spec = config.spec
        self.groups = config.klantgroepen
        self._shared = set(self.spec.model.gedeeld)
        self.parameters: list[FreeParameter] = []
        self._index: dict[str, int] = {}
        for gemeente in config.gemeenten:
            self._declare_gemeente(gemeente, starts)
        if self.spec.model.overdispersie.schatten:
            self._add("overdispersie", "dispersion", 0.0)

    # --- declaring ---------------------------------------------------------------------------

    def _add(self, name: str, kind: str, start: float) -> None:
        if name not in self._index:
            self._index[name] = len(self.parameters)
            self.parameters.append(FreeParameter(name, kind, start))

    def key(self, name: str, gemeente: str, shared_as: str | None = None) -> str:
        """The parameter name of `name` for a gemeente (without suffix when shared or alone)."""
        if (shared_as or name) in self._shared or len(self.config.gemeenten) == 1:
            return name
        return f"{name} [{gemeente}]"

    def _declare_gemeente(self, gemeente: str, starts: dict[str, float]) -> None:
        inflow = self.spec.instroom
        self._add(self.key("instroom.per_jaar", gemeente), "log", starts[f"inflow:{gemeente}"])
        if inflow.trend.schatten:
            self._add(self.key("instroom.trend", gemeente, "trend"), "trend", 0.0)
        if inflow.seizoen.schatten:
            for month in MONTH_NAMES[1:]:
                self._add(self.key(f"instroom.seizoen.{month}", gemeente, "seizoen"), "season", 0)
        if inflow.werkloosheid is not None and inflow.werkloosheid.elasticiteit.schatten:
            name = self.key("instroom.elasticiteit", gemeente, "elasticiteit")
            self._add(name, "elasticity", 0.0)
        if inflow.klantgroepen.schatten:
            for group in self.groups[1:]:
                name = self.key(f"instroom.klantgroepen.{group}", gemeente, "klantgroepen")
                self._add(name, "logit", 0.0)
        for group, spec in self.spec.klantgroepen.items():
            self._declare_hazards(gemeente, group, spec, starts)

    def _declare_hazards(
        self, gemeente: str, group: str, spec: Klantgroep, starts: dict[str, float]
    ) -> None:
        start = starts[f"hazard:{gemeente}"]
        for kind, table in (("uitstroom", spec.uitstroom), ("doorstroom", spec.doorstroom)):
            for target, hazard in table.items():
                name = self._hazard_name(gemeente, group, kind, target, hazard)
                if name is not None:
                    weight = hazard.relatief or 1.0
                    self._add(name, "log", float(np.log(start / weight)))

    def _hazard_name(
        self, gemeente: str, group: str, kind: str, target: str, hazard: HazardSpec
    ) -> str | None:
        if hazard.schaal is not None:
            return self.key(f"schaal.{hazard.schaal}", gemeente, hazard.schaal)
        if hazard.schatten:
            return self.key(f"klantgroepen.{group}.{kind}.{target}", gemeente)
        return None

    # --- evaluating --------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.parameters)

    def start(self) -> np.ndarray:
        return np.array([p.start for p in self.parameters])

    def value(self, theta: np.ndarray, name: str) -> float:
        return float(theta[self._index[name]])

    def dispersion(self, theta: np.ndarray) -> float:
        fixed = self.spec.model.overdispersie.waarde
        return float(np.exp(self.value(theta, "overdispersie"))) if fixed is None else fixed

    def hazard(self, theta: np.ndarray, gemeente: str, group: str, kind: str, target: str) -> float:
        spec = self.spec.klantgroepen[group]
        hazard = (spec.uitstroom if kind == "uitstroom" else spec.doorstroom).get(target)
        if hazard is None:
            return 0.0
        name = self._hazard_name(gemeente, group, kind, target, hazard)
        if name is None:
            return float(hazard.waarde or 0.0)
        return float(np.exp(self.value(theta, name))) * (hazard.relatief or 1.0)

    def entry(self, theta: np.ndarray, gemeente: str) -> np.ndarray:
        shares = self.spec.instroom.klantgroepen
        if shares.waarde is not None:
            return np.array([shares.waarde.get(g, 0.0) for g in self.groups])
        logits = [0.0] + [
            self.value(theta, self.key(f"instroom.klantgroepen.{g}", gemeente, "klantgroepen"))
            for g in self.groups[1:]
        ]
        weights = np.exp(np.array(logits) - max(logits))
        return weights / weights.sum()

    def rates(self, theta: np.ndarray, gemeente: str, edges: tuple[int, ...]) -> GroupRates:
        routes = self.spec.model.routes
        exit_rates = np.zeros((len(self.groups), len(edges), len(routes)))
        door = np.zeros((len(self.groups), len(self.groups)))
        for g, group in enumerate(self.groups):
            factors = self.spec.klantgroepen[group].duur_factor
            factor = np.asarray(factors.waarde if factors and factors.waarde else 1.0)
            for r, route in enumerate(routes):
                exit_rates[g, :, r] = (
                    self.hazard(theta, gemeente, group, "uitstroom", route) * factor
                )
            for h, target in enumerate(self.groups):
                door[g, h] = self.hazard(theta, gemeente, group, "doorstroom", target)
        return GroupRates(exit_rates, door, self.entry(theta, gemeente), edges)

    def inflow(self, theta: np.ndarray, gemeente: str) -> InflowModel:
        spec = self.spec.instroom
        per_jaar = float(np.exp(self.value(theta, self.key("instroom.per_jaar", gemeente))))
        trend = (
            self.value(theta, self.key("instroom.trend", gemeente, "trend"))
            if spec.trend.schatten
            else float(np.log1p(spec.trend.waarde or 0.0))
        )
        return InflowModel(
            per_jaar, trend, self._season(theta, gemeente), self._elasticity(theta, gemeente)
        )

    def _season(self, theta: np.ndarray, gemeente: str) -> np.ndarray | None:
        season = self.spec.instroom.seizoen
        if season.geen:
            return None
        if season.waarde is not None:
            return np.array(season.waarde)
        z = np.array(
            [0.0]
            + [
                self.value(theta, self.key(f"instroom.seizoen.{m}", gemeente, "seizoen"))
                for m in MONTH_NAMES[1:]
            ]
        )
        factors = np.exp(z - z.max())
        return factors / factors.mean()

    def _elasticity(self, theta: np.ndarray, gemeente: str) -> float:
        spec = self.spec.instroom.werkloosheid
        if spec is None:
            return 0.0
        if spec.elasticiteit.schatten:
            return self.value(theta, self.key("instroom.elasticiteit", gemeente, "elasticiteit"))
        return float(spec.elasticiteit.waarde or 0.0)


@dataclass(frozen=True, slots=True)
class Calendar:
    """The window's months: first days, lengths in days, and years from each midpoint to tot."""

    dates: tuple[dt.date, ...]  # month starts van..tot (M + 1)
    days: np.ndarray  # [M]
    years_to_end: np.ndarray  # [M], negative inside the window

    @staticmethod
    def of(van: dt.date, tot: dt.date) -> Calendar:
        dates = tuple(month_starts(van, months_between(van, tot)))
        days = np.array([(b - a).days for a, b in itertools.pairwise(dates)], float)
        elapsed = np.concatenate([[0.0], np.cumsum(days)])
        middle = (elapsed[:-1] + days / 2 - elapsed[-1]) / DAYS_PER_YEAR
        return Calendar(dates, days, middle)

    @property
    def months(self) -> int:
        return len(self.days)


def monthly_inflow(
    model: InflowModel, calendar: Calendar, unemployment_ratio: np.ndarray | None
) -> np.ndarray:
    """Expected new cases per month of the window (see the module docstring)."""
    base = (
        model.per_jaar
        * calendar.days
        / DAYS_PER_YEAR
        * np.exp(model.trend_log * calendar.years_to_end)
    )
    if model.season is not None:
        base = base * model.season[[d.month - 1 for d in calendar.dates[:-1]]]
    if unemployment_ratio is not None and model.elasticity != 0.0:
        base = base * unemployment_ratio**model.elasticity
    return base
