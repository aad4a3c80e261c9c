"""Broken calibration configs and data files: each refused with the file, key or row, and
what is allowed. A corpus in the style of tests/broken_scenarios, built from one good config."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from simbijstand.errors import SimbijstandError
from simbijstand.estimation.calibrate import calibrate
from simbijstand.estimation.config.config import load_config
from simbijstand.estimation.errors import ConfigError

GOOD: dict[str, Any] = {
    "naam": "proef",
    "waarneming": {
        "van": __import__("datetime").date(2016, 1, 1),
        "tot": __import__("datetime").date(2016, 4, 1),
    },
    "model": {
        "routes": ["werk", "overig"],
        "overdispersie": {"waarde": 1.0, "bron": "Poisson"},
    },
    "instroom": {
        "trend": {"waarde": 0.0, "bron": "een kwartaal"},
        "seizoen": "geen",
        "klantgroepen": {"waarde": {"a": 1.0}, "bron": "een groep"},
    },
    "klantgroepen": {"a": {"uitstroom": {"werk": "schatten", "overig": "schatten"}}},
    "gemeenten": {"Dorp": {"uitvoer": "dorp.toml"}},
    "reeks": [
        {"naam": "stroom", "formaat": "stroom", "bestand": "stroom.csv"},
        {
            "naam": "redenen",
            "formaat": "redenen",
            "bestand": "redenen.csv",
            "periode": {
                "van": __import__("datetime").date(2016, 1, 1),
                "tot": __import__("datetime").date(2016, 4, 1),
            },
            "uitstroomredenen": [
                {"routes": ["werk"], "redenen": ["arbeid"]},
                {"routes": ["overig"], "redenen": ["verhuizing", "anders"]},
            ],
        },
    ],
}
STROOM = (
    "gemeente,periode_start,periode_eind,stand_begin,instroom,uitstroom,stand_eind\n"
    "Dorp,2016-01-01,2016-03-31,300,24,23,301\n"
)
REDENEN = (
    "gemeente,richting,reden,aantal\n"
    "Dorp,uitstroom,arbeid,10\nDorp,uitstroom,verhuizing,8\nDorp,uitstroom,anders,5\n"
    "Dorp,instroom,anders,24\n"
)


def write(
    folder: Path, config: dict[str, Any], stroom: str = STROOM, redenen: str = REDENEN
) -> Path:
    (folder / "stroom.csv").write_text(stroom)
    (folder / "redenen.csv").write_text(redenen)
    path = folder / "kalibratie.toml"
    path.write_text(tomli_w.dumps(config))
    return path


def test_the_good_config_fits(tmp_path: Path) -> None:
    calibration = calibrate(write(tmp_path, GOOD))
    assert calibration.fitter.params_.height == 3  # level, werk, overig
    notes = " ".join(calibration.observations.notes)
    assert "instroomredenen" in notes and "totale uitstroom" in notes


def changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    config = copy.deepcopy(GOOD)
    target = config
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return config


CONFIGS = [
    (
        "unknown key",
        changed(("model", "overdisperise"), 1),
        ["model.overdisperise", "did you mean 'overdispersie'"],
    ),
    (
        "assumption without source",
        changed(("instroom", "trend"), {"waarde": 0.0}),
        ["instroom.trend", "bron"],
    ),
    (
        "typo for schatten",
        changed(("klantgroepen", "a", "uitstroom", "werk"), "schat"),
        ["klantgroepen.a.uitstroom.werk", '"schatten"'],
    ),
    (
        "unknown route",
        changed(("klantgroepen", "a", "uitstroom", "wrek"), "schatten"),
        ["klantgroepen.a.uitstroom.wrek", "unknown name 'wrek'", "known: overig, werk"],
    ),
    (
        "shares do not add up",
        changed(("instroom", "klantgroepen"), {"waarde": {"a": 0.8}, "bron": "x"}),
        ["instroom.klantgroepen", "add up to 0.8000"],
    ),
    (
        "window backwards",
        changed(("waarneming", "tot"), __import__("datetime").date(2015, 1, 1)),
        ["waarneming.tot", "must come after van"],
    ),
    (
        "duur_factor without spells",
        changed(("klantgroepen", "a", "duur_factor"), "schatten"),
        ["duur_factor", "give spells"],
    ),
    (
        "cbs without kolom",
        changed(
            ("reeks", 0),
            {
                "naam": "x",
                "formaat": "cbs_uitkeringen",
                "bestand": "x.csv",
                "gemeente": "Dorp",
                "peilmoment": "einde_maand",
                "bron": "cbs",
            },
        ),
        ["reeks[1].kolom", "formaat cbs_uitkeringen needs kolom"],
    ),
    (
        "backtest doel",
        changed(("backtest",), {"doel": "redenen"}),
        ["backtest.doel", "not a [[reeks]] of stocks"],
    ),
    (
        "unknown gedeeld",
        changed(("model", "gedeeld"), ["instroom"]),
        ["model.gedeeld.instroom", "unknown name"],
    ),
]


@pytest.mark.parametrize(("case", "config", "words"), CONFIGS, ids=[c[0] for c in CONFIGS])
def test_broken_configs_name_file_and_key(
    tmp_path: Path, case: str, config: dict, words: list[str]
) -> None:
    path = write(tmp_path, config)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message, case
    for word in words:
        assert word in message, (case, message)


DATA = [
    (
        "missing column",
        STROOM.replace("stand_eind", "eind"),
        REDENEN,
        ["stroom.csv", "missing column(s) stand_eind"],
    ),
    (
        "negative count",
        STROOM.replace(",24,", ",-24,"),
        REDENEN,
        ["stroom.csv", "row 2", "instroom", "negative"],
    ),
    (
        "stock the flows cannot explain",
        STROOM.replace(",301", ",305"),
        REDENEN,
        ["stroom.csv", "row 2", "cannot explain the stock"],
    ),
    (
        "unmapped reason",
        STROOM,
        REDENEN + "Dorp,uitstroom,detentie,1\n",
        ["redenen.csv", "row 6", "'detentie'", "not mapped"],
    ),
    (
        "reasons and total disagree",
        STROOM,
        REDENEN.replace("anders,5", "anders,6"),
        ["exits by reason add up to 24", "total outflow", "is 23"],
    ),
    (
        "not a month's end",
        STROOM.replace("2016-03-31", "2016-03-30"),
        REDENEN,
        ["stroom.csv", "row 2", "last day of a month"],
    ),
]


@pytest.mark.parametrize(("case", "stroom", "redenen", "words"), DATA, ids=[c[0] for c in DATA])
def test_bad_data_names_file_and_row(tmp_path: Path, case, stroom, redenen, words) -> None:
    path = write(tmp_path, GOOD, stroom, redenen)
    with pytest.raises(SimbijstandError) as caught:
        calibrate(path)
    message = str(caught.value)
    for word in words:
        assert word in message, (case, message)


def test_a_gap_in_a_monthly_series_names_the_row(tmp_path: Path) -> None:
    rows = [
        "maand,bijstand_totaal_x1000,bijstand_tot_aow_x1000,bijstand_vanaf_aow_x1000,ioaw_x1000,ioaz_x1000,ww_nsa_x1000"
    ]
    rows += [f"2016-{m:02d}-01,1,1,0,0,0,0" for m in (1, 2, 3, 5, 6)]
    (tmp_path / "cbs.csv").write_text("\n".join(rows) + "\n")
    config = changed(
        ("reeks",),
        [
            {
                "naam": "cbs",
                "formaat": "cbs_uitkeringen",
                "bestand": "cbs.csv",
                "gemeente": "Dorp",
                "kolom": "bijstand_totaal_x1000",
                "peilmoment": "begin_maand",
                "bron": "proef",
            }
        ],
    )
    with pytest.raises(SimbijstandError) as caught:
        calibrate(write(tmp_path, config))
    message = str(caught.value)
    assert "cbs.csv" in message and "row 5" in message and "1 month(s) missing" in message


def test_stocks_and_flows_of_other_files_must_agree_too(tmp_path: Path) -> None:
    """Generic stock and flow files: with no doorstroom possible, the stock must follow."""
    (tmp_path / "bestand.csv").write_text(
        "gemeente,peildatum,klantgroep,aantal\nDorp,2016-01-01,,300\nDorp,2016-02-01,,320\n"
    )
    (tmp_path / "stromen.csv").write_text(
        "gemeente,van,tot,richting,klantgroep,route,aantal\n"
        "Dorp,2016-01-01,2016-02-01,instroom,,,10\nDorp,2016-01-01,2016-02-01,uitstroom,,,5\n"
    )
    config = changed(
        ("reeks",),
        [
            {"naam": "bestand", "formaat": "bestand_klantgroep", "bestand": "bestand.csv"},
            {"naam": "stromen", "formaat": "stromen", "bestand": "stromen.csv"},
        ],
    )
    with pytest.raises(SimbijstandError) as caught:
        calibrate(write(tmp_path, config))
    message = str(caught.value)
    assert "bestand.csv, row 3" in message and "300 + instroom 10 - uitstroom 5 = 305" in message
