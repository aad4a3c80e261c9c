"""Validation of spells and group changes, after their ids have been made safe.

Messages name the file, the row(s), the column, the bad value and what is allowed; they never
show a persoon_id, not even a pseudonym.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path

import polars as pl

from simbijstand.errors import InputDataError
from simbijstand.scenario import csv_input
from simbijstand.scenario.csv_input import refuse


def check_spells(
    path: Path,
    raw: pl.DataFrame,
    routes: Collection[str],
    klantgroepen: Collection[str] | None,
    peildatum: dt.date,
) -> pl.DataFrame:
    """Typed spells: uitkering, rij (file row), persoon, startdatum, einddatum, uitstroomroute,
    klantgroep."""
    csv_input.require_values(path, raw, ("startdatum", "klantgroep"))
    frame = pl.DataFrame(
        {
            "uitkering": pl.int_range(raw.height, eager=True, dtype=pl.Int64),
            "rij": pl.int_range(raw.height, eager=True, dtype=pl.Int64) + csv_input.FIRST_DATA_ROW,
            "persoon": raw["persoon_id"],
            "startdatum": csv_input.parse_dates(path, raw, "startdatum"),
            "einddatum": csv_input.parse_dates(path, raw, "einddatum"),
            "uitstroomroute": raw["uitstroomroute"],
            "klantgroep": raw["klantgroep"],
        }
    )
    _check_dates(path, frame, peildatum)
    _check_routes(path, frame, routes)
    _check_known(path, frame, "klantgroep", klantgroepen)
    return frame


def _check_dates(path: Path, frame: pl.DataFrame, peildatum: dt.date) -> None:
    refuse(
        path,
        frame,
        pl.col("einddatum") < pl.col("startdatum"),
        lambda r: (
            f"einddatum {r['einddatum']} is before startdatum {r['startdatum']} "
            "(a negative duration); check both dates"
        ),
    )
    refuse(
        path,
        frame,
        pl.col("startdatum") > peildatum,
        lambda r: (
            f"startdatum {r['startdatum']} is after the peildatum {peildatum}; an export "
            "cannot hold benefits that start later: check the peildatum"
        ),
    )
    refuse(
        path,
        frame,
        pl.col("einddatum") > peildatum,
        lambda r: (
            f"einddatum {r['einddatum']} is after the peildatum {peildatum}; leave einddatum empty "
            "for benefits still running on the peildatum (a planned end is not an exit)"
        ),
    )


def _check_routes(path: Path, frame: pl.DataFrame, routes: Collection[str]) -> None:
    allowed = ", ".join(routes)
    ended = pl.col("einddatum").is_not_null()
    refuse(
        path,
        frame,
        ended & pl.col("uitstroomroute").is_null(),
        lambda r: (
            f"einddatum is {r['einddatum']} but uitstroomroute is empty; "
            f"give the exit route ({allowed})"
        ),
    )
    refuse(
        path,
        frame,
        ~ended & pl.col("uitstroomroute").is_not_null(),
        lambda r: (
            f"uitstroomroute is {r['uitstroomroute']!r} but einddatum is empty; a running "
            "benefit has no exit route: fill in einddatum or clear uitstroomroute"
        ),
    )
    _check_known(path, frame, "uitstroomroute", routes)


def _check_known(
    path: Path, frame: pl.DataFrame, column: str, allowed: Collection[str] | None
) -> None:
    if allowed is None:
        return
    names = ", ".join(allowed)
    unknown = pl.col(column).is_not_null() & ~pl.col(column).is_in(list(allowed))
    refuse(path, frame, unknown, lambda r: f"{column} {r[column]!r} is not known; allowed: {names}")


def check_overlaps(path: Path, frame: pl.DataFrame) -> None:
    """A person has one benefit at a time: a repeated persoon_id must not overlap in time."""
    ordered = frame.sort("persoon", "startdatum", "rij").with_columns(
        vorige_rij=pl.col("rij").shift(1).over("persoon"),
        vorige_eind=pl.col("einddatum").shift(1).over("persoon"),
    )
    overlap = ordered.filter(
        pl.col("vorige_rij").is_not_null()
        & (pl.col("vorige_eind").is_null() | (pl.col("startdatum") < pl.col("vorige_eind")))
    )
    if overlap.height:
        first = overlap.row(0, named=True)
        rows = sorted((first["vorige_rij"], first["rij"]))
        raise InputDataError(
            f"{path}, rows {rows[0]} and {rows[1]}: the same persoon_id has two benefits at the "
            "same time (a duplicated id?); a person has one benefit at a time: correct the dates, "
            "end the first benefit, or remove the duplicate row"
        )


def check_changes(
    path: Path,
    raw: pl.DataFrame,
    spells: pl.DataFrame,
    klantgroepen: Collection[str] | None,
    peildatum: dt.date,
    spells_path: Path,
) -> pl.DataFrame:
    """Group changes linked to their benefit: uitkering, datum, klantgroep, sorted."""
    csv_input.require_values(path, raw, ("datum", "klantgroep"))
    frame = pl.DataFrame(
        {
            "rij": pl.int_range(raw.height, eager=True, dtype=pl.Int64) + csv_input.FIRST_DATA_ROW,
            "persoon": raw["persoon_id"],
            "datum": csv_input.parse_dates(path, raw, "datum"),
            "klantgroep": raw["klantgroep"],
        }
    )
    refuse(
        path,
        frame,
        pl.col("datum") > peildatum,
        lambda r: (
            f"datum {r['datum']} is after the peildatum {peildatum}; "
            "an export cannot hold later changes"
        ),
    )
    _check_known(path, frame, "klantgroep", klantgroepen)
    linked = _link(path, frame, spells, peildatum, spells_path)
    _check_sequence(path, linked)
    return linked.select("uitkering", "datum", "klantgroep").sort("uitkering", "datum")


def _link(
    path: Path, frame: pl.DataFrame, spells: pl.DataFrame, peildatum: dt.date, spells_path: Path
) -> pl.DataFrame:
    """Attach each change to the benefit it falls strictly inside of."""
    known = pl.col("persoon").is_in(spells["persoon"].to_list()).fill_null(False)
    refuse(path, frame, ~known, lambda _: f"this persoon_id has no benefit in {spells_path}")
    candidates = frame.join(
        spells.select(
            "uitkering",
            "persoon",
            "startdatum",
            "einddatum",
            pl.col("klantgroep").alias("begingroep"),
        ),
        on="persoon",
    ).filter(
        (pl.col("startdatum") < pl.col("datum"))
        & (pl.col("datum") < pl.coalesce("einddatum", pl.lit(peildatum)))
    )
    outside = ~frame["rij"].is_in(candidates["rij"].to_list())
    refuse(
        path,
        frame,
        outside,
        lambda r: (
            f"datum {r['datum']} is not strictly inside a benefit of this persoon_id in "
            f"{spells_path} (after its startdatum, before its einddatum or the peildatum); the "
            "group at the start of a benefit belongs in the klantgroep column of the spells file"
        ),
    )
    return candidates


def _check_sequence(path: Path, linked: pl.DataFrame) -> None:
    ordered = linked.sort("uitkering", "datum", "rij").with_columns(
        vorige_datum=pl.col("datum").shift(1).over("uitkering"),
        vorige_groep=pl.col("klantgroep")
        .shift(1)
        .over("uitkering")
        .fill_null(pl.col("begingroep")),
    )
    refuse(
        path,
        ordered,
        pl.col("datum") == pl.col("vorige_datum"),
        lambda r: f"a second change of the same benefit on {r['datum']}; keep the one that holds",
    )
    refuse(
        path,
        ordered,
        pl.col("klantgroep") == pl.col("vorige_groep"),
        lambda r: (
            f"klantgroep {r['klantgroep']!r} is the group the benefit is already in on "
            f"{r['datum']}; remove rows that do not change the group"
        ),
    )
