"""Piecewise-exponential hazards from group episodes: events over exposure, with exact intervals.

Model. In klantgroep g and duration band k (time on benefit; bands start at the lower edges
`duurbanden_maanden`, converted to days with 365.25 / 12 days a month as in the engine), each
transition j has a constant hazard: uitstroom by route r, or doorstroom to another group h. The
maximum-likelihood estimate is

    rate_gkj = D_gkj / E_gk   (per year)

with D_gkj the transitions observed and E_gk the years at risk (exposure, 365.25 days a year)
in group g and band k. Each episode's exposure is split exactly over the bands it passes through;
a transition belongs to the band in which it happens.

Interval. Given E, the likelihood of D is that of a Poisson count with mean rate * E, so the
exact (Garwood) interval at confidence 1 - alpha is

    lower = chi2.ppf(alpha / 2, 2 D) / (2 E)        (0 when D = 0)
    upper = chi2.ppf(1 - alpha / 2, 2 D + 2) / (2 E)

It is conservative: it holds the true rate at least 1 - alpha of the time.

Observation window [van, tot). Only exposure inside the window counts; an episode that began
before `van` enters at its duration on `van` (left truncation), so the bands stay right. A
transition on day d ends the exposure just before d, so it counts when van < d <= tot: an exit
dated tot (its first day off benefit) belongs to the window, one dated van to the one before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import polars as pl
from scipy.stats import chi2

from simbijstand.domain.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.spells.episodes import Episodes, day_number

ESTIMATE_COLUMNS = (
    "klantgroep",
    "band_from_months",
    "band_to_months",
    "kind",
    "target",
    "events",
    "exposure_years",
    "rate_per_year",
    "lower",
    "upper",
)


def poisson_rate_interval(
    events: np.ndarray, exposure_years: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval of a Poisson rate, see the module docstring; NaN where E = 0."""
    events = np.asarray(events, dtype=float)
    exposure = np.asarray(exposure_years, dtype=float)
    # chi2 with 0 degrees of freedom is undefined; D = 0 gets lower bound 0 instead.
    lower = np.where(events > 0, chi2.ppf(alpha / 2, np.maximum(2 * events, 1)) / 2, 0.0)
    upper = chi2.ppf(1 - alpha / 2, 2 * events + 2) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return (
            np.where(exposure > 0, lower / exposure, np.nan),
            np.where(exposure > 0, upper / exposure, np.nan),
        )


class PiecewiseExponentialFitter:
    """Estimate uitstroom and doorstroom hazards per klantgroep and duration band.

    Usage: `PiecewiseExponentialFitter([0, 6, 12, 24]).fit(spells.episodes()).estimates_`.
    """

    def __init__(self, duurbanden_maanden: Sequence[float], *, alpha: float = 0.05) -> None:
        bands = np.asarray(duurbanden_maanden, dtype=float)
        if bands.ndim != 1 or bands.size == 0 or bands[0] != 0 or not np.all(np.diff(bands) > 0):
            raise EstimationError(
                f"duurbanden_maanden {list(duurbanden_maanden)}: give the lower edges of the "
                "duration bands in months, increasing and starting at 0, e.g. [0, 6, 12, 24, 60]"
            )
        if not np.all(np.isfinite(bands)):
            raise EstimationError(
                f"duurbanden_maanden {list(duurbanden_maanden)}: edges must be finite"
            )
        if not 0 < alpha < 1:
            raise EstimationError(
                f"alpha = {alpha}: choose a number between 0 and 1, e.g. 0.05 for 95%"
            )
        self.duurbanden_maanden = tuple(float(b) for b in bands)
        self.alpha = alpha

    def fit(
        self, episodes: Episodes, *, van: dt.date | None = None, tot: dt.date | None = None
    ) -> Self:
        """Estimate from `episodes` inside the window [van, tot) (unbounded where None)."""
        lo = day_number(van) if van else -np.inf
        hi = day_number(tot) if tot else np.inf
        if lo >= hi:
            raise EstimationError(
                f"observation window {van} to {tot} is empty; van must come before tot"
            )
        edges = np.append(np.array(self.duurbanden_maanden) * DAYS_PER_MONTH, np.inf)
        window = _Window.of(episodes, lo, hi)
        exposure = window.exposure_years(episodes, edges)
        if not exposure.sum() > 0:
            raise EstimationError(
                f"no time on benefit inside the observation window {van or 'start'} to "
                f"{tot or 'end'}; widen the window or check the dates of the spells"
            )
        counts = window.transition_counts(episodes, edges)
        self.estimates_ = _tidy(episodes, self.duurbanden_maanden, counts, exposure, self.alpha)
        self.window_ = (van, tot)
        return self

    def klantgroep_rates(self, klantgroep: str, *, reference_band: int = 0) -> KlantgroepRates:
        """The parameter-file fields of one klantgroep; see `klantgroep_rates`."""
        if not hasattr(self, "estimates_"):
            raise RuntimeError("call fit() before klantgroep_rates()")
        return klantgroep_rates(self.estimates_, klantgroep, reference_band=reference_band)


@dataclass(frozen=True, slots=True)
class _Window:
    """Episodes clipped to the window, as durations on benefit (days) and calendar flags."""

    group: np.ndarray  # klantgroep index per episode
    duration_from: np.ndarray  # duration at the start of the exposure inside the window
    duration_to: np.ndarray  # duration at its end (<= duration_from when outside the window)
    counted: np.ndarray  # the episode ends in a transition inside the window
    duration_at_exit: np.ndarray

    @staticmethod
    def of(episodes: Episodes, lo: float, hi: float) -> _Window:
        frame = episodes.frame
        entry, exit_ = frame["entry_day"].to_numpy(), frame["exit_day"].to_numpy()
        at_entry = frame["duration_at_entry_days"].to_numpy()
        start, end = np.maximum(entry, lo), np.minimum(exit_, hi)
        return _Window(
            group=_codes(frame["klantgroep"], episodes.klantgroepen),
            duration_from=at_entry + (start - entry),
            duration_to=at_entry + (end - entry),
            counted=frame["kind"].is_not_null().to_numpy() & (exit_ > lo) & (exit_ <= hi),
            duration_at_exit=at_entry + (exit_ - entry),
        )

    def exposure_years(self, episodes: Episodes, edges: np.ndarray) -> np.ndarray:
        """Years at risk per [klantgroep, band], each episode's time split exactly over bands."""
        lower, upper = edges[:-1], edges[1:]
        inside = np.clip(self.duration_to[:, None], lower, upper) - np.clip(
            self.duration_from[:, None], lower, upper
        )
        per_episode = np.maximum(inside, 0.0) / DAYS_PER_YEAR
        groups = len(episodes.klantgroepen)
        return np.stack(
            [
                np.bincount(self.group, weights=per_episode[:, k], minlength=groups)
                for k in range(len(lower))
            ],
            axis=1,
        )

    def transition_counts(self, episodes: Episodes, edges: np.ndarray) -> np.ndarray:
        """Transitions per [klantgroep, band, transition]; transitions are routes, then groups."""
        # side="left": a transition exactly at a band edge ends exposure in the band below it.
        band = np.clip(
            np.searchsorted(edges, self.duration_at_exit, side="left") - 1, 0, len(edges) - 2
        )
        kinds = episodes.frame["kind"].fill_null("") + ":" + episodes.frame["target"].fill_null("")
        names = [f"uitstroom:{r}" for r in episodes.routes] + [
            f"doorstroom:{g}" for g in episodes.klantgroepen
        ]
        shape = (len(episodes.klantgroepen), len(edges) - 1, len(names))
        c = self.counted
        transition = _codes(kinds.filter(pl.Series(c)), tuple(names))
        flat = np.ravel_multi_index((self.group[c], band[c], transition), shape)
        return np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)


def _codes(values: pl.Series, names: tuple[str, ...]) -> np.ndarray:
    return values.cast(pl.Enum(list(names))).to_physical().to_numpy().astype(np.int64)


def _tidy(
    episodes: Episodes,
    bands: tuple[float, ...],
    counts: np.ndarray,
    exposure: np.ndarray,
    alpha: float,
) -> pl.DataFrame:
    routes, groups = episodes.routes, episodes.klantgroepen
    g, k, j = (axis.ravel() for axis in np.indices(counts.shape))
    keep = ~((j >= len(routes)) & (j - len(routes) == g))  # no doorstroom into the own group
    g, k, j = g[keep], k[keep], j[keep]
    events = counts[g, k, j]
    exposure_years = exposure[g, k]
    lower, upper = poisson_rate_interval(events, exposure_years, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(exposure_years > 0, events / exposure_years, np.nan)
    band_to = np.append(np.array(bands[1:]), np.nan)
    targets = np.array([*routes, *groups], dtype=object)
    data = {
        "klantgroep": np.array(groups, dtype=object)[g],
        "band_from_months": np.array(bands)[k],
        "band_to_months": band_to[k],
        "kind": np.where(j < len(routes), "uitstroom", "doorstroom"),
        "target": targets[j],
        "events": events.astype(np.int64),
        "exposure_years": exposure_years,
        "rate_per_year": rate,
        "lower": lower,
        "upper": upper,
    }
    return pl.DataFrame(data, nan_to_null=True).select(ESTIMATE_COLUMNS)


@dataclass(frozen=True, slots=True)
class KlantgroepRates:
    """One klantgroep's rates in the engine's parameter-file fields (see `klantgroep_rates`)."""

    uitstroom_per_jaar: float
    uitstroom_routes: dict[str, float]
    duur_factor: tuple[float, ...] | None
    doorstroom_per_jaar: dict[str, float]

    def as_parameter_fields(self) -> dict[str, object]:
        """The fields as a `[klantgroepen.<naam>]` table of a parameter file holds them."""
        fields: dict[str, object] = {
            "uitstroom_per_jaar": self.uitstroom_per_jaar,
            "uitstroom_routes": dict(self.uitstroom_routes),
            "doorstroom_per_jaar": dict(self.doorstroom_per_jaar),
        }
        if self.duur_factor is not None:
            fields["duur_factor"] = list(self.duur_factor)
        return fields


def klantgroep_rates(
    estimates: pl.DataFrame, klantgroep: str, *, reference_band: int = 0
) -> KlantgroepRates:
    """Turn one klantgroep's estimates into the engine's parameter-file fields.

    The engine's uitstroom hazard for route r in band k is
    `uitstroom_per_jaar * uitstroom_routes[r] * duur_factor[k]`, and its doorstroom hazards do not
    depend on duration. Under that model, with route shares equal in every band (proportional
    hazards across bands, an assumption), the maximum-likelihood values are:

    - total exit rate per band T_k = (exits in band k) / E_k;
    - uitstroom_per_jaar = T_ref, the reference band's rate (first band unless chosen);
    - duur_factor[k] = T_k / T_ref (so the reference band has factor 1);
    - uitstroom_routes[r] = (exits by r over all bands) / (all exits);
    - doorstroom_per_jaar[h] = (moves to h over all bands) / (exposure over all bands).

    The choice of reference band changes only how the product is split, never the hazards.
    A klantgroep without any exit gets uitstroom_per_jaar 0, no routes and no duur_factor.
    """
    rows = estimates.filter(pl.col("klantgroep") == klantgroep)
    if rows.is_empty():
        known = ", ".join(estimates["klantgroep"].unique(maintain_order=True).to_list())
        raise EstimationError(
            f"klantgroep {klantgroep!r} is not in the estimates; estimated: {known}"
        )
    bands = rows.group_by("band_from_months", maintain_order=True).agg(
        exits=pl.col("events").filter(pl.col("kind") == "uitstroom").sum(),
        exposure=pl.col("exposure_years").first(),
    )
    exits, exposure = bands["exits"].to_numpy(), bands["exposure"].to_numpy()
    if not exposure.sum() > 0:
        raise EstimationError(
            f"klantgroep {klantgroep!r} has no time on benefit in the data; nothing to estimate"
        )
    doorstroom = {h: n / exposure.sum() for h, n in _totals(rows, "doorstroom").items()}
    if exits.sum() == 0:
        return KlantgroepRates(0.0, {}, None, doorstroom)
    band_rate = _band_rates(
        klantgroep, bands["band_from_months"].to_list(), exits, exposure, reference_band
    )
    return KlantgroepRates(
        uitstroom_per_jaar=float(band_rate[reference_band]),
        uitstroom_routes={r: n / exits.sum() for r, n in _totals(rows, "uitstroom").items()},
        duur_factor=tuple(float(x) for x in band_rate / band_rate[reference_band]),
        doorstroom_per_jaar=doorstroom,
    )


def _totals(rows: pl.DataFrame, kind: str) -> dict[str, float]:
    """Events per target over all bands."""
    summed = (
        rows.filter(pl.col("kind") == kind)
        .group_by("target", maintain_order=True)
        .agg(pl.col("events").sum())
    )
    return {name: float(n) for name, n in summed.iter_rows()}


def _band_rates(
    klantgroep: str, edges: list[float], exits: np.ndarray, exposure: np.ndarray, reference: int
) -> np.ndarray:
    if not 0 <= reference < len(edges):
        raise EstimationError(f"reference_band {reference}: choose 0 to {len(edges) - 1}")
    empty = [f"{edge:g}" for edge, e in zip(edges, exposure, strict=True) if e == 0]
    if empty:
        raise EstimationError(
            f"klantgroep {klantgroep!r} has no time on benefit in the band(s) starting at "
            f"{', '.join(empty)} months, so their duur_factor cannot be estimated; merge them "
            "into a neighbouring band (duurbanden_maanden) or widen the observation window"
        )
    if exits[reference] == 0:
        with_exits = [
            f"{i} ({edge:g} months)"
            for i, (edge, n) in enumerate(zip(edges, exits, strict=True))
            if n
        ]
        raise EstimationError(
            f"klantgroep {klantgroep!r} has no exits in reference band {reference}; "
            f"choose a band with exits as reference_band: {', '.join(with_exits)}"
        )
    return exits / exposure
