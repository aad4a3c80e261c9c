"""The shipped calibrations: every parameter file loads, is up to date with its config and data
(the SHA-256 in its [herkomst]), states its assumptions, and the scenarios on them validate."""

from __future__ import annotations

from pathlib import Path

import pytest

import simbijstand
from conftest import REPO, SCENARIOS
from simbijstand.estimation.config.config import load_config
from simbijstand.scenario import load_parameter_file
from simbijstand.scenario.toml_io import file_sha256

CONFIGS = sorted((REPO / "calibration").glob("*/kalibratie.toml"))


def outputs(config: Path) -> list[Path]:
    spec = load_config(config).spec
    return [Path(g.uitvoer) for g in spec.gemeenten.values()]


@pytest.mark.parametrize("config", CONFIGS, ids=[c.parent.name for c in CONFIGS])
def test_shipped_parameter_files_match_their_config_and_data(config: Path) -> None:
    for path in outputs(config):
        params = load_parameter_file(path)
        assert params.herkomst is not None, path
        assert params.herkomst.config_sha256 == file_sha256(config), f"recalibrate {config}"
        for used in params.herkomst.bestanden:
            assert used.sha256 == file_sha256(path.parent / used.pad), (path, used.pad)
        assert params.intervallen and params.onzekerheid and params.herkomst.aannames
        assert (path.parent / f"{path.stem}-beginstand.csv").is_file()
        assert (config.parent / "README.md").is_file()


def test_five_calibrations_are_shipped() -> None:
    assert {c.parent.name for c in CONFIGS} == {
        "steenwijkerland",
        "igsd",
        "bmwe",
        "nederland",
        "nederland-2020",
    }


@pytest.mark.parametrize(
    "name", ["bmwe-2018", "nederland-2020", "nederland-2025", "basis-gekalibreerd"]
)
def test_scenarios_on_the_calibrations_load(name: str) -> None:
    scenario = simbijstand.load_scenario(SCENARIOS / f"{name}.toml")
    assert scenario.spec.simulatie.parameteronzekerheid
    assert not scenario.spec.multiplicator  # no economic shock
    if name != "basis-gekalibreerd":
        assert scenario.spec.historie is not None
