"""Rules that relate several values: shares that add up, names that exist, dates in the horizon.

Each check returns every problem it finds (not just the first), so a user sees all mistakes in
one go. A problem is the key path it concerns (to name the file that set it) and a message.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable

from simbijstand.domain.calendar import add_months, is_month_start
from simbijstand.scenario.money import check_money
from simbijstand.scenario.problems import format_key_path
from simbijstand.scenario.schema import Multiplicator, ParameterFile, ScenarioFile
from simbijstand.scenario.uncertainty import check_shared_components, check_uncertainty

SHARE_TOLERANCE = 1e-3  # hand-written shares such as 0.333 must still add up to 1

KeyPath = tuple[str | int, ...]
Problem = tuple[KeyPath, str]


def _problem(path: KeyPath, text: str) -> Problem:
    return path, f"{format_key_path(path)}: {text}"


def check_parameter_file(params: ParameterFile) -> list[Problem]:
    groups = set(params.klantgroepen)
    problems = _check_bands(params.duurbanden_maanden)
    problems += _unique(("routes",), params.routes)
    problems += _check_shares(("instroom", "klantgroepen"), params.instroom.klantgroepen, groups)
    problems += _check_season(params)
    problems += _check_inflation(params)
    for name in params.klantgroepen:
        problems += _check_group(params, name)
    if not problems:  # the uncertainty blocks refer to values that must first be sound
        problems += [_problem(path, text) for path, text in check_uncertainty(params)]
    return problems


def _check_season(params: ParameterFile) -> list[Problem]:
    if params.instroom.seizoen is None:
        return []
    mean = math.fsum(params.instroom.seizoen) / 12
    if abs(mean - 1) <= SHARE_TOLERANCE:
        return []
    return [
        _problem(
            ("instroom", "seizoen"),
            f"the 12 factors average {mean:.4f}; they must average 1 (seasonality moves inflow "
            "between months; the level is instroom.per_jaar)",
        )
    ]


def _check_inflation(params: ParameterFile) -> list[Problem]:
    """[instroom.schommeling.inflatie]: one factor per horizon, horizons increasing, and the
    recorded coverage (when given) one per horizon too."""
    deviation = params.instroom.schommeling
    if deviation is None or deviation.inflatie is None:
        return []
    inflation, path = deviation.inflatie, ("instroom", "schommeling", "inflatie")
    problems = []
    if len(inflation.factor) != len(inflation.horizon_maanden):
        problems.append(
            _problem(
                (*path, "factor"),
                f"has {len(inflation.factor)} factors for {len(inflation.horizon_maanden)} "
                "horizons; give one factor per entry of horizon_maanden",
            )
        )
    if any(b <= a for a, b in itertools.pairwise(inflation.horizon_maanden)):
        problems.append(_problem((*path, "horizon_maanden"), "must increase (e.g. [12, 24])"))
    for name in ("wandeling_sd_per_maand", "punten", "dekking_80"):
        values = getattr(inflation, name)
        if values and len(values) != len(inflation.horizon_maanden):
            problems.append(
                _problem((*path, name), "give one value per entry of horizon_maanden, or none")
            )
    return problems


def _check_group(params: ParameterFile, name: str) -> list[Problem]:
    group = params.klantgroepen[name]
    prefix = ("klantgroepen", name)
    problems = []
    if group.uitstroom_per_jaar > 0 or group.uitstroom_routes:
        problems += _check_shares(
            (*prefix, "uitstroom_routes"), group.uitstroom_routes, set(params.routes)
        )
    problems += _unknown(
        (*prefix, "doorstroom_per_jaar"), group.doorstroom_per_jaar, set(params.klantgroepen)
    )
    if name in group.doorstroom_per_jaar:
        problems.append(
            _problem((*prefix, "doorstroom_per_jaar", name), "a group cannot move to itself")
        )
    problems += _check_ages((*prefix, "leeftijd"), group.leeftijd)
    bands = len(params.duurbanden_maanden)
    if group.duur_factor is not None and len(group.duur_factor) != bands:
        problems.append(
            _problem(
                (*prefix, "duur_factor"),
                f"has {len(group.duur_factor)} factors; expected one per duration band "
                f"({bands}, see duurbanden_maanden)",
            )
        )
    return problems


def check_scenario(spec: ScenarioFile, parameters: dict[str, ParameterFile]) -> list[Problem]:
    """Checks of the scenario against itself and against its gemeenten's parameter files."""
    sim = spec.simulatie
    problems = []
    end = None
    if is_month_start(sim.start):
        end = add_months(sim.start, sim.horizon_maanden)
    else:
        problems.append(
            _problem(("simulatie", "start"), f"{sim.start} is not the first day of a month")
        )
    for name in spec.gemeenten:
        problems += _check_beginstand(spec, name, parameters.get(name))
    if sim.parameteronzekerheid:
        problems += _check_uncertainty_stated(spec, parameters)
    problems += _check_shared(spec, parameters)
    problems += _check_costs(spec, parameters)
    for index, mult in enumerate(spec.multiplicator):
        problems += _check_multiplicator(index, mult, spec, parameters, end)
    return problems + check_money(spec)


def _check_beginstand(spec: ScenarioFile, name: str, params: ParameterFile | None) -> list[Problem]:
    beginstand = spec.gemeenten[name].beginstand
    path: KeyPath = ("gemeenten", name, "beginstand")
    sources = [
        k for k in ("aantallen", "bestand", "eventlog") if getattr(beginstand, k) is not None
    ]
    if len(sources) != 1:
        found = ", ".join(sources) or "none"
        return [
            _problem(path, f"give exactly one of aantallen, bestand or eventlog (found {found})")
        ]
    if params is not None and beginstand.aantallen is not None:
        return _unknown((*path, "aantallen"), beginstand.aantallen, set(params.klantgroepen))
    return []


def _check_uncertainty_stated(
    spec: ScenarioFile, parameters: dict[str, ParameterFile]
) -> list[Problem]:
    return [
        _problem(
            ("simulatie", "parameteronzekerheid"),
            f"is true, but the parameter file of {name} ({spec.gemeenten[name].parameters}) "
            "states no [[onzekerheid]]; calibrate it with `simbijstand calibrate`, or set "
            "parameteronzekerheid = false",
        )
        for name, params in parameters.items()
        if not params.onzekerheid
    ]


def _check_shared(spec: ScenarioFile, parameters: dict[str, ParameterFile]) -> list[Problem]:
    """Files that share a component must agree on its keys (`check_shared_components`)."""
    gemeente_of: dict[str, str] = {}
    files: dict[str, ParameterFile] = {}
    for name, params in parameters.items():
        path = spec.gemeenten[name].parameters
        gemeente_of.setdefault(path, name)
        files.setdefault(path, params)
    return [
        _problem(("gemeenten", gemeente_of[path], "parameters"), f"{path}: {text}")
        for path, text in check_shared_components(files)
    ]


def _check_costs(spec: ScenarioFile, parameters: dict[str, ParameterFile]) -> list[Problem]:
    problems = []
    years = {key for key in spec.kosten.indexatie if len(key) == 4}
    for key in spec.kosten.indexatie:
        if len(key) > 4 and key[:4] in years:
            problems.append(
                _problem(
                    ("kosten", "indexatie", key),
                    f'{key[:4]} is given as a year and by month; give either "{key[:4]}" '
                    f"(a rise on 1 January) or its dated rises, not both",
                )
            )
    for gemeente, params in parameters.items():
        for name, group in params.klantgroepen.items():
            if group.buig and group.regeling not in spec.kosten.per_maand:
                problems.append(
                    _problem(
                        ("kosten", "per_maand"),
                        f"no cost for regeling '{group.regeling}', used by klantgroep '{name}' of "
                        f"{gemeente}; add `{group.regeling} = <euro per uitkeringsmaand>`",
                    )
                )
    return problems


def _check_multiplicator(
    index: int,
    mult: Multiplicator,
    spec: ScenarioFile,
    parameters: dict[str, ParameterFile],
    end: dt.date | None,
) -> list[Problem]:
    prefix: KeyPath = ("multiplicator", index)
    problems = _check_period(prefix, mult, spec.simulatie.start, end)
    if mult.instroom is None and mult.uitstroom is None and mult.doorstroom is None:
        problems.append(_problem(prefix, "sets none of instroom, uitstroom, doorstroom"))
    problems += _unknown((*prefix, "gemeenten"), mult.gemeenten or [], set(spec.gemeenten))
    chosen = mult.gemeenten if mult.gemeenten is not None else list(spec.gemeenten)
    known = [p for g, p in parameters.items() if g in chosen]
    groups = {k for p in known for k in p.klantgroepen}
    problems += _unknown((*prefix, "klantgroepen"), mult.klantgroepen or [], groups)
    if isinstance(mult.uitstroom, dict):
        problems += _unknown(
            (*prefix, "uitstroom"), mult.uitstroom, {r for p in known for r in p.routes}
        )
    return problems


def _check_period(
    prefix: KeyPath, mult: Multiplicator, start: dt.date, end: dt.date | None
) -> list[Problem]:
    problems = []
    for key in ("van", "tot"):
        value = getattr(mult, key)
        if value is not None and not is_month_start(value):
            problems.append(_problem((*prefix, key), f"{value} is not the first day of a month"))
    if end is None:
        return problems
    if not start <= mult.van < end:
        problems.append(
            _problem(
                (*prefix, "van"),
                f"{mult.van} is outside the horizon; allowed from {start} to before {end}",
            )
        )
    if mult.tot is not None and not mult.van < mult.tot <= end:
        problems.append(
            _problem(
                (*prefix, "tot"),
                f"{mult.tot} must be after van ({mult.van}) and at most the horizon's end ({end})",
            )
        )
    return problems


def _check_ages(path: KeyPath, ages: dict[str, float] | None) -> list[Problem]:
    if ages is None:
        return []
    problems = []
    for band in ages:
        low, high = (int(part) for part in band.split("-"))
        if not 15 <= low < high <= 100:
            problems.append(
                _problem((*path, band), "an age band runs from 15 years or more to at most 100")
            )
    total = math.fsum(ages.values())
    if abs(total - 1) > SHARE_TOLERANCE:
        problems.append(_problem(path, f"shares add up to {total:.4f}; they must add up to 1"))
    return problems


def _check_bands(bands: list[float]) -> list[Problem]:
    if bands[0] != 0:
        return [
            _problem(
                ("duurbanden_maanden",), f"the first band must start at 0 months, not {bands[0]:g}"
            )
        ]
    if any(b <= a for a, b in itertools.pairwise(bands)):
        return [_problem(("duurbanden_maanden",), f"{bands} must be strictly increasing")]
    return []


def _check_shares(path: KeyPath, shares: dict[str, float], known: set[str]) -> list[Problem]:
    problems = _unknown(path, shares, known)
    total = math.fsum(shares.values())
    if abs(total - 1) > SHARE_TOLERANCE:
        problems.append(_problem(path, f"shares add up to {total:.4f}; they must add up to 1"))
    return problems


def _unknown(path: KeyPath, names: Iterable[str], known: set[str]) -> list[Problem]:
    allowed = ", ".join(sorted(known))
    return [
        _problem((*path, name), f"unknown name '{name}'; known: {allowed}")
        for name in names
        if name not in known
    ]


def _unique(path: KeyPath, values: list[str]) -> list[Problem]:
    repeated = [v for i, v in enumerate(values) if v in values[:i]]
    return [_problem(path, f"'{v}' appears more than once") for v in repeated]
