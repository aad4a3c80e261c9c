"""The stock terms' variance against an exact answer: two klantgroepen with constant hazards, so
every case of a klantgroep has the same chance to be in S a month later and the binomial
variance of the old part, sum_g o_g (1 - o_g / A_g), is exact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import tomli_w
from scipy.linalg import expm

from simbijstand.estimation.calibrate import calibrate

EXIT_A, DOOR_AB = 0.6, 1.2  # per year; a -> b doorstroom, so b's stock draws on both origins
COUNTS = {"a": 1000, "b": 3000}


def two_group_config(folder: Path) -> Path:
    dates = [dt.date(2018 + m // 12, m % 12 + 1, 1) for m in range(13)]
    rows = [
        ("Proef", d, g, n + 10 * (m % 3)) for m, d in enumerate(dates) for g, n in COUNTS.items()
    ]
    schema = ["gemeente", "peildatum", "klantgroep", "aantal"]
    pl.DataFrame(rows, schema=schema, orient="row").write_csv(folder / "bestand.csv")
    fixed = {"bron": "proef"}
    config = {
        "naam": "variantie",
        "waarneming": {"van": dates[0], "tot": dates[-1]},
        "model": {"routes": ["overig"], "overdispersie": {"waarde": 1.0, "bron": "proef"}},
        "instroom": {
            "trend": {"waarde": 0.0, "bron": "proef"},
            "seizoen": "geen",
            "klantgroepen": {"waarde": {"a": 0.7, "b": 0.3}, "bron": "proef"},
        },
        "klantgroepen": {
            "a": {
                "uitstroom": {"overig": {"waarde": EXIT_A} | fixed},
                "doorstroom": {"b": {"waarde": DOOR_AB} | fixed},
            },
            "b": {"uitstroom": {"overig": "schatten"}},
        },
        "gemeenten": {"Proef": {"uitvoer": "uit.toml"}},
        "reeks": [{"naam": "bestand", "formaat": "bestand_klantgroep", "bestand": "bestand.csv"}],
    }
    (folder / "kalibratie.toml").write_text(tomli_w.dumps(config))
    return folder / "kalibratie.toml"


def test_the_old_part_of_a_stock_varies_binomially_per_origin_klantgroep(tmp_path: Path) -> None:
    fitter = calibrate(two_group_config(tmp_path)).fitter
    row = fitter.params_.filter(pl.col("parameter") == "klantgroepen.b.uitstroom.overig")
    assert row["schaal"][0] == "log"
    exit_b = float(np.exp(row["theta"][0]))
    generator = np.array(  # a, b, gone; per year
        [[-EXIT_A - DOOR_AB, DOOR_AB, EXIT_A], [0, -exit_b, exit_b], [0, 0, 0]]
    )
    chance = expm(generator * 31 / 365.25)  # January: 31 days
    evaluation = fitter.path_.evaluate(fitter.theta_)
    for term, group in enumerate(("a", "b")):  # the first term of each series: 1 February
        assert fitter.path_.stock_terms[term].observation.groups == (group,)
        p = chance[:2, "ab".index(group)]  # from a, from b into `group`
        survivors = np.array([COUNTS["a"], COUNTS["b"]]) * p
        new = evaluation.stock_mean[term] - survivors.sum()
        exact = np.sum(survivors * (1 - p)) + new  # binomial old, Poisson new
        assert np.isclose(evaluation.stock_variance[term], exact, rtol=1e-9)
        # one pooled A (the old formula) would count a's cases as uncertain members of b
        pooled = survivors.sum() * (1 - survivors.sum() / sum(COUNTS.values())) + new
        assert group == "a" or pooled > 2 * exact
