"""Cross-checks of the planner's tables: macro path, statushouders, measures and dated policy
against the horizon, the gemeenten and their parameter files."""

from __future__ import annotations

import datetime as dt

from simbijstand.domain.calendar import add_months, is_month_start
from simbijstand.scenario.checks import KeyPath, Problem, _problem, _unknown
from simbijstand.scenario.paths import half_year_bounds
from simbijstand.scenario.schema import ParameterFile, ScenarioFile
from simbijstand.scenario.schema_policy import Effect, Traject

MAX_MEASURES = 32  # a case remembers the measures it was considered for in a 64-bit mask


def check_policy(spec: ScenarioFile, parameters: dict[str, ParameterFile]) -> list[Problem]:
    if not is_month_start(spec.simulatie.start):
        return []  # reported by check_scenario; dates cannot be placed without a valid start
    start = spec.simulatie.start
    end = add_months(start, spec.simulatie.horizon_maanden)
    problems = _check_statushouders(spec, parameters, start, end)
    problems += _check_macro(spec, parameters)
    problems += _check_aow(spec, parameters)
    if len(spec.traject) > MAX_MEASURES:
        problems.append(
            _problem(("traject",), f"{len(spec.traject)} measures; at most {MAX_MEASURES}")
        )
    names = [t.naam for t in spec.traject]
    for index, traject in enumerate(spec.traject):
        if traject.naam in names[:index]:
            problems.append(_problem(("traject", index, "naam"), f"'{traject.naam}' is used twice"))
        problems += _check_measure(("traject", index), traject, spec, parameters, start, end)
    return problems


def _check_statushouders(
    spec: ScenarioFile, parameters: dict[str, ParameterFile], start: dt.date, end: dt.date
) -> list[Problem]:
    sh = spec.statushouders
    if sh is None:
        return []
    path: KeyPath = ("statushouders",)
    problems = _unknown((*path, "aandeel"), sh.aandeel, set(spec.gemeenten))
    for gemeente in sh.aandeel:
        params = parameters.get(gemeente)
        if params is not None and sh.klantgroep not in params.klantgroepen:
            known = ", ".join(params.klantgroepen)
            problems.append(
                _problem(
                    (*path, "klantgroep"),
                    f"'{sh.klantgroep}' is not a klantgroep of {gemeente}; known: {known}",
                )
            )
    if not any(half_year_bounds(key)[0] < end for key in sh.taakstelling):
        problems.append(
            _problem(
                (*path, "taakstelling"), f"no half year starts before the horizon ends ({end})"
            )
        )
    return problems


def _check_macro(spec: ScenarioFile, parameters: dict[str, ParameterFile]) -> list[Problem]:
    macro = spec.macro
    if macro is None:
        return []
    routes = {r for p in parameters.values() for r in p.routes}
    if macro.werk_route not in routes:
        return [
            _problem(
                ("macro", "werk_route"),
                f"'{macro.werk_route}' is not an exit route; known: {', '.join(sorted(routes))}",
            )
        ]
    return []


def _check_aow(spec: ScenarioFile, parameters: dict[str, ParameterFile]) -> list[Problem]:
    if spec.aow is None:
        return []
    problems = []
    for gemeente, params in parameters.items():
        if spec.aow.route not in params.routes:
            problems.append(
                _problem(("aow", "route"), f"'{spec.aow.route}' is not an exit route of {gemeente}")
            )
        missing = [name for name, group in params.klantgroepen.items() if group.leeftijd is None]
        if missing:
            problems.append(
                _problem(
                    ("aow",),
                    f"AOW by age needs the ages of every klantgroep; {gemeente}'s parameter file "
                    f"has no leeftijd for {', '.join(missing)}",
                )
            )
    return problems


def needs_ages(spec: ScenarioFile) -> bool:
    return spec.aow is not None or any(
        t.leeftijd_min is not None or t.leeftijd_max is not None for t in spec.traject
    )


def _check_measure(
    path: KeyPath,
    traject: Traject,
    spec: ScenarioFile,
    parameters: dict[str, ParameterFile],
    start: dt.date,
    end: dt.date,
) -> list[Problem]:
    problems = _check_measure_gemeente(path, traject, spec)
    gemeente = traject.gemeente or next(iter(spec.gemeenten))
    params = parameters.get(gemeente)
    if params is not None:
        groups = set(params.klantgroepen)
        problems += _unknown((*path, "klantgroepen"), traject.klantgroepen, groups)
        problems += _check_ages_known(path, traject, params)
        problems += _check_effect((*path, "effect"), traject.effect, params)
        if traject.effect_na is not None:
            problems += _check_effect((*path, "effect_na"), traject.effect_na, params)
    problems += _check_capacity(path, traject)
    problems += _check_intake(path, traject)
    problems += _check_dates(path, traject, start, end)
    return problems


def _check_ages_known(path: KeyPath, traject: Traject, params: ParameterFile) -> list[Problem]:
    if traject.leeftijd_min is None and traject.leeftijd_max is None:
        return []
    groups = params.klantgroepen
    ageless = [g for g in traject.klantgroepen if g in groups and groups[g].leeftijd is None]
    if not ageless:
        return []
    return [
        _problem(
            (*path, "leeftijd_min" if traject.leeftijd_min is not None else "leeftijd_max"),
            f"selecting by age needs leeftijd in the parameter file for {', '.join(ageless)}",
        )
    ]


def _check_measure_gemeente(path: KeyPath, traject: Traject, spec: ScenarioFile) -> list[Problem]:
    if traject.gemeente is None:
        if len(spec.gemeenten) > 1:
            return [
                _problem(
                    (*path, "gemeente"),
                    f"missing: the scenario has several gemeenten ({', '.join(spec.gemeenten)}); "
                    "name the one this measure serves",
                )
            ]
        return []
    return _unknown((*path, "gemeente"), [traject.gemeente], set(spec.gemeenten))


def _check_effect(path: KeyPath, effect: Effect, params: ParameterFile) -> list[Problem]:
    if isinstance(effect.uitstroom, dict):
        return _unknown((*path, "uitstroom"), effect.uitstroom, set(params.routes))
    return []


def _check_capacity(path: KeyPath, traject: Traject) -> list[Problem]:
    capacity = traject.capaciteit
    places = capacity.plaatsen is not None
    coaches = capacity.coaches is not None or capacity.klanten_per_coach is not None
    if places == coaches:
        return [
            _problem(
                (*path, "capaciteit"), "give either plaatsen, or coaches and klanten_per_coach"
            )
        ]
    if coaches and (capacity.coaches is None or capacity.klanten_per_coach is None):
        return [
            _problem(
                (*path, "capaciteit"), "coaches needs klanten_per_coach, and the other way round"
            )
        ]
    return []


def _check_intake(path: KeyPath, traject: Traject) -> list[Problem]:
    problems = []
    if traject.intake == "prioriteit" and not traject.prioriteit:
        problems.append(
            _problem(
                (*path, "prioriteit"),
                'intake = "prioriteit" needs the klantgroepen in order of priority',
            )
        )
    problems += _unknown((*path, "prioriteit"), traject.prioriteit, set(traject.klantgroepen))
    problems += _check_range(path, "leeftijd", traject.leeftijd_min, traject.leeftijd_max)
    if (
        traject.duur_min_maanden is not None
        and traject.duur_max_maanden is not None
        and traject.duur_min_maanden >= traject.duur_max_maanden
    ):
        problems.append(
            _problem(
                (*path, "duur_max_maanden"),
                f"{traject.duur_max_maanden:g} must be more than "
                f"duur_min_maanden ({traject.duur_min_maanden:g})",
            )
        )
    return problems


def _check_range(path: KeyPath, key: str, low: float | None, high: float | None) -> list[Problem]:
    if low is None or high is None or low < high:
        return []
    return [_problem((*path, f"{key}_max"), f"{high:g} must be more than {key}_min ({low:g})")]


def _check_dates(path: KeyPath, traject: Traject, start: dt.date, end: dt.date) -> list[Problem]:
    problems = []
    if not start <= traject.van < end:
        problems.append(
            _problem(
                (*path, "van"),
                f"{traject.van} is outside the horizon; allowed from {start} to before {end}",
            )
        )
    if traject.tot is not None and not traject.van < traject.tot <= end:
        problems.append(
            _problem(
                (*path, "tot"),
                f"{traject.tot} must be after van ({traject.van}) "
                f"and at most the horizon's end ({end})",
            )
        )
    return problems
