"""Group episodes: the stretches of a benefit spent in one klantgroep; the estimator's input.

Columns of `Episodes.frame`:
- `klantgroep`: the group during the episode;
- `entry_day`, `exit_day`: calendar time in days since 1970-01-01, as floats so that simulated
  event times fit as well as dates;
- `duration_at_entry_days`: time on benefit at `entry_day`, counted from the start of the benefit,
  not of the episode, because duration bands run on time on benefit (as in the engine);
- `kind`: "uitstroom" (the benefit ended at `exit_day`), "doorstroom" (it moved to another group)
  or null (still running at `exit_day`: right-censored);
- `target`: the exit route or the new group; null when censored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from simbijstand.estimation.errors import EstimationError

if TYPE_CHECKING:
    from simbijstand.estimation.spells.spells import Spells

EPOCH = dt.date(1970, 1, 1)
EPISODE_SCHEMA: dict[str, type[pl.DataType]] = {
    "klantgroep": pl.String,
    "entry_day": pl.Float64,
    "exit_day": pl.Float64,
    "duration_at_entry_days": pl.Float64,
    "kind": pl.String,
    "target": pl.String,
}


def day_number(day: dt.date) -> float:
    """Days since 1970-01-01, the calendar scale of `entry_day` and `exit_day`."""
    return float((day - EPOCH).days)


@dataclass(frozen=True, slots=True)
class Episodes:
    """Validated episodes with the routes and klantgroepen they may name."""

    frame: pl.DataFrame
    routes: tuple[str, ...]
    klantgroepen: tuple[str, ...]

    def __post_init__(self) -> None:
        missing = [c for c in EPISODE_SCHEMA if c not in self.frame.columns]
        if missing:
            raise EstimationError(f"episodes: missing column(s) {', '.join(missing)}")
        for names, what in ((self.routes, "routes"), (self.klantgroepen, "klantgroepen")):
            if len(set(names)) < len(names):
                raise EstimationError(f"episodes: {what} {', '.join(names)} name one twice")
        frame = self.frame.select(pl.col(c).cast(t) for c, t in EPISODE_SCHEMA.items())
        object.__setattr__(self, "frame", frame)
        for condition, problem in _rules(self.routes, self.klantgroepen):
            bad = frame.with_row_index("episode").filter(~condition.fill_null(False))
            if bad.height:
                raise EstimationError(
                    f"episodes: {bad.height} episode(s) {problem}, the first is episode "
                    f"{bad['episode'][0]} (counting from 0)"
                )


def _rules(routes: tuple[str, ...], groups: tuple[str, ...]) -> list[tuple[pl.Expr, str]]:
    """(condition that must hold, what is wrong otherwise)."""
    kind, target = pl.col("kind"), pl.col("target")
    doorstroom_ok = target.is_in(list(groups)) & (target != pl.col("klantgroep"))
    return [
        (pl.all_horizontal(pl.exclude("kind", "target").is_not_null()), "have an empty value"),
        (pl.col("entry_day").is_finite() & pl.col("exit_day").is_finite(), "have infinite days"),
        (pl.col("exit_day") >= pl.col("entry_day"), "end before they begin"),
        (pl.col("duration_at_entry_days") >= 0, "have a negative duration"),
        (
            pl.col("klantgroep").is_in(list(groups)),
            f"are in a klantgroep outside {', '.join(groups)}",
        ),
        (
            kind.is_null() | kind.is_in(["uitstroom", "doorstroom"]),
            "have a kind other than uitstroom/doorstroom",
        ),
        (
            kind.is_null() == target.is_null(),
            "have a target without a kind or a kind without a target",
        ),
        (
            kind.is_null() | (kind != "uitstroom") | target.is_in(list(routes)),
            "exit by an unknown route",
        ),
        (
            kind.is_null() | (kind != "doorstroom") | doorstroom_ok,
            "move to an unknown or to their own group",
        ),
    ]


def episodes_from_spells(spells: Spells) -> Episodes:
    """Cut each benefit at its group changes; the last piece ends in uitstroom or is censored."""
    benefits = spells.uitkeringen
    starts = benefits.select("uitkering", pl.col("startdatum").alias("datum"), "klantgroep")
    points = (
        pl.concat([starts, spells.groepswijzigingen.select(starts.columns)])
        .sort("uitkering", "datum")
        .with_columns(
            volgende_datum=pl.col("datum").shift(-1).over("uitkering"),
            volgende_groep=pl.col("klantgroep").shift(-1).over("uitkering"),
        )
        .join(
            benefits.select("uitkering", "startdatum", "einddatum", "uitstroomroute"),
            on="uitkering",
        )
    )
    moved, ended = pl.col("volgende_datum").is_not_null(), pl.col("einddatum").is_not_null()
    frame = points.select(
        "klantgroep",
        entry_day=_days(pl.col("datum")),
        exit_day=_days(pl.coalesce("volgende_datum", "einddatum", pl.lit(spells.peildatum))),
        duration_at_entry_days=(pl.col("datum") - pl.col("startdatum"))
        .dt.total_days()
        .cast(pl.Float64),
        kind=pl.when(moved).then(pl.lit("doorstroom")).when(ended).then(pl.lit("uitstroom")),
        target=pl.when(moved).then("volgende_groep").when(ended).then("uitstroomroute"),
    )
    return Episodes(frame, spells.routes, spells.klantgroepen)


def _days(date: pl.Expr) -> pl.Expr:
    return date.cast(pl.Int32).cast(pl.Float64)
