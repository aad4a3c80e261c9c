"""Reading spells and group changes: the happy path, the episodes, and every refusal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from simbijstand.errors import InputDataError
from simbijstand.estimation.spells.spells import read_spells

PEILDATUM = dt.date(2018, 1, 1)
ROUTES = ("werk", "overig")
HEADER = "persoon_id,startdatum,einddatum,uitstroomroute,klantgroep\n"
CHANGES_HEADER = "persoon_id,datum,klantgroep\n"
GOOD_SPELLS = (
    HEADER + "A,2016-03-01,2017-01-15,werk,a\nA,2017-06-01,,,b\nB,2015-01-01,2016-01-01,overig,b\n"
)
GOOD_CHANGES = CHANGES_HEADER + "A,2016-06-01,b\nB,2015-05-01,a\n"


def _write(tmp_path: Path, spells: str, changes: str | None = None) -> tuple[Path, Path | None]:
    spells_path = tmp_path / "spells.csv"
    spells_path.write_text(spells)
    if changes is None:
        return spells_path, None
    changes_path = tmp_path / "changes.csv"
    changes_path.write_text(changes)
    return spells_path, changes_path


def test_good_files_become_benefits_changes_and_episodes(tmp_path: Path) -> None:
    spells_path, changes_path = _write(tmp_path, GOOD_SPELLS, GOOD_CHANGES)
    spells = read_spells(
        spells_path, routes=ROUTES, peildatum=PEILDATUM, groepswijzigingen=changes_path
    )
    assert spells.uitkeringen.height == 3
    assert spells.klantgroepen == ("a", "b")
    assert spells.uitkeringen["einddatum"].to_list()[1] is None
    episodes = spells.episodes().frame
    # benefit 0: a from 2016-03-01 (day 16861) to 2016-06-01 (day 16953), then b to 2017-01-15
    rows = episodes.rows()
    assert rows[0] == ("a", 16861.0, 16953.0, 0.0, "doorstroom", "b")
    assert rows[1] == ("b", 16953.0, 17181.0, 92.0, "uitstroom", "werk")
    # benefit 1 still runs: censored at the peildatum 2018-01-01 (day 17532)
    assert rows[2] == ("b", 17318.0, 17532.0, 0.0, None, None)
    assert rows[4] == ("a", 16556.0, 16801.0, 120.0, "uitstroom", "overig")


def test_spaces_and_same_day_reentry_are_accepted(tmp_path: Path) -> None:
    text = HEADER + " A , 2016-03-01 , 2017-01-15 , werk , a \nA,2017-01-15,,,a\n"
    spells = read_spells(_write(tmp_path, text)[0], routes=ROUTES, peildatum=PEILDATUM)
    assert spells.uitkeringen["uitstroomroute"].to_list() == ["werk", None]


BAD_SPELLS = {
    "missing column": (
        "persoon_id,startdatum,einddatum,klantgroep\nA,2016-01-01,,a\n",
        ["spells.csv", "missing column", "uitstroomroute"],
    ),
    "unknown column": (
        HEADER.strip() + ",naam\nA,2016-01-01,,,a,Jan\n",
        ["spells.csv", "unknown column", "naam", "Remove"],
    ),
    "semicolons": (
        HEADER.replace(",", ";") + "A;2016-01-01;;;a\n",
        ["missing column", "';' as separator"],
    ),
    "header only": (HEADER, ["spells.csv", "no rows"]),
    "empty id": (HEADER + ",2016-01-01,,,a\n", ["row 2", "persoon_id is empty"]),
    "empty start": (HEADER + "A,,,,a\n", ["row 2", "startdatum is empty"]),
    "bad date": (
        HEADER + "A,2016-01-01,,,a\nB,01-02-2016,,,a\n",
        ["spells.csv, row 3", "startdatum", "'01-02-2016'", "YYYY-MM-DD"],
    ),
    "impossible date": (
        HEADER + "A,2016-01-01,2016-02-30,werk,a\n",
        ["row 2", "einddatum", "2016-02-30"],
    ),
    "end before start": (
        HEADER + "A,2016-05-01,2016-04-01,werk,a\n",
        ["row 2", "einddatum 2016-04-01 is before startdatum 2016-05-01", "negative duration"],
    ),
    "start after peildatum": (
        HEADER + "A,2018-02-01,,,a\n",
        ["row 2", "after the peildatum 2018-01-01"],
    ),
    "end after peildatum": (
        HEADER + "A,2017-02-01,2018-03-01,werk,a\n",
        ["row 2", "einddatum 2018-03-01", "peildatum", "leave einddatum empty"],
    ),
    "ended without route": (
        HEADER + "A,2016-01-01,2017-01-01,,a\n",
        ["row 2", "uitstroomroute is empty", "werk"],
    ),
    "running with route": (HEADER + "A,2016-01-01,,werk,a\n", ["row 2", "einddatum is empty"]),
    "unknown route": (
        HEADER + "A,2016-01-01,2017-01-01,werk,a\nB,2016-01-01,2017-01-01,emigratie,a\n",
        ["row 3", "uitstroomroute 'emigratie' is not known", "werk, overig"],
    ),
    "unknown klantgroep": (
        HEADER + "A,2016-01-01,,,zzz\n",
        ["row 2", "klantgroep 'zzz' is not known", "a, b"],
    ),
    "duplicated id": (
        HEADER + "A,2016-01-01,,,a\nB,2016-01-01,,,a\nA,2016-01-01,,,a\n",
        ["rows 2 and 4", "two benefits at the same time", "duplicated id"],
    ),
    "overlapping spells": (
        HEADER + "A,2016-01-01,2016-12-01,werk,a\nA,2016-11-01,,,a\n",
        ["rows 2 and 3", "same time"],
    ),
}


@pytest.mark.parametrize("case", BAD_SPELLS, ids=list(BAD_SPELLS))
def test_bad_spells_are_refused_with_a_clear_message(tmp_path: Path, case: str) -> None:
    text, keywords = BAD_SPELLS[case]
    path = _write(tmp_path, text)[0]
    with pytest.raises(InputDataError) as caught:
        read_spells(path, routes=ROUTES, peildatum=PEILDATUM, klantgroepen=("a", "b"))
    for keyword in keywords:
        assert keyword in str(caught.value)


BAD_CHANGES = {
    "missing column": (
        CHANGES_HEADER.replace("datum,", "") + "A,b\n",
        ["changes.csv", "missing column", "datum"],
    ),
    "bad date": (CHANGES_HEADER + "A,2016-6-1x,b\n", ["changes.csv, row 2", "datum", "YYYY-MM-DD"]),
    "before start (negative duration)": (
        CHANGES_HEADER + "A,2016-01-01,b\n",
        ["changes.csv, row 2", "datum 2016-01-01 is not strictly inside a benefit", "spells.csv"],
    ),
    "on the start date": (
        CHANGES_HEADER + "A,2016-03-01,b\n",
        ["row 2", "klantgroep column of the spells file"],
    ),
    "on the end date": (CHANGES_HEADER + "B,2016-01-01,a\n", ["row 2", "not strictly inside"]),
    "after the peildatum": (CHANGES_HEADER + "A,2018-02-01,a\n", ["row 2", "after the peildatum"]),
    "unknown person": (
        CHANGES_HEADER + "Q,2016-06-01,b\n",
        ["row 2", "no benefit in", "spells.csv"],
    ),
    "unknown klantgroep": (
        CHANGES_HEADER + "A,2016-06-01,zzz\n",
        ["row 2", "klantgroep 'zzz' is not known"],
    ),
    "two on one day": (
        CHANGES_HEADER + "A,2016-06-01,b\nA,2016-06-01,a\n",
        ["row 3", "second change of the same benefit on 2016-06-01"],
    ),
    "no change": (CHANGES_HEADER + "A,2016-06-01,a\n", ["row 2", "already in", "remove rows"]),
}


@pytest.mark.parametrize("case", BAD_CHANGES, ids=list(BAD_CHANGES))
def test_bad_group_changes_are_refused_with_a_clear_message(tmp_path: Path, case: str) -> None:
    text, keywords = BAD_CHANGES[case]
    spells_path, changes_path = _write(tmp_path, GOOD_SPELLS, text)
    with pytest.raises(InputDataError) as caught:
        read_spells(
            spells_path,
            routes=ROUTES,
            peildatum=PEILDATUM,
            klantgroepen=("a", "b"),
            groepswijzigingen=changes_path,
        )
    for keyword in keywords:
        assert keyword in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"nope\.csv: file not found"):
        read_spells(tmp_path / "nope.csv", routes=ROUTES, peildatum=PEILDATUM)
