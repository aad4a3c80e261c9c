"""Import individual benefit spells exported from a benefits administration.

Spells file (CSV, comma-separated, UTF-8, header row; full description in docs/spells-format.md):

    persoon_id,startdatum,einddatum,uitstroomroute,klantgroep
    a81f03,2016-03-01,2017-01-15,werk,direct_werk
    a81f03,2017-06-01,,,werken_en_ervaren

- one row per benefit (uitkering); a person may have several benefits that do not overlap;
- `startdatum`: first day on benefit; `einddatum`: date of exit, the first day no longer on
  benefit, empty while the benefit runs; both YYYY-MM-DD and never after the export's peildatum;
- `uitstroomroute`: one of the caller's routes when the benefit ended, empty while it runs;
- `klantgroep`: the group at the start of the benefit.

Optional group-changes file: `persoon_id,datum,klantgroep`, one row per change: from `datum`
(strictly inside a benefit of that person) the benefit is in `klantgroep`.

Ids never leave this module raw: a column with a valid BSN is refused unless a `Pseudonymiser`
is given (see `privacy`); with one, ids become salted pseudonyms; without one (and no BSN), ids
are renumbered p1, p2, ... in order of first appearance. Error messages name rows, never ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from simbijstand.estimation.errors import PrivacyError
from simbijstand.estimation.spells._checks import check_changes, check_overlaps, check_spells
from simbijstand.estimation.spells.episodes import Episodes, episodes_from_spells
from simbijstand.estimation.spells.privacy import Pseudonymiser, bsn_mask, normalise_ids
from simbijstand.scenario import csv_input

SPELL_COLUMNS = ("persoon_id", "startdatum", "einddatum", "uitstroomroute", "klantgroep")
CHANGE_COLUMNS = ("persoon_id", "datum", "klantgroep")


@dataclass(frozen=True, slots=True)
class Spells:
    """Validated spells with pseudonymous ids.

    `uitkeringen`: uitkering (row number in the spells file), persoon, startdatum, einddatum
    (null while running), uitstroomroute (null while running), klantgroep (at the start).
    `groepswijzigingen`: uitkering, datum, klantgroep (the group from that date).
    """

    uitkeringen: pl.DataFrame
    groepswijzigingen: pl.DataFrame
    routes: tuple[str, ...]
    klantgroepen: tuple[str, ...]
    peildatum: dt.date
    ids: Literal["pseudonymised", "renumbered"]

    def episodes(self) -> Episodes:
        """The time each benefit spent in each klantgroep, ready for the hazard estimator."""
        return episodes_from_spells(self)


def read_spells(
    path: Path,
    *,
    routes: Collection[str],
    peildatum: dt.date,
    klantgroepen: Collection[str] | None = None,
    groepswijzigingen: Path | None = None,
    pseudonymiser: Pseudonymiser | None = None,
) -> Spells:
    """Read and validate a spells file (and optionally a group-changes file).

    Args:
        routes: the allowed exit routes (usually the parameter file's `routes`).
        peildatum: the date of the export; running benefits are observed up to it.
        klantgroepen: the allowed groups; None accepts any non-empty name.
        pseudonymiser: needed when the ids are citizen service numbers (BSN).
    """
    spells_raw = _read(path, SPELL_COLUMNS, pseudonymiser)
    changes_raw = (
        _read(groepswijzigingen, CHANGE_COLUMNS, pseudonymiser) if groepswijzigingen else None
    )
    spell_ids, change_ids = _safe_ids(spells_raw, changes_raw, pseudonymiser)
    spells = check_spells(
        path, spells_raw.with_columns(persoon_id=spell_ids), routes, klantgroepen, peildatum
    )
    check_overlaps(path, spells)
    groups = (
        tuple(dict.fromkeys(klantgroepen))
        if klantgroepen is not None
        else _observed_groups(spells, changes_raw)
    )
    changes = _empty_changes()
    if groepswijzigingen is not None and changes_raw is not None and change_ids is not None:
        changes_safe = changes_raw.with_columns(persoon_id=change_ids)
        changes = check_changes(
            groepswijzigingen, changes_safe, spells, klantgroepen, peildatum, path
        )
    return Spells(
        uitkeringen=spells.drop("rij"),
        groepswijzigingen=changes,
        routes=tuple(dict.fromkeys(routes)),
        klantgroepen=groups,
        peildatum=peildatum,
        ids="pseudonymised" if pseudonymiser else "renumbered",
    )


def _read(
    path: Path, columns: tuple[str, ...], pseudonymiser: Pseudonymiser | None
) -> pl.DataFrame:
    """The file as text, its columns checked and its ids known to be safe to process."""
    frame = csv_input.read_text_table(path)
    csv_input.check_columns(path, frame, columns)
    csv_input.require_values(path, frame, ("persoon_id",))
    _refuse_bsn(path, frame, pseudonymiser)
    _refuse_bsn_elsewhere(path, frame)
    return frame


def _refuse_bsn(path: Path, frame: pl.DataFrame, pseudonymiser: Pseudonymiser | None) -> None:
    """Refuse citizen service numbers unless they will be pseudonymised; never show them."""
    mask = bsn_mask(frame["persoon_id"])
    if pseudonymiser is not None or not mask.any():
        return
    rows = [int(i) + csv_input.FIRST_DATA_ROW for i in mask.nonzero()[0]]
    raise PrivacyError(
        f"{path}: column persoon_id holds {len(rows)} value(s) that are valid citizen service "
        f"numbers (BSN: 9 digits passing the 11-test), first at {csv_input.rows_text(rows[:1])}; "
        "simbijstand does not import BSNs. Export pseudonymous ids instead, or pass a "
        "Pseudonymiser with a secret salt to replace them by salted hashes"
    )


def _refuse_bsn_elsewhere(path: Path, frame: pl.DataFrame) -> None:
    """A BSN in another column (a shifted export, a pasted id) is refused before any check
    could quote it, naming the column and row, never the value; a Pseudonymiser only covers
    persoon_id."""
    for column in frame.columns:
        if column == "persoon_id":
            continue
        mask = bsn_mask(frame[column])
        if mask.any():
            rows = [int(i) + csv_input.FIRST_DATA_ROW for i in mask.nonzero()[0]]
            raise PrivacyError(
                f"{path}: column {column} holds {len(rows)} value(s) that are valid citizen "
                f"service numbers (BSN), first at {csv_input.rows_text(rows[:1])}; a BSN "
                f"belongs in no column: check the export (are its columns shifted?)"
            )


def _safe_ids(
    spells: pl.DataFrame, changes: pl.DataFrame | None, pseudonymiser: Pseudonymiser | None
) -> tuple[pl.Series, pl.Series | None]:
    """Ids to keep: pseudonyms, or p1, p2, ... in order of first appearance in the spells file.

    A group change whose id has no benefit renumbers to null, which `check_changes` reports.
    """
    if pseudonymiser is not None:
        convert = pseudonymiser.apply
    else:
        order = normalise_ids(spells["persoon_id"]).unique(maintain_order=True).to_list()
        mapping = {value: f"p{number}" for number, value in enumerate(order, start=1)}

        def convert(values: pl.Series) -> pl.Series:
            return normalise_ids(values).replace_strict(
                mapping, default=None, return_dtype=pl.String
            )

    return convert(spells["persoon_id"]), (
        convert(changes["persoon_id"]) if changes is not None else None
    )


def _observed_groups(spells: pl.DataFrame, changes: pl.DataFrame | None) -> tuple[str, ...]:
    names = spells["klantgroep"].to_list()
    if changes is not None:
        names += changes["klantgroep"].drop_nulls().to_list()
    return tuple(dict.fromkeys(names))


def _empty_changes() -> pl.DataFrame:
    return pl.DataFrame(schema={"uitkering": pl.Int64, "datum": pl.Date, "klantgroep": pl.String})
