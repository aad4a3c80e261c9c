"""Parameter recovery: data simulated by the engine from known rates, calibrated, and the true
values inside their 95% intervals in about 95% of seeded repetitions.

The fast tests run a dozen repetitions and accept 80% or more (with 36 checks, a correct
estimator passes for nearly any seed; a broken interval fails); the slow ones run 150 and
accept 90-99% per parameter.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recovery import (
    ONE_GROUP,
    START,
    aggregate_config,
    coverage,
    hits,
    simulate,
    widest,
    write_aggregates,
    write_config,
    write_spells,
)
from simbijstand.estimation.calibrate import calibrate

TRUTH = {
    "instroom.per_jaar": 240.0,
    "klantgroepen.a.uitstroom.werk": 0.35,
    "klantgroepen.a.uitstroom.overig": 0.15,
}


def recover_aggregates(
    tmp: Path, repetitions: int, *, exits_observed: bool, seed: int
) -> list[dict]:
    months = 24
    result = simulate(tmp, ONE_GROUP, {"a": 300}, months, repetitions, seed)
    flows = ("instroom", "uitstroom") if exits_observed else ("instroom",)
    found = []
    for r in range(repetitions):
        folder = tmp / f"r{r}"
        write_aggregates(result, r, folder, per_group=False, flows=flows)
        write_config(folder, aggregate_config(months, exits_observed=exits_observed))
        found.append(hits(folder, TRUTH))
    return found


@pytest.mark.parametrize("exits_observed", [True, False], ids=["flows", "stocks"])
def test_rates_are_recovered_from_engine_aggregates(tmp_path: Path, exits_observed: bool) -> None:
    found = recover_aggregates(tmp_path, 10, exits_observed=exits_observed, seed=11)
    shares = coverage(found)
    assert sum(shares.values()) / len(shares) >= 0.8, shares
    # ... and not by being wide: ~480 inflows and ~170-340 exits per route give 95% intervals
    # of a factor exp(2 x 1.96 / sqrt(n)), 1.2 to 1.4; without exit counts somewhat wider
    limit = {
        "instroom.per_jaar": 1.3,
        "klantgroepen.a.uitstroom.werk": 1.6,
        "klantgroepen.a.uitstroom.overig": 1.9,
    }
    assert all(widest(found)[k] < v for k, v in limit.items()), widest(found)


BANDS = {
    "schema_version": 1,
    "routes": ["werk", "overig"],
    "duurbanden_maanden": [0, 12],
    "instroom": {"per_jaar": 150.0, "klantgroepen": {"a": 1.0}},
    "klantgroepen": {
        "a": {
            "uitstroom_per_jaar": 0.8,
            "uitstroom_routes": {"werk": 0.6, "overig": 0.4},
            "duur_factor": [1.0, 0.4],
        }
    },
}
SPELL_TRUTH = {
    "klantgroepen.a.uitstroom_band[1]": 0.8,
    "klantgroepen.a.uitstroom_band[2]": 0.32,
    "klantgroepen.a.uitstroom_routes.werk": 0.6,
    "klantgroepen.a.duur_factor[2]": 0.4,
    "instroom.per_jaar": 150.0,
}


def spell_config(end: dt.date) -> dict:
    return {
        "naam": "spells",
        "waarneming": {"van": START, "tot": end},
        "model": {
            "routes": ["werk", "overig"],
            "duurbanden_maanden": [0, 12],
            "overdispersie": {"waarde": 1.0, "bron": "met de engine gesimuleerd"},
        },
        "instroom": {
            "trend": {"waarde": 0.0, "bron": "proef"},
            "seizoen": "geen",
            "klantgroepen": "schatten",
        },
        "klantgroepen": {
            "a": {
                "uitstroom": {"werk": "schatten", "overig": "schatten"},
                "duur_factor": "schatten",
            }
        },
        "gemeenten": {
            "Proef": {"uitvoer": "uit.toml", "spells": {"bestand": "spells.csv", "peildatum": end}}
        },
    }


def recover_spells(tmp: Path, repetitions: int, seed: int) -> list[dict]:
    months = 24
    end = dt.date(START.year + 2, 1, 1)
    result = simulate(tmp, BANDS, {"a": 300}, months, repetitions, seed, keep_events=repetitions)
    found = []
    for r in range(repetitions):
        folder = tmp / f"s{r}"
        write_spells(result, r, folder)
        write_config(folder, spell_config(end))
        found.append(hits(folder, SPELL_TRUTH))
    return found


def test_rates_are_recovered_from_engine_spells(tmp_path: Path) -> None:
    found = recover_spells(tmp_path, 12, seed=5)
    shares = coverage(found)
    assert sum(shares.values()) / len(shares) >= 0.8, shares
    assert widest(found)["instroom.per_jaar"] < 1.4, widest(found)


@pytest.mark.slow
@pytest.mark.parametrize("exits_observed", [True, False], ids=["flows", "stocks"])
def test_aggregate_intervals_hold_95_percent(tmp_path: Path, exits_observed: bool) -> None:
    shares = coverage(recover_aggregates(tmp_path, 150, exits_observed=exits_observed, seed=2024))
    assert all(0.90 <= s <= 0.99 for s in shares.values()), shares


@pytest.mark.slow
def test_spell_intervals_hold_95_percent(tmp_path: Path) -> None:
    shares = coverage(recover_spells(tmp_path, 150, seed=2025))
    # exact (Garwood, Clopper-Pearson) intervals are conservative: at least 95%, often more
    assert all(0.90 <= s <= 1.0 for s in shares.values()), shares


TWO_GROUPS = {
    "schema_version": 1,
    "routes": ["overig"],
    "duurbanden_maanden": [0],
    "instroom": {"per_jaar": 600.0, "klantgroepen": {"a": 0.9, "b": 0.1}},
    "klantgroepen": {
        "a": {"uitstroom_per_jaar": 0.8, "uitstroom_routes": {"overig": 1.0}},
        "b": {"uitstroom_per_jaar": 0.1, "uitstroom_routes": {"overig": 1.0}},
    },
}


def two_group_config() -> dict:
    def fixed(rate: float) -> dict:
        return {"overig": {"waarde": rate, "bron": "met de engine gesimuleerd"}}

    return {
        "naam": "twee",
        "waarneming": {"van": START, "tot": dt.date(START.year + 3, 1, 1)},
        "model": {"routes": ["overig"], "overdispersie": "schatten"},
        "instroom": {
            "trend": {"waarde": 0.0, "bron": "proef"},
            "seizoen": "geen",
            "klantgroepen": "schatten",
        },
        "klantgroepen": {"a": {"uitstroom": fixed(0.8)}, "b": {"uitstroom": fixed(0.1)}},
        "gemeenten": {"Proef": {"uitvoer": "uit.toml"}},
        "reeks": [{"naam": "bestand", "formaat": "bestand_klantgroep", "bestand": "bestand.csv"}],
    }


def test_engine_stocks_of_two_klantgroepen_show_no_overdispersion(tmp_path: Path) -> None:
    """The engine's chance is all there is, so phi-hat should be near 1. A stock of one of two
    klantgroepen is where a variance pooled over all cases (before this was fixed) went wrong:
    it gave phi-hat ~0.16 here, the per-klantgroep variance ~0.93 (mean of 30 seeds)."""
    repetitions = 4
    result = simulate(tmp_path, TWO_GROUPS, {"a": 700, "b": 300}, 36, repetitions, seed=7)
    found = []
    for r in range(repetitions):
        folder = tmp_path / f"r{r}"
        write_aggregates(result, r, folder, per_group=True, flows=())
        write_config(folder, two_group_config())
        found.append(calibrate(folder / "kalibratie.toml").fitter.dispersion_)
    # 72 stock terms: phi-hat has sd ~0.17 per seed, ~0.09 for the mean of four
    assert 0.6 < sum(found) / repetitions < 1.4, found
