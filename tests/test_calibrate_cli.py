"""`simbijstand calibrate` end to end: the parameter file loads, carries its provenance,
intervals and uncertainty, and a scenario runs on it with parameter uncertainty."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import scenario_data, write_toml
from recovery import write_toy
from simbijstand.cli import main
from simbijstand.scenario import load_parameter_file
from simbijstand.scenario.toml_io import file_sha256


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("kalibratie")
    config = write_toy(folder)
    result = CliRunner().invoke(main, ["calibrate", str(config)])
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_calibrate_writes_a_parameter_file_the_engine_reads(calibrated) -> None:
    folder, output = calibrated
    assert "Kalibratie proef" in output and "instroom.per_jaar" in output
    params = load_parameter_file(folder / "uit.toml")
    assert params.herkomst is not None
    files = {f.pad: f.sha256 for f in params.herkomst.bestanden}
    assert files["bestand.csv"] == file_sha256(folder / "bestand.csv")
    assert params.herkomst.config_sha256 == file_sha256(folder / "kalibratie.toml")
    assert params.herkomst.aannames["overdispersie"] == "1.0: proef"
    interval = params.intervallen["instroom.per_jaar"]
    assert params.instroom.per_jaar == pytest.approx(interval.schatting)
    assert interval.laag < interval.schatting < interval.hoog
    block = params.onzekerheid[0]
    assert block.verdeling == "lognormaal" and "klantgroepen.a.uitstroom.werk" in block.sleutels


def test_the_report_shows_fit_parameters_and_assumptions(calibrated) -> None:
    folder, _ = calibrated
    report = (folder / "kalibratie-rapport.md").read_text()
    for section in (
        "## Gebruikte data",
        "## Geschatte waarden per gemeente",
        "## Vrije parameters",
        "## Aannames (uit de config, met bron)",
        "## Waargenomen en verwacht",
    ):
        assert section in report
    assert "bestand (netto doorstroom)" not in report  # one group: no doorstroom to speak of
    fitted = (folder / "kalibratie-fit.csv").read_text().splitlines()
    assert fitted[0].startswith("reeks,bestand,rij,gemeente,soort,van,tot,waargenomen,verwacht")
    assert len(fitted) > 36


def test_a_scenario_runs_on_the_calibration_with_parameter_uncertainty(calibrated) -> None:
    folder, _ = calibrated
    scenario = scenario_data(
        start=dt.date(2021, 1, 1),
        months=6,
        replications=8,
        gemeenten={"Proef": {"parameters": "uit.toml", "beginstand": {"aantallen": {"a": 480}}}},
    )
    scenario["simulatie"]["parameteronzekerheid"] = True
    path = write_toml(folder / "scenario.toml", scenario)
    result = CliRunner().invoke(
        main, ["run", str(path), "--out", str(folder / "scenario-run"), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Banden: toeval én onzekerheid in de geschatte parameters" in result.output


def test_out_is_the_folder_for_every_file(calibrated, tmp_path: Path) -> None:
    folder, _ = calibrated
    out = tmp_path / "elders"
    result = CliRunner().invoke(
        main, ["calibrate", str(folder / "kalibratie.toml"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = {p.name for p in out.iterdir()}
    assert written == {
        "uit.toml",
        "uit-beginstand.csv",
        "kalibratie-rapport.md",
        "kalibratie-fit.csv",
    }
    assert load_parameter_file(out / "uit.toml").routes


def test_out_as_a_toml_file_says_to_give_a_folder(calibrated, tmp_path: Path) -> None:
    folder, _ = calibrated
    target = tmp_path / "params.toml"
    result = CliRunner().invoke(
        main, ["calibrate", str(folder / "kalibratie.toml"), "--out", str(target)]
    )
    assert result.exit_code == 2 and "give the folder to write every file in" in result.output
    assert not target.exists()


def test_a_broken_config_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "kapot.toml"
    path.write_text('naam = "x"\n[waarneming]\nvan = 2016-01-01\n')
    result = CliRunner().invoke(main, ["calibrate", str(path)])
    assert result.exit_code == 2
    assert f"{path}: missing key 'model'" in result.output
