"""The fit report of a calibration, in Dutch: Markdown for the file, a short text for the terminal.

Sections: data used (with SHA-256) and what was left out; the parameters with intervals per
gemeente; the free parameters and how well the data pin them down; every assumption with its
source; observed against expected per series with residuals; derived quantities such as the
share of applications granted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import polars as pl
from scipy import stats

from simbijstand.estimation.aggregate.deviation import DeviationEstimate, cumulative_sd
from simbijstand.estimation.calibrate import Calibration, input_files
from simbijstand.reporting.terminal import number
from simbijstand.scenario.toml_io import file_sha256

LONG_SERIES = 36  # longer series show a summary and their last 12 rows (the CSV has all)


def markdown_report(calibration: Calibration, parameter_files: dict[str, Path]) -> str:
    config, fitter = calibration.config, calibration.fitter
    lines = [
        f"# Kalibratie {config.spec.naam}",
        "",
        config.spec.beschrijving,
        "",
        f"- config: `{config.path.name}` (SHA-256 `{config.sha256[:12]}…`)",
        f"- waarnemingsvenster: {calibration.van} tot {calibration.tot}",
        f"- {fitter.observation_count()} waarnemingen, {len(fitter.param_.parameters)} vrije "
        f"parameters, log-likelihood {fitter.loglik_:.2f}",
        f"- overdispersie φ = {_num(fitter.dispersion_)} "
        f"({'geschat' if config.spec.model.overdispersie.schatten else 'aanname'})",
        *[f"- parameterbestand {g}: `{p.name}`" for g, p in parameter_files.items()],
        "",
        "## Gebruikte data",
        "",
        *_table(
            ["bestand", "SHA-256"],
            [[p.name, f"`{file_sha256(p)[:16]}…`"] for p in input_files(config)],
        ),
        "",
        *(
            [f"- {note}" for note in calibration.observations.notes]
            or ["Alle gelezen rijen zijn gebruikt."]
        ),
        "",
        "## Geschatte waarden per gemeente",
        "",
        *_estimates(calibration),
        "## Vrije parameters: wat de data vastleggen",
        "",
        *_free_parameters(calibration),
        *_deviation(calibration),
        "## Aannames (uit de config, met bron)",
        "",
        *_table(
            ["sleutel", "waarde en bron"], [[k, v] for k, v in calibration.assumptions.items()]
        ),
        "",
        "## Waargenomen en verwacht",
        "",
        *_fit_tables(fitter.fitted()),
        *_derived(calibration),
    ]
    return "\n".join(lines) + "\n"


def terminal_report(calibration: Calibration, written: Iterable[Path]) -> str:
    fitter = calibration.fitter
    lines = [
        f"Kalibratie {calibration.config.spec.naam}: venster {calibration.van} tot "
        f"{calibration.tot}, {fitter.observation_count()} waarnemingen, "
        f"{len(fitter.param_.parameters)} vrije parameters, "
        f"overdispersie φ = {_num(fitter.dispersion_)}",
        "",
    ]
    for gemeente, uncertain in calibration.uncertain.items():
        rows = [
            [key, _num(point), f"{_num(low)} – {_num(high)}"]
            for key, point, low, high in zip(
                uncertain.keys, uncertain.point, uncertain.lower, uncertain.upper, strict=True
            )
        ]
        lines += [
            f"{gemeente}: schatting (95%-interval)",
            *_plain(["parameter", "schatting", "interval"], rows),
            "",
        ]
    weak = [
        row
        for row in fitter.params_.iter_rows(named=True)
        if row["status"] != "bepaald door de data"
    ]
    if weak:
        lines.append(
            "Let op, zwak bepaald door de data: " + ", ".join(r["parameter"] for r in weak)
        )
    deviation = calibration.deviation
    if deviation is not None:
        lines.append(
            f"Schommeling van de instroom: sd_per_maand {_num(deviation.sd_per_maand)}"
            f"{_interval_text(deviation.sd_interval)}, persistentie "
            f"{_num(deviation.persistentie)}{_interval_text(deviation.persistentie_interval)}"
        )
    lines += [f"Geschreven: {p}" for p in written]
    return "\n".join(lines)


def _estimates(calibration: Calibration) -> list[str]:
    lines: list[str] = []
    level = round(100 * calibration.fitter.level)
    for gemeente, uncertain in calibration.uncertain.items():
        rows = [
            [f"`{key}`", _num(point), f"{_num(low)} – {_num(high)}"]
            for key, point, low, high in zip(
                uncertain.keys, uncertain.point, uncertain.lower, uncertain.upper, strict=True
            )
        ]
        if calibration.spells is not None:
            rows += [
                [f"`{key}`", _num(v["schatting"]), f"{_num(v['laag'])} – {_num(v['hoog'])}"]
                for key, v in calibration.spells.intervals(calibration.fitter.level).items()
            ]
        lines += [
            f"### {gemeente}",
            "",
            *_table(["parameter", "schatting", f"{level}%-interval"], rows),
            "",
        ]
    return lines


def _free_parameters(calibration: Calibration) -> list[str]:
    fitter = calibration.fitter
    rows = []
    for row in fitter.params_.iter_rows(named=True):
        natural = row["schaal"] in ("log", "dispersion")
        show = math.exp if natural else (lambda x: x)
        rows.append(
            [
                f"`{row['parameter']}`",
                _num(show(row["theta"])),
                f"{_num(show(row['theta_laag']))} – {_num(show(row['theta_hoog']))}",
                _num(row["se"]) + (" (log)" if natural else ""),
                row["status"],
            ]
        )
    lines = _table(["parameter", "schatting", "interval", "se", "door de data"], rows)
    method = fitter.params_["methode"][0] if fitter.params_.height else ""
    lines += [
        "",
        f"Intervallen: {method}. Een parameter is *bepaald door de data* als zijn "
        "standaardfout klein is ten opzichte van een relevante verandering (factor e voor "
        "intensiteiten, 0,1 per jaar voor de trend); zie "
        "`estimation/aggregate/identifiability.py`.",
    ]
    pairs = fitter.identifiability_.correlated
    if pairs:
        lines += ["", "Sterk gecorreleerd (de data leggen vooral de combinatie vast):"]
        lines += [f"- `{a}` en `{b}`: {r:+.2f}" for a, b, r in pairs]
    return [*lines, ""]


def _deviation(calibration: Calibration) -> list[str]:
    """What [instroom.schommeling] got, what it means for a forecast, and how it was found."""
    deviation = calibration.deviation
    if deviation is None:
        return []
    level = round(100 * deviation.level)
    rows = []
    for name, point, interval in (
        ("sd_per_maand", deviation.sd_per_maand, deviation.sd_interval),
        ("persistentie", deviation.persistentie, deviation.persistentie_interval),
    ):
        how = (
            f"aanname: {deviation.assumed[name]}"
            if name in deviation.assumed
            else f"geschat ({level}%-profielinterval)"
        )
        rows.append([f"`{name}`", _num(point), _interval_text(interval).strip(" ()") or "–", how])
    sigma, rho = deviation.sd_per_maand, deviation.persistentie
    spread = [number(100 * cumulative_sd(sigma, rho, h), 1) for h in (12, 24)]
    lines = [
        "## Schommeling van de instroom",
        "",
        *_table(["parameter", "waarde", "interval", "herkomst"], rows),
        "",
        f"Een run trekt per replicatie een pad van blijvende afwijkingen van de instroom "
        f"(economie, beleid): de log van een instroomfactor volgt een AR(1). Zonder start en "
        f"inflatie wijkt de instroom van de eerste 12 maanden met een standaardafwijking van "
        f"{spread[0]}% af van de verwachting, die van de eerste 24 maanden met {spread[1]}%.",
        "",
        *_start_lines(deviation),
        *_inflation_lines(deviation),
    ]
    if deviation.series:
        lines += [
            f"Geschat uit {deviation.terms} maandresiduen van het bestand (het residu van elke "
            "maand gedeeld door de verwachte instroom van die maand), als AR(1) met de "
            "Poisson-ruis van de fit als bekende meetfout. Het residu is binnen het venster: "
            "niveau, seizoen en elasticiteit zijn op dezelfde maanden geschat en nemen een deel "
            "van trage afwijkingen op, dus vooral de persistentie is eerder te laag dan te "
            "hoog (zie `estimation/aggregate/deviation.py`).",
            "",
        ]
    return lines


def _start_lines(deviation: DeviationEstimate) -> list[str]:
    """Where a forecast from the window's end starts, per gemeente."""
    if not deviation.starts:
        return ['Het pad begint op 0 (`start = "nul"` of geen maandresiduen).', ""]
    parts = [
        f"{gemeente} {number(100 * start, 1)}% (sd {number(100 * sd, 1)}%)"
        for gemeente, (start, sd) in deviation.starts.items()
    ]
    return [
        "Een prognose vanaf het eind van het venster begint bij de afwijking die de laatste "
        f"maanden tonen (Kalman-filter): {'; '.join(parts)}; die dooft uit met de "
        "persistentie.",
        "",
    ]


def _inflation_lines(deviation: DeviationEstimate) -> list[str]:
    """How the bands were calibrated on out-of-sample errors, when the config gives it."""
    inflation = deviation.inflation
    if inflation is None:
        return [
            "Geen inflatie: de banden zijn niet op fouten buiten het venster gekalibreerd.",
            "",
        ]
    widening = ", ".join(
        f"±{number(100 * v, 1)}% t/m {h} maanden"
        for h, v in zip(inflation.horizon_maanden, inflation.relatieve_fout_80, strict=True)
    )
    origins = inflation.oorsprongen
    where = f" op {len(origins)} oorsprongen ({origins[0]} t/m {origins[-1]})" if origins else ""
    held = ", ".join(f"{number(100 * c, 0)}%" for c in inflation.dekking_80)
    return [
        f"Banden gekalibreerd op de eigen fouten buiten het venster{where}: de 80%-band van "
        f"het bestand reikt {widening} rond de prognose (een factor op de AR(1) en een "
        f"dwalend niveau, zie het parameterbestand)"
        + (
            f"; de geneste kalibratie hield daar {held} van de maanden in de 80%-band"
            if held
            else ""
        )
        + f". Methode: {inflation.methode or 'niet opgegeven'}.",
        "",
    ]


def _interval_text(interval: tuple[float, float] | None) -> str:
    return "" if interval is None else f" ({_num(interval[0])} – {_num(interval[1])})"


def _fit_tables(fitted: pl.DataFrame) -> list[str]:
    lines: list[str] = []
    for (reeks,), rows in fitted.group_by("reeks", maintain_order=True):
        residual = rows["residu"].to_numpy()
        pearson = rows["pearson"].to_numpy()
        lines += [
            f"### {reeks}",
            "",
            f"{rows.height} termen; gemiddeld residu {_num(residual.mean())}, "
            f"wortel gemiddeld kwadraat {_num(float(np.sqrt(np.mean(residual**2))))}, "
            f"grootste |Pearson-residu| {number(float(np.nanmax(np.abs(pearson))), 2)}",
            "",
        ]
        shown = rows if rows.height <= LONG_SERIES else rows.tail(12)
        if shown.height < rows.height:
            lines += [f"(laatste 12 van {rows.height}; alle termen in het CSV-bestand)", ""]
        lines += _table(
            ["van", "tot", "gemeente", "soort", "waargenomen", "verwacht", "residu", "Pearson"],
            [
                [
                    str(r["van"]),
                    str(r["tot"]),
                    r["gemeente"],
                    r["soort"],
                    _num(r["waargenomen"]),
                    _num(r["verwacht"]),
                    _num(r["residu"]),
                    number(r["pearson"], 2),
                ]
                for r in shown.iter_rows(named=True)
            ],
        )
        lines.append("")
    return lines


def _derived(calibration: Calibration) -> list[str]:
    rows = []
    inflow = {
        (f.gemeenten, f.start, f.end): f.count
        for f in calibration.observations.flows
        if f.kind == "instroom"
    }
    for app in calibration.observations.applications:
        granted = app.toekenningen
        if granted is None:
            granted = inflow.get((app.gemeenten, app.start, app.end))
        if granted is None or app.aanvragen == 0 or granted > app.aanvragen:
            continue
        ci = stats.binomtest(int(granted), int(app.aanvragen)).proportion_ci(0.95, method="exact")
        rows.append(
            [
                "+".join(app.gemeenten),
                f"{app.start} tot {app.end}",
                str(app.aanvragen),
                str(int(granted)),
                f"{number(100 * (1 - granted / app.aanvragen), 1)}% "
                f"({number(100 * (1 - ci.high), 1)}–{number(100 * (1 - ci.low), 1)}%)",
            ]
        )
    if not rows:
        return []
    return [
        "## Afgeleid: aanvragen en toekenningen",
        "",
        *_table(
            [
                "gemeente",
                "periode",
                "aanvragen",
                "toegekend",
                "niet toegekend (preventiequote, 95%)",
            ],
            rows,
        ),
        "",
        "Niet in het parameterbestand: de engine simuleert toekenningen (instroom), "
        "geen aanvragen.",
        "",
    ]


def _num(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    decimals = max(0, min(6, 3 - math.floor(math.log10(abs(value)))))
    return number(value, decimals)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return ["(geen)"]
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(" --- " for _ in header) + "|",
        *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
    ]


def _plain(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
