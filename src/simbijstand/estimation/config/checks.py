"""Checks of a calibration config that relate several values: names that exist, shares that add
up, keys each data format needs. Each returns every problem it finds as (key path, message)."""

from __future__ import annotations

import itertools
import math
import re

from simbijstand.domain.calendar import is_month_start
from simbijstand.estimation.config.schema import KalibratieConfig, Klantgroep, Reeks

KeyPath = tuple[str | int, ...]
Problem = tuple[KeyPath, str]
SHARE_TOLERANCE = 1e-3
SHARED_INFLOW = ("trend", "seizoen", "elasticiteit", "klantgroepen")
STOCK_FORMATS = (
    "cbs_uitkeringen",
    "bestand",
    "bestand_per_regeling",
    "stroom",
    "historie",
    "bestand_klantgroep",
)
SIZE_FORMATS = ("klantgroepen", "profielen")
# Per format: the optional config keys it needs, and those it may take besides naam, formaat,
# bestand, gebruik, bron and weglaten.
NEEDS: dict[str, tuple[str, ...]] = {
    "cbs_uitkeringen": ("gemeente", "kolom", "peilmoment"),
    "besluiten": ("gemeenten",),
    "redenen": ("periode", "uitstroomredenen"),
    "aanvragen": ("periode",),
    "klantgroepen": ("gemeente", "peildatum"),
    "profielen": ("peildatum", "profielen"),
}
MAY: dict[str, tuple[str, ...]] = {
    "cbs_uitkeringen": ("schaal", "klantgroepen"),
    "bestand": ("klantgroepen",),
    "bestand_per_regeling": ("klantgroepen",),
    "stroom": ("klantgroepen",),
    "historie": ("klantgroepen",),
}
OPTIONAL_KEYS = (
    "gemeente",
    "gemeenten",
    "kolom",
    "schaal",
    "klantgroepen",
    "peilmoment",
    "periode",
    "peildatum",
    "uitstroomredenen",
    "profielen",
)


def check_config(spec: KalibratieConfig) -> list[Problem]:
    problems = _check_window(spec) + _check_model(spec) + _check_inflow(spec)
    for name, group in spec.klantgroepen.items():
        problems += _check_group(spec, name, group)
    problems += _check_shared(spec) + _check_spells(spec)
    if not spec.reeks and all(g.spells is None for g in spec.gemeenten.values()):
        problems.append((("reeks",), "no data: add [[reeks]] entries or spells to a gemeente"))
    names = [r.naam for r in spec.reeks]
    for index, reeks in enumerate(spec.reeks):
        if reeks.naam in names[:index]:
            problems.append((("reeks", index, "naam"), f"'{reeks.naam}' is used twice"))
        problems += _check_reeks(spec, index, reeks)
    return problems + _check_gemeenten(spec) + _check_backtest(spec)


def _check_window(spec: KalibratieConfig) -> list[Problem]:
    window = spec.waarneming
    problems = [
        (("waarneming", key), f"{getattr(window, key)} is not the first day of a month")
        for key in ("van", "tot")
        if not is_month_start(getattr(window, key))
    ]
    if window.van >= window.tot:
        problems.append((("waarneming", "tot"), f"{window.tot} must come after van ({window.van})"))
    return problems


def _check_model(spec: KalibratieConfig) -> list[Problem]:
    bands = spec.model.duurbanden_maanden
    problems: list[Problem] = []
    if bands[0] != 0 or any(b <= a for a, b in itertools.pairwise(bands)):
        problems.append(
            (("model", "duurbanden_maanden"), f"{bands}: start at 0 and increase strictly")
        )
    repeated = sorted({r for i, r in enumerate(spec.model.routes) if r in spec.model.routes[:i]})
    problems += [(("model", "routes"), f"'{r}' appears more than once") for r in repeated]
    value = spec.model.overdispersie.waarde
    if value is not None and not value >= 1:
        problems.append(
            (("model", "overdispersie"), f"waarde {value}: must be 1 (Poisson) or more")
        )
    return problems


def _check_inflow(spec: KalibratieConfig) -> list[Problem]:
    inflow = spec.instroom
    problems: list[Problem] = []
    shares = inflow.klantgroepen.waarde
    if shares is not None:
        problems += _unknown(("instroom", "klantgroepen"), shares, set(spec.klantgroepen))
        total = math.fsum(shares.values())
        if abs(total - 1) > SHARE_TOLERANCE:
            problems.append((("instroom", "klantgroepen"), f"shares add up to {total:.4f}, not 1"))
    season = inflow.seizoen.waarde
    if season is not None and (len(season) != 12 or abs(math.fsum(season) / 12 - 1) > 1e-3):
        problems.append(
            (("instroom", "seizoen"), "give 12 factors that average 1 (one per calendar month)")
        )
    if inflow.trend.waarde is not None and not inflow.trend.waarde > -1:
        problems.append((("instroom", "trend"), "waarde must be above -1 (relative change a year)"))
    return problems


def _check_group(spec: KalibratieConfig, name: str, group: Klantgroep) -> list[Problem]:
    prefix: KeyPath = ("klantgroepen", name)
    problems = _unknown((*prefix, "uitstroom"), group.uitstroom, set(spec.model.routes))
    problems += _unknown((*prefix, "doorstroom"), group.doorstroom, set(spec.klantgroepen) - {name})
    problems += _check_ages(prefix, group)
    factors = group.duur_factor
    bands = len(spec.model.duurbanden_maanden)
    if factors is not None and factors.waarde is not None and len(factors.waarde) != bands:
        problems.append(
            (
                (*prefix, "duur_factor"),
                f"has {len(factors.waarde)} factors; give one per duration band ({bands})",
            )
        )
    return problems


def _check_ages(prefix: KeyPath, group: Klantgroep) -> list[Problem]:
    ages = group.leeftijd
    if ages is None:
        return []
    if ages.waarde is None:
        return [
            ((*prefix, "leeftijd"), 'give age-band shares { waarde = { "18-27" = ... }, bron }')
        ]
    bad = [band for band in ages.waarde if not re.fullmatch(r"\d{2}-\d{2,3}", band)]
    problems = [((*prefix, "leeftijd", b), 'not an age band such as "18-27"') for b in bad]
    total = math.fsum(ages.waarde.values())
    if abs(total - 1) > SHARE_TOLERANCE:
        problems.append(((*prefix, "leeftijd"), f"shares add up to {total:.4f}, not 1"))
    return problems


def _check_shared(spec: KalibratieConfig) -> list[Problem]:
    scales = {
        h.schaal
        for g in spec.klantgroepen.values()
        for h in [*g.uitstroom.values(), *g.doorstroom.values()]
        if h.schaal
    }
    known = scales | set(SHARED_INFLOW)
    return _unknown(("model", "gedeeld"), spec.model.gedeeld, known)


def _check_spells(spec: KalibratieConfig) -> list[Problem]:
    with_spells = any(x.spells is not None for x in spec.gemeenten.values())
    problems: list[Problem] = []
    if with_spells and len(spec.gemeenten) > 1:
        problems.append(
            (
                ("gemeenten",),
                "a calibration with spells covers one gemeente (its own administration); "
                "write one config per gemeente",
            )
        )
    for name, group in spec.klantgroepen.items():
        if with_spells:
            problems += _spell_hazards(name, group)
        elif group.duur_factor is not None and group.duur_factor.schatten:
            problems.append(
                (
                    ("klantgroepen", name, "duur_factor"),
                    "counts of stocks and flows say nothing about duration dependence: "
                    'give spells, or an assumed { waarde = [...], bron = "..." }',
                )
            )
    return problems


def _spell_hazards(name: str, group: Klantgroep) -> list[Problem]:
    fixed = [k for k, h in group.uitstroom.items() if not h.schatten]
    tied = [k for k, h in group.doorstroom.items() if h.schaal]
    if not fixed and not tied:
        return []
    return [
        (
            ("klantgroepen", name),
            f"{', '.join(fixed + tied)}: with spells the hazards are estimated from the spells; "
            'give every uitstroom route as "schatten" (a route left out has no exits) and '
            'doorstroom as "schatten" or an assumed waarde',
        )
    ]


def _check_reeks(spec: KalibratieConfig, index: int, reeks: Reeks) -> list[Problem]:
    prefix: KeyPath = ("reeks", index)
    needs = NEEDS.get(reeks.formaat, ())
    allowed = set(needs) | set(MAY.get(reeks.formaat, ()))
    problems = [
        ((*prefix, key), f"formaat {reeks.formaat} needs {key}")
        for key in needs
        if getattr(reeks, key) is None
    ]
    problems += [
        ((*prefix, key), f"does not apply to formaat {reeks.formaat}")
        for key in OPTIONAL_KEYS
        if key not in allowed and key != "schaal" and getattr(reeks, key) is not None
    ]
    if reeks.schaal != 1 and "schaal" not in allowed:
        problems.append(((*prefix, "schaal"), f"does not apply to formaat {reeks.formaat}"))
    gemeenten = set(spec.gemeenten)
    problems += _unknown(
        (*prefix, "gemeente"), [reeks.gemeente] if reeks.gemeente else [], gemeenten
    )
    problems += _unknown((*prefix, "gemeenten"), reeks.gemeenten or [], gemeenten)
    problems += _unknown(
        (*prefix, "klantgroepen"), reeks.klantgroepen or [], set(spec.klantgroepen)
    )
    problems += _unknown((*prefix, "profielen"), reeks.profielen or {}, set(spec.klantgroepen))
    if reeks.peilmoment is not None and not reeks.bron.strip():
        problems.append(((*prefix, "bron"), 'say why the peilmoment holds: add bron = "..."'))
    return problems + _check_dates(prefix, reeks) + _check_reasons(spec, prefix, reeks)


def _check_dates(prefix: KeyPath, reeks: Reeks) -> list[Problem]:
    problems: list[Problem] = []
    if reeks.peildatum is not None and not is_month_start(reeks.peildatum):
        problems.append(((*prefix, "peildatum"), "must be the first day of a month"))
    period = reeks.periode
    if period is not None and not (
        is_month_start(period.van) and is_month_start(period.tot) and period.van < period.tot
    ):
        problems.append(
            ((*prefix, "periode"), "van and tot must be first days of months, van before tot")
        )
    return problems


def _check_reasons(spec: KalibratieConfig, prefix: KeyPath, reeks: Reeks) -> list[Problem]:
    problems: list[Problem] = []
    seen: list[str] = []
    for number, group in enumerate(reeks.uitstroomredenen or []):
        where = (*prefix, "uitstroomredenen", number)
        problems += _unknown((*where, "routes"), group.routes, set(spec.model.routes))
        problems += [
            ((*where, "redenen"), f"reason '{r}' is counted twice")
            for r in group.redenen
            if r in seen
        ]
        seen += group.redenen
    return problems


def _check_gemeenten(spec: KalibratieConfig) -> list[Problem]:
    problems: list[Problem] = []
    sizes = {r.naam for r in spec.reeks if r.formaat in SIZE_FORMATS}
    outputs = [g.uitvoer for g in spec.gemeenten.values()]
    for name, gemeente in spec.gemeenten.items():
        composition = gemeente.beginsamenstelling
        if composition is not None and composition.reeks not in sizes:
            problems.append(
                (
                    ("gemeenten", name, "beginsamenstelling", "reeks"),
                    f"'{composition.reeks}' is not a [[reeks]] of group sizes (formaat "
                    f"klantgroepen or profielen); known: {', '.join(sorted(sizes)) or 'none'}",
                )
            )
        if outputs.count(gemeente.uitvoer) > 1:
            problems.append((("gemeenten", name, "uitvoer"), "another gemeente writes this file"))
    return problems


def _check_backtest(spec: KalibratieConfig) -> list[Problem]:
    if spec.backtest is None:
        return []
    stocks = {r.naam for r in spec.reeks if r.formaat in STOCK_FORMATS}
    if spec.backtest.doel in stocks:
        return []
    return [
        (
            ("backtest", "doel"),
            f"'{spec.backtest.doel}' is not a [[reeks]] of stocks; known: "
            f"{', '.join(sorted(stocks)) or 'none'}",
        )
    ]


def _unknown(path: KeyPath, names: object, known: set[str]) -> list[Problem]:
    allowed = ", ".join(sorted(known)) or "none"
    return [
        ((*path, str(n)), f"unknown name '{n}'; known: {allowed}")
        for n in names  # type: ignore[attr-defined]
        if n not in known
    ]
