"""No error message shows a value that could be a citizen service number (BSN): a BSN in any
column of a spells file is refused by column and row, the CSV checks mask what they quote, and
the CLI masks every message as a last net."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import write_valid
from simbijstand.domain.bsn import MASK, is_bsn, mask_bsns
from simbijstand.errors import SimbijstandError
from simbijstand.estimation.spells.spells import read_spells

BSN = "123456782"  # 9+16+21+24+25+24+21+16 - 2 = 154 = 14 x 11
HEADER = "persoon_id,startdatum,einddatum,uitstroomroute,klantgroep\n"
ROWS = {
    "klantgroep": f"A1,2019-01-01,2019-06-01,werk,{BSN}",
    "uitstroomroute": f"A1,2019-01-01,2019-06-01,{BSN},a",
    "startdatum": f"A1,{BSN},2019-06-01,werk,a",
    "einddatum": "A1,2019-01-01,12345672,werk,a",  # 8 digits: the leading zero lost
}


@pytest.mark.parametrize("column", ROWS)
def test_a_bsn_in_another_column_of_a_spells_file_is_not_shown(tmp_path: Path, column: str) -> None:
    path = tmp_path / "spells.csv"
    path.write_text(HEADER + ROWS[column] + "\n")
    with pytest.raises(SimbijstandError) as caught:
        read_spells(path, routes=("werk", "overig"), peildatum=dt.date(2020, 1, 1))
    message = str(caught.value)
    assert f"column {column}" in message and "row 2" in message and "BSN" in message
    assert BSN not in message and "12345672" not in message


def test_the_command_masks_a_bsn_in_a_beginstand(tmp_path: Path) -> None:
    write_valid(tmp_path)
    (tmp_path / "beginstand.csv").write_text(f"klantgroep,aantal\n{BSN},3\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from simbijstand.cli import main; main()",
            "validate",
            str(tmp_path / "scenario.toml"),
        ],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 2
    assert "beginstand.csv, row 2: klantgroep '<BSN?>' is not in the parameter file" in (
        result.stderr
    )
    assert BSN not in result.stderr + result.stdout


def test_mask_bsns() -> None:
    assert mask_bsns(f"a {BSN}, b") == f"a {MASK}, b"
    assert mask_bsns("id BSN123456782x") == f"id BSN{MASK}x"
    assert mask_bsns("12345672") == MASK  # 012345672
    kept = "123456789 1234567820 2024-01-01 20.5 row 7"  # fails the test, too long, no run
    assert mask_bsns(kept) == kept


NO_DIGITS = st.text(st.characters(blacklist_categories=("Nd",)), max_size=5)


@given(st.integers(1, 999_999_999), NO_DIGITS, NO_DIGITS)
def test_no_bsn_survives_masking(number: int, before: str, after: str) -> None:
    digits = f"{number:09d}"
    masked = mask_bsns(f"{before}{digits}{after}")
    assert (digits not in masked) == is_bsn(digits)
