"""`simbijstand calibrate` for a pooled config: every gemeente at once, files written.

Writes beside the config one parameter file per gemeente (`<naam>.toml`, the name made
lowercase ASCII), the fit report `kalibratie-gemeenten.csv` (per gemeente: how much of each rate
comes from its own data and how much from the pool), and, when the config names one, the
scenario of every gemeente from the origin. Every parameter file is checked by loading it back
as the engine would before any file is written.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from simbijstand.estimation.pooled.calibrate import PooledCalibration, calibrate_gemeenten
from simbijstand.estimation.pooled.config import PooledConfig, load_pooled_config
from simbijstand.estimation.pooled.files import Provenance, parameter_data
from simbijstand.estimation.pooled.record import RECORD_FILE, pool_record, record_data
from simbijstand.reporting.pooled_fit import REPORT_NAME, fit_table_csv
from simbijstand.runs.gemeenten_scenario import scenario_text
from simbijstand.runs.record import package_version
from simbijstand.scenario import load_parameter_file
from simbijstand.scenario.rules import default_rules
from simbijstand.scenario.toml_io import file_sha256
from simbijstand.store.files import write_atomic

HEADER = """\
# Parameters van {gemeente}, geschreven door `simbijstand calibrate {config}` (gepoold over alle
# gemeenten). Pas niet dit bestand aan maar de config, en kalibreer opnieuw; zie README.md.
"""
RECORD_HEADER = """\
# De gefitte pool van `simbijstand calibrate {config}`: coefficienten, hun covariantie en de
# varianties, om een gemeente die niet in de fit zat haar tarieven te geven (`simbijstand init`).
# Een kopie zit in het pakket (src/simbijstand/estimation/pooled/{name}); na opnieuw kalibreren
# daarheen kopieren (een test controleert dat ze gelijk zijn).
"""


@dataclass(frozen=True, slots=True)
class PooledOutput:
    calibration: PooledCalibration
    parameter_files: dict[str, Path]
    report: Path
    scenario: Path | None


def run_pooled_calibration(path: str | Path) -> PooledOutput:
    config = load_pooled_config(Path(path))
    g = config.spec.gepoold
    calibration = calibrate_gemeenten(
        config.file(g.gegevens), config.file(g.herindelingen), config.file(g.landelijk),
        g.origin, g.leeftijd_code,
    )  # fmt: skip
    folder = config.path.parent
    names = file_names(calibration.rates.year.gemeenten)
    provenance = _provenance(config, calibration)
    texts = {
        gemeente: _parameter_text(calibration, i, provenance, config)
        for i, gemeente in enumerate(calibration.rates.year.gemeenten)
    }
    files = {gemeente: folder / names[gemeente] for gemeente in texts}
    for gemeente, target in files.items():
        write_atomic(target, lambda p, t=texts[gemeente]: p.write_text(t, encoding="utf-8"))
    record = _record_text(calibration, config)
    write_atomic(folder / RECORD_FILE, lambda p: p.write_text(record, encoding="utf-8"))
    report = folder / REPORT_NAME
    write_atomic(report, lambda p: p.write_text(fit_table_csv(calibration), encoding="utf-8"))
    scenario = None
    if g.scenario is not None:
        scenario = config.file(g.scenario)
        relative = {
            k: Path(os.path.relpath(v, scenario.parent)).as_posix() for k, v in files.items()
        }
        text = scenario_text(
            calibration, relative, config.path.name, g.horizon_maanden, g.replicaties
        )
        write_atomic(scenario, lambda p: p.write_text(text, encoding="utf-8"))
    return PooledOutput(calibration, files, report, scenario)


def _record_text(calibration: PooledCalibration, config: PooledConfig) -> str:
    """The pool's coefficients for new gemeenten (`estimation.pooled.record`)."""
    ages = default_rules().aow.leeftijd
    fit_year = calibration.rates.year.jaar
    pair = (ages[str(fit_year - 1)].leeftijd, ages[str(fit_year)].leeftijd)
    record = pool_record(calibration, config.file(config.spec.gepoold.landelijk), pair)
    header = RECORD_HEADER.format(config=config.path.name, name=RECORD_FILE)
    return header + tomli_w.dumps(record_data(record))


def file_names(gemeenten: tuple[str, ...]) -> dict[str, str]:
    """'s-Gravenhage -> s-gravenhage.toml, Súdwest-Fryslân -> sudwest-fryslan.toml."""
    names = {}
    for gemeente in gemeenten:
        ascii_name = unicodedata.normalize("NFKD", gemeente).encode("ascii", "ignore").decode()
        names[gemeente] = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") + ".toml"
    if len(set(names.values())) != len(names):
        raise ValueError("two gemeenten map to one parameter file name")  # a bug, not input
    return names


def _provenance(config: PooledConfig, calibration: PooledCalibration) -> Provenance:
    g = config.spec.gepoold
    inputs = (g.gegevens, g.herindelingen, g.landelijk)
    year = calibration.rates.year
    return Provenance(
        programma=f"simbijstand {package_version('simbijstand')}",
        config=config.path.name,
        config_sha256=file_sha256(config.path),
        van=year.start_date,
        tot=calibration.origin,
        bestanden=[{"pad": p, "sha256": file_sha256(config.file(p))} for p in inputs],
        aannames=_assumptions(calibration),
    )


def _assumptions(calibration: PooledCalibration) -> dict[str, str]:
    return {
        "instroom.per_jaar": "instroom per inwoner van het laatste jaar (gepoold) maal de "
        "inwoners van dat jaar: geen eigen trend, geen bevolkingsgroei, geen macro-aanname",
        "klantgroepen.bijstand.duur_factor": "geen duurafhankelijkheid: CBS geeft geen duren",
        "klantgroepen.bijstand.uitstroom.aow": f"{calibration.rates.uncounted:.4f} per jaar: "
        "de uitstroom die CBS niet telt (vooral het bereiken van de AOW-leeftijd), landelijk "
        "uit begin- en eindstand en stromen van het laatste jaar",
        "klantgroepen.bijstand.uitstroom_routes.werk": "aandeel werk in de getelde uitstroom, "
        "naar het landelijke aandeel getrokken met het gewicht van 20 uitstromers",
    }


def _parameter_text(
    calibration: PooledCalibration, index: int, provenance: Provenance, config: PooledConfig
) -> str:
    data = parameter_data(calibration.rates, calibration.level, index, provenance)
    gemeente = calibration.rates.year.gemeenten[index]
    text = HEADER.format(gemeente=gemeente, config=config.path.name) + tomli_w.dumps(data)
    with tempfile.TemporaryDirectory() as folder:  # check it as the engine reads it
        probe = Path(folder) / "probe.toml"
        probe.write_text(text, encoding="utf-8")
        load_parameter_file(probe)
    return text
