"""BSN detection, refusal and pseudonymisation of spell imports (issue 4, point 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from simbijstand.estimation.errors import PrivacyError
from simbijstand.estimation.spells.privacy import Pseudonymiser, is_valid_bsn
from simbijstand.estimation.spells.spells import read_spells

PEILDATUM = dt.date(2020, 1, 1)
ROUTES = ("werk", "overig")
SALT = "a-secret-salt-of-32-characters!!"

# 11-test sums (9*d1 + 8*d2 + ... + 2*d8 - d9), computed by hand:
# 111222333: 9+8+7 + 2*(6+5+4) + 3*(3+2) - 3 = 66 = 6*11        -> valid
# 123456782: 9+16+21+24+25+24+21+16 - 2 = 154 = 14*11          -> valid
# 999999990: 9*(9+8+...+2) - 0 = 9*44 = 396 = 36*11            -> valid
# 012345672: 0+8+14+18+20+20+18+14 - 2 = 110 = 10*11           -> valid (also as 12345672)
# 123456789: 156 - 9 = 147 = 13*11 + 4                          -> invalid
# 111222334: 66 - 1 = 65                                        -> invalid
# 100000009: 9 - 9 = 0, divisible by 11 but 0                   -> invalid
VALID = ["111222333", "123456782", "999999990", "012345672", "12345672", " 111222333 "]
INVALID = [
    "123456789",
    "111222334",
    "100000009",
    "000000000",
    "1112223330",
    "1234567",
    "11122233a",
    "",
    "abc",
]


@pytest.mark.parametrize("value", VALID)
def test_valid_bsn_is_recognised(value: str) -> None:
    assert is_valid_bsn(value)


@pytest.mark.parametrize("value", INVALID)
def test_invalid_bsn_is_not(value: str) -> None:
    assert not is_valid_bsn(value)


def _spells(tmp_path: Path, ids: list[str], name: str = "spells.csv") -> Path:
    rows = [f"{i},2018-0{n + 1}-01,2019-01-01,werk,a" for n, i in enumerate(ids)]
    path = tmp_path / name
    path.write_text(
        "persoon_id,startdatum,einddatum,uitstroomroute,klantgroep\n" + "\n".join(rows) + "\n"
    )
    return path


def test_bsn_column_is_refused_without_showing_the_numbers(tmp_path: Path) -> None:
    path = _spells(tmp_path, ["X1", "111222333", "123456782", "Y2"])
    with pytest.raises(PrivacyError) as caught:
        read_spells(path, routes=ROUTES, peildatum=PEILDATUM)
    message = str(caught.value)
    for keyword in ("spells.csv", "persoon_id", "2 value(s)", "BSN", "row 3", "Pseudonymiser"):
        assert keyword in message
    assert "111222333" not in message and "123456782" not in message


def test_one_valid_bsn_is_enough_to_refuse(tmp_path: Path) -> None:
    path = _spells(tmp_path, ["123456789", "111222334", "999999990"])
    with pytest.raises(PrivacyError, match="1 value"):
        read_spells(path, routes=ROUTES, peildatum=PEILDATUM)


def test_bsn_in_group_changes_is_refused_too(tmp_path: Path) -> None:
    spells = _spells(tmp_path, ["A", "B"])
    changes = tmp_path / "changes.csv"
    changes.write_text("persoon_id,datum,klantgroep\n111222333,2018-06-01,b\n")
    with pytest.raises(PrivacyError, match=r"changes\.csv.*persoon_id"):
        read_spells(spells, routes=ROUTES, peildatum=PEILDATUM, groepswijzigingen=changes)


def test_pseudonymised_import_holds_no_raw_id(tmp_path: Path) -> None:
    ids = ["111222333", "123456782", "Z-99"]
    spells = _spells(tmp_path, ids)
    changes = tmp_path / "changes.csv"
    changes.write_text("persoon_id,datum,klantgroep\n111222333,2018-06-01,b\n")
    result = read_spells(
        spells,
        routes=ROUTES,
        peildatum=PEILDATUM,
        groepswijzigingen=changes,
        pseudonymiser=Pseudonymiser(SALT),
    )
    everything = repr(result) + _all_text(result.uitkeringen) + _all_text(result.groepswijzigingen)
    everything += _all_text(result.episodes().frame)
    assert not any(raw in everything for raw in ids)
    assert result.ids == "pseudonymised"
    pseudonyms = result.uitkeringen["persoon"].to_list()
    assert len(set(pseudonyms)) == 3 and all(len(p) == 16 for p in pseudonyms)
    # the change was linked through the pseudonym: the first benefit moved to b
    assert result.groepswijzigingen["uitkering"].to_list() == [0]


def test_renumbered_ids_when_no_bsn(tmp_path: Path) -> None:
    result = read_spells(
        _spells(tmp_path, ["K-17", "K-03", "K-17x"]), routes=ROUTES, peildatum=PEILDATUM
    )
    assert result.uitkeringen["persoon"].to_list() == ["p1", "p2", "p3"]
    assert result.ids == "renumbered"


def test_pseudonym_is_stable_per_salt_and_differs_between_salts() -> None:
    first, again = Pseudonymiser(SALT), Pseudonymiser(SALT)
    other = Pseudonymiser(SALT.upper())
    assert first.pseudonym("111222333") == again.pseudonym("111222333")
    assert first.pseudonym("111222333") != other.pseudonym("111222333")
    assert first.pseudonym("111222333") != first.pseudonym("123456782")
    # the leading zero a spreadsheet dropped does not change the person
    assert first.pseudonym("12345672") == first.pseudonym("012345672")
    assert "111222333" not in first.pseudonym("111222333")


def test_salt_is_hidden_and_must_be_long_enough() -> None:
    assert SALT not in repr(Pseudonymiser(SALT))
    with pytest.raises(PrivacyError, match="at least 16 bytes"):
        Pseudonymiser("short")


def test_error_messages_never_show_ids(tmp_path: Path) -> None:
    path = tmp_path / "spells.csv"
    path.write_text(
        "persoon_id,startdatum,einddatum,uitstroomroute,klantgroep\n"
        "geheim-007,2018-01-01,2019-01-01,werk,a\n"
        "geheim-007,2018-06-01,,,a\n"
    )
    with pytest.raises(Exception) as caught:
        read_spells(path, routes=ROUTES, peildatum=PEILDATUM)
    assert "rows 2 and 3" in str(caught.value)
    assert "geheim" not in str(caught.value)


def _all_text(frame: pl.DataFrame) -> str:
    return " ".join(str(v) for column in frame.iter_columns() for v in column.to_list())
