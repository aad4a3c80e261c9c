"""`simbijstand calibrate` as a function: fit a config, write parameter files and the report.

The fit is `estimation.calibrate` (values only); this use case loads the config, calls it, and
writes every file.

Per gemeente: the parameter file (`uitvoer`), and beside it `<uitvoer>-beginstand.csv`, the
caseload the fit ends in on waarneming.tot by klantgroep and duration band, for a scenario that
starts there. Beside the first: `<config>-rapport.md` and `<config>-fit.csv`.

Each parameter file is checked by loading it back as the engine would, before anything else is
written: a calibration never leaves a file the engine cannot read.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from simbijstand.errors import RunDirectoryError
from simbijstand.estimation.calibrate import Calibration, calibrate, caseload_at_end
from simbijstand.estimation.config.config import CalibrationConfig, load_config
from simbijstand.estimation.parameter_files import parameter_file_data
from simbijstand.reporting.fit_report import markdown_report
from simbijstand.runs.record import package_version
from simbijstand.scenario import load_parameter_file
from simbijstand.store.files import write_atomic

HEADER = """\
# Parameters van {gemeente}, geschreven door `simbijstand calibrate {config}`.
# Pas niet dit bestand aan maar de config, en kalibreer opnieuw. Onderaan staan de herkomst
# (bestanden met SHA-256, aannames met bron), de intervallen en de onzekerheid waaruit een run
# met parameteronzekerheid trekt; het rapport {report} laat de fit zien.
"""


@dataclass(frozen=True, slots=True)
class CalibrationOutput:
    calibration: Calibration
    parameter_files: dict[str, Path]
    initial_states: dict[str, Path]  # the caseload on tot, to start a scenario from
    report: Path
    fitted: Path


def run_calibration(
    config: str | Path | CalibrationConfig,
    *,
    out: str | Path | None = None,
    tot: dt.date | None = None,
) -> CalibrationOutput:
    """Calibrate and write every gemeente's parameter file, the report and the fit CSV.

    Args:
        out: the folder to write every file in (parameter files by their `uitvoer` name,
            beginstand CSVs, report and fit CSV); default each gemeente's `uitvoer` in the
            config, with report and fit beside the first.
        tot: end the observation window here instead of the config's `waarneming.tot`.
    """
    if not isinstance(config, CalibrationConfig):
        config = load_config(config)
    targets = output_paths(config, Path(out) if out is not None else None)
    calibration = calibrate(config, tot=tot)
    folder = next(iter(targets.values())).parent
    report = folder / f"{config.path.stem}-rapport.md"
    fitted = folder / f"{config.path.stem}-fit.csv"
    texts = {g: _parameter_text(calibration, g, p, report) for g, p in targets.items()}
    initial = {g: p.with_name(f"{p.stem}-beginstand.csv") for g, p in targets.items()}
    for gemeente, path in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda p, t=texts[gemeente]: p.write_text(t, encoding="utf-8"))
        rows = _initial_rows(calibration, gemeente)
        write_atomic(initial[gemeente], lambda p, r=rows: p.write_text(r, encoding="utf-8"))
    write_atomic(report, lambda p: p.write_text(markdown_report(calibration, targets), "utf-8"))
    write_atomic(fitted, lambda p: calibration.fitter.fitted().write_csv(p))
    return CalibrationOutput(calibration, targets, initial, report, fitted)


def _initial_rows(calibration: Calibration, gemeente: str) -> str:
    """The caseload on tot by klantgroep and duration band, as a beginstand CSV."""
    edges = calibration.config.spec.model.duurbanden_maanden
    counts = caseload_at_end(calibration, gemeente)
    lines = ["klantgroep,duur_vanaf_maanden,aantal"]
    lines += [f"{group},{edges[band]},{n}" for (group, band), n in counts.items()]
    return "\n".join(lines) + "\n"


def output_paths(config: CalibrationConfig, out: Path | None) -> dict[str, Path]:
    """Each gemeente's parameter file: its `uitvoer`, or with `out` that name inside `out`."""
    gemeenten = config.spec.gemeenten
    if out is None:
        return {g: Path(spec.uitvoer) for g, spec in gemeenten.items()}
    if out.suffix == ".toml" or (out.exists() and not out.is_dir()):
        raise RunDirectoryError(
            f"--out {out}: give the folder to write every file in (parameter file, beginstand, "
            f"report, fit); the parameter file gets its uitvoer name there, "
            f"e.g. --out {out.parent if out.suffix == '.toml' else out.with_suffix('')}"
        )
    return {g: out / Path(spec.uitvoer).name for g, spec in gemeenten.items()}


def _parameter_text(calibration: Calibration, gemeente: str, path: Path, report: Path) -> str:
    data = parameter_file_data(calibration, gemeente, path, version=package_version("simbijstand"))
    header = HEADER.format(
        gemeente=gemeente, config=calibration.config.path.name, report=report.name
    )
    text = header + tomli_w.dumps(data)
    with tempfile.TemporaryDirectory() as folder:  # check it as the engine reads it
        probe = Path(folder) / path.name
        probe.write_text(text, encoding="utf-8")
        load_parameter_file(probe)
    return text
