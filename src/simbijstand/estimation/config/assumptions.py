"""Every value a calibration takes from its config rather than from data, with its source.

The fit report and the parameter files' [herkomst] list them, so nothing is assumed silently.
"""

from __future__ import annotations

from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.config.schema import Reeks


def stated_assumptions(config: CalibrationConfig) -> dict[str, str]:
    """Key -> 'value: source' for every assumed value, tied weight and interpretation."""
    spec = config.spec
    found = _inflow_assumptions(config)
    overdispersion = spec.model.overdispersie
    if overdispersion.waarde is not None:
        found["overdispersie"] = _text(overdispersion.waarde, overdispersion.bron)
    for name in spec.klantgroepen:
        found |= _group_assumptions(config, name)
    if len(config.gemeenten) > 1:
        for shared in spec.model.gedeeld:
            found[f"gedeeld.{shared}"] = f"gelijk voor {', '.join(config.gemeenten)}"
    for gemeente, g in spec.gemeenten.items():
        if g.beginsamenstelling is not None:
            found[f"beginsamenstelling.{gemeente}"] = (
                f"verdeling over klantgroepen uit reeks {g.beginsamenstelling.reeks}: "
                f"{g.beginsamenstelling.bron}"
            )
    for reeks in spec.reeks:
        found |= _reeks_assumptions(reeks)
    return found


def _inflow_assumptions(config: CalibrationConfig) -> dict[str, str]:
    inflow = config.spec.instroom
    found: dict[str, str] = {}
    if inflow.trend.waarde is not None:
        found["instroom.trend_per_jaar"] = _text(inflow.trend.waarde, inflow.trend.bron)
    if inflow.seizoen.geen:
        found["instroom.seizoen"] = "geen seizoenpatroon (niet geschat)"
    elif inflow.seizoen.waarde is not None:
        found["instroom.seizoen"] = _text(inflow.seizoen.waarde, inflow.seizoen.bron)
    shares = inflow.klantgroepen
    if shares.waarde is not None:
        found["instroom.klantgroepen"] = _text(shares.waarde, shares.bron)
    werkloosheid = inflow.werkloosheid
    if werkloosheid is not None:
        found["instroom.werkloosheid"] = (
            f"gemiddelde over {werkloosheid.gemiddelde_maanden} maanden, "
            f"{werkloosheid.vertraging_maanden} maanden vertraging: {werkloosheid.bron}"
        )
        elasticity = werkloosheid.elasticiteit
        if elasticity.waarde is not None:
            found["instroom.werkloosheid.elasticiteit"] = _text(elasticity.waarde, elasticity.bron)
    if inflow.schommeling is not None:
        for name in ("sd_per_maand", "persistentie"):
            value = getattr(inflow.schommeling, name)
            if value.waarde is not None:
                found[f"instroom.schommeling.{name}"] = _text(value.waarde, value.bron)
    return found


def _group_assumptions(config: CalibrationConfig, name: str) -> dict[str, str]:
    group = config.spec.klantgroepen[name]
    found = {}
    for field, table in (("uitstroom", group.uitstroom), ("doorstroom_per_jaar", group.doorstroom)):
        for target, hazard in table.items():
            key = f"klantgroepen.{name}.{field}.{target}"
            if hazard.waarde is not None:
                found[key] = _text(hazard.waarde, hazard.bron)
            elif hazard.schaal is not None:
                found[key] = f"{hazard.relatief:g} x schaal {hazard.schaal}: {hazard.bron}"
    missing = [r for r in config.spec.model.routes if r not in group.uitstroom]
    if missing:
        found[f"klantgroepen.{name}.uitstroom"] = (
            f"geen uitstroom via {', '.join(missing)} (niet opgegeven)"
        )
    if group.leeftijd is not None and group.leeftijd.waarde is not None:
        found[f"klantgroepen.{name}.leeftijd"] = _text(group.leeftijd.waarde, group.leeftijd.bron)
    factors = group.duur_factor
    if factors is not None and factors.waarde is not None:
        found[f"klantgroepen.{name}.duur_factor"] = _text(factors.waarde, factors.bron)
    elif factors is None and len(config.spec.model.duurbanden_maanden) > 1:
        found[f"klantgroepen.{name}.duur_factor"] = "geen duurafhankelijkheid (niet opgegeven)"
    return found


def _reeks_assumptions(reeks: Reeks) -> dict[str, str]:
    found = {}
    if reeks.peilmoment is not None:
        found[f"reeks.{reeks.naam}.peilmoment"] = f"{reeks.peilmoment}: {reeks.bron}"
    if reeks.weglaten:
        found[f"reeks.{reeks.naam}.weglaten"] = f"{', '.join(reeks.weglaten)}: {reeks.bron}"
    if reeks.peildatum is not None and reeks.formaat in ("klantgroepen", "profielen"):
        found[f"reeks.{reeks.naam}.peildatum"] = f"{reeks.peildatum}: {reeks.bron}"
    return found


def _text(value: object, source: str) -> str:
    return f"{value}: {source}"
