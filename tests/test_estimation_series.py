"""Readers of the real aggregate series in calibration/data, and their refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from simbijstand.errors import InputDataError
from simbijstand.estimation.observations import series

DATA = Path(__file__).resolve().parents[1] / "calibration" / "data"


def test_cbs_uitkeringen_is_a_complete_monthly_series() -> None:
    frame = series.read_cbs_uitkeringen(DATA / "cbs_37789ksz_uitkeringen_nederland_maand.csv")
    assert frame.height == 324  # Jan 1998 - Dec 2024
    assert frame["maand"][0] == dt.date(1998, 1, 1) and frame["maand"][-1] == dt.date(2024, 12, 1)
    assert frame.schema["bijstand_totaal_x1000"] == pl.Float64
    assert frame["bijstand_totaal_x1000"][-1] == 397.8


def test_cbs_werkloosheid() -> None:
    frame = series.read_cbs_werkloosheid(DATA / "cbs_80590ned_werkloosheid_nederland_maand.csv")
    assert frame.height == 264 and frame["maand"][0] == dt.date(2003, 1, 1)  # to Dec 2024


@pytest.mark.parametrize(
    ("reader", "name", "rows"),
    [
        (series.read_bestand, "bmwe_bestand.csv", 20),
        (series.read_bestand_per_regeling, "igsd_bestand_2016.csv", 4),
        (series.read_stroom, "igsd_stroom_2016q1.csv", 2),
        (series.read_redenen, "igsd_redenen_2016q1.csv", 36),
        (series.read_aanvragen, "igsd_aanvragen_2016q1.csv", 8),
        (series.read_besluiten, "bmwe_aanvragen_besluiten.csv", 3),
        (series.read_beleidskader, "bmwe_beleidskader_2015.csv", 54),
        (series.read_profielen, "igsd_profielen_2016q1.csv", 34),
        (series.read_klantgroepen, "steenwijkerland_klantgroepen_2020.csv", 6),
    ],
)
def test_municipal_files_read(reader, name: str, rows: int) -> None:
    assert reader(DATA / name).height == rows


def test_typed_columns() -> None:
    stroom = series.read_stroom(DATA / "igsd_stroom_2016q1.csv")
    assert stroom.row(1) == (
        "Steenwijkerland",
        dt.date(2016, 1, 1),
        dt.date(2016, 3, 31),
        897,
        46,
        50,
        893,
    )
    assert series.read_bestand(DATA / "bmwe_bestand.csv").schema["peildatum"] == pl.Date


def _edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (DATA / name).read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


CBS = "cbs_37789ksz_uitkeringen_nederland_maand.csv"
BAD = {
    "missing column": (
        series.read_cbs_uitkeringen,
        CBS,
        "",
        "",
        ["missing column", "ioaz_x1000"],
    ),
    "decimal comma": (
        series.read_cbs_werkloosheid,
        "cbs_80590ned_werkloosheid_nederland_maand.csv",
        "2003-01-01,5.6",
        "2003-01-01,5,6",
        ["row 2", "3 fields where the header has 2", "decimals take a '.'"],
    ),
    "gap in the months": (
        series.read_cbs_uitkeringen,
        CBS,
        "2005-03-01,",
        "XX",
        [],
    ),
    "duplicated month": (
        series.read_cbs_uitkeringen,
        CBS,
        "2005-03-01,",
        "2005-02-01,",
        ["rows 87 and 88", "maand = 2005-02-01 appears more than once"],
    ),
    "unsorted months": (
        series.read_cbs_uitkeringen,
        CBS,
        "2005-03-01,",
        "SWAP",
        ["row 89", "2005-03-01 comes after 2005-04-01", "sort the file"],
    ),
    "not the first of the month": (
        series.read_cbs_uitkeringen,
        CBS,
        "2005-03-01,",
        "2005-03-15,",
        ["row 88", "not the first day"],
    ),
    "not a number": (
        series.read_cbs_uitkeringen,
        CBS,
        "2005-03-01,",
        "2005-03-01,veel",
        ["row 88", "not a number"],
    ),
    "negative count": (
        series.read_bestand,
        "bmwe_bestand.csv",
        "Bedum,2016-01-01,162",
        "Bedum,2016-01-01,-162",
        ["bmwe_bestand.csv, row 6", "bijstandsuitkeringen", "negative"],
    ),
    "repeated key": (
        series.read_bestand,
        "bmwe_bestand.csv",
        "Bedum,2016-01-01",
        "Bedum,2015-01-01",
        ["rows 2 and 6", "gemeente = Bedum", "more than once"],
    ),
    "percentage above 100": (
        series.read_cbs_werkloosheid,
        "cbs_80590ned_werkloosheid_nederland_maand.csv",
        "2003-01-01,5.6",
        "2003-01-01,560",
        ["row 2", "above 100"],
    ),
    "stock the flows cannot explain": (
        series.read_stroom,
        "igsd_stroom_2016q1.csv",
        "46,50,893",
        "46,50,900",
        ["row 3", "= 893, but stand_eind is 900", "cannot explain the stock"],
    ),
    "totaal not the sum": (
        series.read_besluiten,
        "bmwe_aanvragen_besluiten.csv",
        "84,518",
        "84,519",
        ["row 2", "totaal is 519"],
    ),
    "unknown richting": (
        series.read_redenen,
        "igsd_redenen_2016q1.csv",
        "Westerveld,instroom",
        "Westerveld,inflow",
        ["row 2", "instroom or uitstroom"],
    ),
    "year out of range": (
        series.read_beleidskader,
        "bmwe_beleidskader_2015.csv",
        "BMWE,2010",
        "BMWE,201",
        ["row 2", "not a year"],
    ),
    "empty cell": (
        series.read_bestand,
        "bmwe_bestand.csv",
        "Bedum,2015-01-01,144",
        "Bedum,2015-01-01,",
        ["row 2", "bijstandsuitkeringen is empty"],
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_series_are_refused_naming_file_and_row(tmp_path: Path, case: str) -> None:
    reader, name, old, new, keywords = BAD[case]
    path = _edited(tmp_path, name, old, new)
    lines = path.read_text().splitlines()
    if case == "missing column":  # drop the column ioaz_x1000 everywhere
        lines = [",".join(f for i, f in enumerate(line.split(",")) if i != 5) for line in lines]
    if case == "gap in the months":  # drop the row of March 2005 (row 88)
        lines = [line for line in lines if not line.startswith("XX")]
        keywords = [name, "row 88", "2005-04-01 follows 2005-02-01", "1 month(s) missing"]
    if case == "unsorted months":  # March 2005 (row 88) moved below April 2005
        row = next(i for i, line in enumerate(lines) if line.startswith("SWAP"))
        lines[row], lines[row + 1] = lines[row + 1], lines[row].replace("SWAP", "2005-03-01,")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputDataError) as caught:
        reader(path)
    assert name in str(caught.value)
    for keyword in keywords:
        assert keyword in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="file not found"):
        series.read_bestand(tmp_path / "bmwe_bestand.csv")


def test_copies_match_the_shared_data() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not shared.is_dir():
        pytest.skip("the shared data folder is not next to this checkout")
    for copy in DATA.glob("*.csv"):
        assert _rows(copy) == _rows(shared / copy.name)[: len(_rows(copy))], copy.name


def _rows(path: Path) -> list[str]:
    """The file's lines without their line endings: the shared national series now run to
    2024-12 (with CRLF endings); the project's copy may stop earlier, where the shipped
    calibration's data window ends, but every row it has must be the shared file's."""
    return path.read_text(encoding="utf-8").splitlines()
