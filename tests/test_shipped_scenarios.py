"""The scenario library: every shipped file validates and runs, and the variants order as their
stories say (same seed, so the comparison is paired)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import simbijstand
from conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.toml"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_scenario_file_runs(path: Path, tmp_path: Path) -> None:
    result = simbijstand.run(path, replications=2, out=tmp_path / "run", workers=1)
    assert (tmp_path / "run" / "manifest.json").is_file()
    assert result.summary.filter(klantgroep="totaal")["mean"].min() > 0


def mean_total(
    name: str, tmp_path: Path, date: str = "2023-01-01", replications: int = 60
) -> float:
    result = simbijstand.run(
        SCENARIOS / f"{name}.toml", replications=replications, out=tmp_path / name, workers=1
    )
    row = result.summary.filter(gemeente="totaal", klantgroep="totaal").filter(
        pl.col("date").cast(pl.String) == date
    )
    return row["mean"].item()


def test_corona_variants_order_from_full_recovery_to_second_wave(tmp_path: Path) -> None:
    """Mean caseload at the end of 2022 rises with the severity of the recovery path."""
    names = ["volledig-herstel", "matig-herstel", "zwak-herstel", "tweede-golf"]
    means = [mean_total(name, tmp_path) for name in names]
    assert means == sorted(means), dict(zip(names, means, strict=True))
    assert means[-1] - means[0] > 50  # the spread is substantial, not noise


@pytest.mark.slow
def test_national_corona_variants_order_the_same_way(tmp_path: Path) -> None:
    names = [
        f"nederland-{n}"
        for n in ["volledig-herstel", "matig-herstel", "zwak-herstel", "tweede-golf"]
    ]
    means = [mean_total(name, tmp_path, replications=6) for name in names]
    assert means == sorted(means), dict(zip(names, means, strict=True))


def test_doubling_the_quota_raises_inflow(tmp_path: Path) -> None:
    def statushouders_inflow(name: str) -> float:
        result = simbijstand.run(
            SCENARIOS / f"{name}.toml", replications=20, out=tmp_path / name, workers=1
        )
        return result.flows.filter(event="instroom", route="statushouders")["count"].sum() / 20

    planned, doubled = (
        statushouders_inflow("taakstelling-statushouders"),
        statushouders_inflow("taakstelling-verdubbeld"),
    )
    assert 1.8 < doubled / planned < 2.2
