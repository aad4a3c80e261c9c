"""The text of the files `simbijstand init` writes: TOML with comments (tomli_w writes none)
and a beginstand CSV. Every value comes from the plan (`runs.init.InitPlan`); values are
rendered by tomli_w so strings and numbers are valid TOML whatever they hold."""

from __future__ import annotations

import datetime as dt
import math
import re
import shlex
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import tomli_w

from simbijstand.domain.calendar import months_per_year
from simbijstand.estimation.pooled.files import ROUTES
from simbijstand.estimation.pooled.newgemeente import own_relative_variance
from simbijstand.estimation.pooled.yearlevel import NATIONAL
from simbijstand.reporting.numbers import euro, euro_mln, number, pct
from simbijstand.runs.init_defaults import (
    BATEN_AANDEEL,
    BATEN_SOURCE,
    COST_2015,
    COST_SOURCE,
    EARLY_RISE,
    EARLY_YEARS,
    POPULATION_2017,
    POPULATION_SOURCE,
)
from simbijstand.runs.record import package_version
from simbijstand.scenario.regimes import default_regimes, select_regime

if TYPE_CHECKING:
    from simbijstand.runs.init import InitPlan, InitResult


WIDTH = 100  # the longest comment line written


@dataclass(frozen=True, slots=True)
class InitFiles:
    scenario: str
    parameters: str
    beginstand: str


def init_files(plan: InitPlan, scenario: str, parameters: str, beginstand: str) -> InitFiles:
    return InitFiles(
        scenario=wrap_comments(scenario_text(plan, parameters, beginstand)),
        parameters=wrap_comments(parameter_text(plan)),
        beginstand=beginstand_text(plan),
    )


def wrap_comments(text: str, width: int = WIDTH) -> str:
    """Break comment lines longer than `width` (keeping their '#' and indent); values stay."""
    out = []
    for line in text.splitlines():
        match = re.match(r"^(#\s*)(.*)$", line)
        if match is None or len(line) <= width:
            out.append(line)
            continue
        prefix = match.group(1)
        # "# " continues flush; a deeper comment indent ("#   ") continues two further in
        follow = prefix if prefix == "# " else prefix + "  "
        out += textwrap.wrap(
            match.group(2),
            width,
            initial_indent=prefix,
            subsequent_indent=follow,
            break_on_hyphens=False,
            break_long_words=False,
        )
    return "\n".join(out) + "\n"


def value(v: Any) -> str:
    """One TOML value (string, number, date, list or inline table of those)."""
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }"
    return tomli_w.dumps({"x": v}).split("=", 1)[1].strip()


def key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else value(k)


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:50] or "gemeente"


# --- the scenario ------------------------------------------------------------------------------


def scenario_text(plan: InitPlan, parameters: str, beginstand: str) -> str:
    r = plan.request
    name = f"{slug(r.gemeente)}-{r.start.year}"
    seed = r.seed if r.seed is not None else r.start.year * 10000 + r.start.month * 100 + 1
    parts = [
        _scenario_header(plan),
        f"naam = {value(name)}\n",
        f"beschrijving = {value(_description(plan))}\n\n",
        "[simulatie]\n",
        f"start = {r.start.isoformat()}\n",
        f"horizon_maanden = {plan.horizon_maanden}\n",
        f"replicaties = {r.replicaties}\n",
        f"seed = {seed}\n",
        "# Elke replicatie trekt de tarieven uit hun onzekerheid ([[onzekerheid]] in\n",
        f"# {parameters}): de banden tonen toeval, schattingsfout en jaarafwijking samen.\n",
        "parameteronzekerheid = true\n\n",
        _gemeente_text(plan, parameters, beginstand),
        _kosten_text(plan),
        _aow_text(plan),
        _vangnet_text(plan),
    ]
    return "".join(parts)


def _description(plan: InitPlan) -> str:
    r = plan.request
    start = r.start.isoformat()
    return f"{r.gemeente} vanaf {start}, {plan.horizon_maanden} maanden, {r.bestand} uitkeringen"


def _scenario_header(plan: InitPlan) -> str:
    r = plan.request
    given = f"--gemeente {shlex.quote(r.gemeente)} --start {r.start.isoformat()}"
    given += f" --bestand {r.bestand}"
    if not plan.inwoners_assumed:
        given += f" --inwoners {r.inwoners}"
    if r.budget is not None:
        given += f" --budget {r.budget:.0f}"
    return (
        f"# {r.gemeente}: een scenario geschreven door `simbijstand init` (simbijstand "
        f"{package_version('simbijstand')}),\n"
        f"# uit {given}.\n"
        "# Het loopt zonder aanpassing: `simbijstand validate` en `simbijstand run` op dit "
        "bestand.\n"
        "# Alles wat niet gegeven is, is aangenomen; elk aangenomen getal staat hieronder met "
        "zijn bron en met hoe je het door eigen cijfers vervangt. De tarieven staan in "
        "parameters.toml, het beginbestand in beginstand.csv.\n"
    )


def _gemeente_text(plan: InitPlan, parameters: str, beginstand: str) -> str:
    r = plan.request
    g = key(r.gemeente)
    lines = [f"[gemeenten.{g}]\n", f"parameters = {value(parameters)}\n"]
    lines += [
        f"# Het bestand op {r.start.isoformat()} per klantgroep ({beginstand}); vervang het door "
        "je eigen telling (kolommen klantgroep,aantal; of klantgroep,duur_vanaf_maanden,"
        "aantal als je duren kent).\n",
        f"beginstand = {value({'bestand': beginstand})}\n",
    ]
    if plan.inwoners_assumed:
        lines.append(
            f"# --inwoners niet gegeven: aangenomen {plan.inwoners}, zodat de bijstandsdichtheid "
            f"het landelijke gemiddelde van CBS {plan.record.data_year} is "
            f"({number(1000 * plan.record.persons / plan.record.inwoners, 1)} personen per "
            "1.000 inwoners van 15 tot de AOW-leeftijd).\n# Geef het echte aantal: het "
            "bepaalt via de grootte en de dichtheid de tarieven.\n"
        )
    lines.append(f"inwoners = {plan.inwoners}\n\n")
    lines.append(_budget_text(plan))
    lines.append(
        f"[gemeenten.{g}.baten]\n"
        "# Terugvordering en verhaal als aandeel van de bruto lasten; aanname: "
        f"{BATEN_SOURCE}.\n# Vervang door je eigen aandeel, of per_jaar = bedrag.\n"
        f"aandeel = {BATEN_AANDEEL}\n\n"
    )
    return "".join(lines)


def _budget_text(plan: InitPlan) -> str:
    r = plan.request
    g = key(r.gemeente)
    rise = plan.costs.carried_rise
    growth = r.budget_groei if r.budget_groei is not None else rise
    tail = _results_text(plan)
    if r.budget is None:
        return (
            f"# Geen --budget gegeven: zonder BUIG-budget rekent de run lasten maar geen "
            "tekort of vangnet.\n# Voeg het toe als:\n"
            f"# [gemeenten.{g}.budget]\n"
            f'# jaren."{r.start.year}" = {{ voorlopig = 12_345_678 }}\n'
            f"# groei_per_jaar = {rise}\n" + tail + "\n"
        )
    source = (
        "--budget-groei"
        if r.budget_groei is not None
        else f"aanname: het budget stijgt als de bijstandsnorm na {plan.costs.last_norm} "
        f"({pct(100 * rise, 1)} per jaar, zie [kosten]), bij een gelijk volume"
    )
    return (
        f"[gemeenten.{g}.budget]\n"
        f"# Het BUIG-budget van {r.start.year} (--budget), als voorlopig: vervang het door "
        "het definitieve\n"
        f'# (jaren."{r.start.year}" = {{ definitief = ... }}) en voeg volgende jaren toe '
        "zodra ze bekend zijn.\n"
        f'jaren."{r.start.year}" = {value({"voorlopig": float(r.budget)})}\n'
        f"# Jaren zonder bedrag: het vorige jaar plus groei; {source}.\n"
        f"groei_per_jaar = {growth}\n" + tail + "\n"
    )


def _results_text(plan: InitPlan) -> str:
    r = plan.request
    g = key(r.gemeente)
    if r.resultaten:
        text = "# Resultaten van eerdere jaren (--resultaat; tekort +, overschot -, in euro): de\n"
        text += "# meerjarige voorwaarde van het vangnet telt ze mee.\n"
        for year, amount in sorted(r.resultaten.items()):
            text += f'[gemeenten.{g}.realisatie."{year}"]\nresultaat = {float(amount)}\n'
        return text
    return (
        "# Zonder de resultaten van eerdere jaren blijft de meerjarige voorwaarde van het "
        "vangnet onbeslist;\n# geef ze met `simbijstand init --resultaat JAAR=BEDRAG`, of "
        "hier (tekort +, overschot -, in euro):\n"
        f'# [gemeenten.{g}.realisatie."{r.start.year - 1}"]\n# resultaat = 0\n'
    )


def _kosten_text(plan: InitPlan) -> str:
    c = plan.costs
    start = plan.request.start.year
    if c.given:
        how = "# Euro per uitkeringsmaand op 1 januari van het prijsjaar (--kosten-per-maand).\n"
    else:
        parts = ", ".join(f"{k} {number(v)}" for k, v in COST_2015.items())
        how = (
            "# Euro per uitkeringsmaand op 1 januari van het prijsjaar. Aanname: de gemiddelde "
            f"kosten per uitkering in 2015 ({parts} per jaar; {COST_SOURCE}),\n"
            f"# gemiddeld {number(c.base_2015, 2)} per maand, geindexeerd naar {start}: "
            f"{pct(100 * EARLY_RISE, 1)} per jaar {EARLY_YEARS[0]}-{EARLY_YEARS[-1]} "
            "(geen norm bekend; aanname als scenarios/basis.toml), de bijstandsnormen van "
            f"simbijstand (regels.toml) tot {c.last_norm}, daarna "
            f"{pct(100 * c.carried_rise, 1)} "
            f"per jaar: factor {number(c.factor, 3)}. Vervang per_maand door je eigen "
            "gemiddelde\n# (BUIG-lasten / uitkeringsmaanden) van een recent jaar, met dat "
            "jaar als prijsjaar.\n"
        )
    return (
        "[kosten]\n" + how + f"prijsjaar = {start}\n"
        f"per_maand = {value({'participatiewet': c.per_maand})}\n"
        "# De kosten volgen de bijstandsnormen die simbijstand meelevert (src/simbijstand/"
        f"scenario/regels.toml, bekend tot {c.last_norm}). Daarna stijgen ze elk 1 januari "
        f"met indexatie_per_jaar: aanname, de stijging van de norm van {c.last_year_rise_from} "
        f"tot {c.last_norm}; de run meldt dat hij haar doortrekt. Bekende normen of "
        'indexaties zet je erbij als indexatie = { "2027" = 0.03 } (een jaar) of "2027-07" '
        "(een maand).\n"
        f"indexatie_per_jaar = {c.carried_rise}\n\n"
    )


def _aow_text(plan: InitPlan) -> str:
    ages = ", ".join(f"{y}: {a.replace('-', ' jaar en ')} mnd" for y, a in plan.aow.ages.items())
    head = (
        "# AOW-leeftijd (regels.toml, ingebouwd): "
        f"{ages}; na {plan.aow.last_known} doorgetrokken.\n"
        "# De uitstroom door het bereiken van de AOW-leeftijd is de route aow in "
        "parameters.toml. Stijgt de leeftijd in een jaar met r maanden, dan bereiken in "
        "dat jaar maar 12 - r geboortemaanden haar:\n"
    )
    if not plan.aow.by_year:
        return head + "# in de horizon stijgt ze niet, dus geen factor.\n\n"
    text = head
    for year, factor in sorted(plan.aow.by_year.items()):
        text += (
            f"[[multiplicator]]\nvan = {dt.date(year, 1, 1).isoformat()}\n"
            f"tot = {dt.date(year + 1, 1, 1).isoformat()}\n"
            f"uitstroom = {value({'aow': round(factor, 6)})}\n"
        )
    return text + "\n"


def _vangnet_text(plan: InitPlan) -> str:
    regimes = default_regimes()
    lines = ["# Vangnet: de regimes die simbijstand meelevert (src/simbijstand/scenario/"
             "vangnet_regimes.toml):\n"]  # fmt: skip
    for year in sorted(months_per_year(plan.request.start, plan.horizon_maanden)):
        name, regime = select_regime(regimes, year)
        carried = " (doorgetrokken)" if regime.in_force.is_carried(dt.date(year, 1, 1)) else ""
        lines.append(f"#   {year}: {name}{carried}: {regime.omschrijving}\n")
    lines.append('# Een ander regime voor een jaar: [vangnet] regime = { "2027" = "naam" }.\n')
    return "".join(lines)


# --- the parameter file -----------------------------------------------------------------------


def parameter_text(plan: InitPlan) -> str:
    r, rates, rec = plan.request, plan.rates, plan.record
    hazard = rates.hazard
    work = rates.counted_hazard * rec.work_share / hazard
    shares = {"werk": work, "overig": rates.counted_hazard / hazard - work}
    shares["aow"] = 1.0 - shares["werk"] - shares["overig"]
    inflow_shares = {g: n / r.bestand for g, n in plan.groups.items()}
    lines = [
        _parameter_header(plan),
        "schema_version = 1\n",
        f"gemeente = {value(r.gemeente)}\n",
        f"omschrijving = {value(_description(plan))}\n",
        'bron = "simbijstand init: gepoolde kalibratie, zie de commentaren"\n',
        f"routes = {value(ROUTES)}\n",
        "# Geen duurafhankelijkheid: CBS geeft geen duren.\n",
        "duurbanden_maanden = [0]\n\n",
        "[instroom]\n",
        f"# Uitkeringen per jaar. De pool voorspelt {number(rates.predicted_inflow_per_year)}; "
        f"gezet op {number(rates.inflow_per_year)}\n"
        "# zodat het beginbestand het evenwicht van de tarieven is (zie boven).\n",
        f"per_jaar = {_round(rates.inflow_per_year)}\n",
        "# Aandeel per klantgroep: naar het beginbestand, zodat elke groep op haar evenwicht "
        "begint.\n",
        f"klantgroepen = {value({g: _round(s) for g, s in inflow_shares.items()})}\n\n",
    ]
    for group in plan.groups:
        lines.append(_group_text(group, hazard, shares, len(plan.groups)))
    lines.append(_uncertainty_text(plan))
    return "".join(lines)


def _parameter_header(plan: InitPlan) -> str:
    r, rates, rec = plan.request, plan.rates, plan.record
    per_1000 = 1000 * r.bestand * rec.persons_per_benefit / plan.inwoners_15_aow
    return (
        f"# Tarieven voor {r.gemeente}, geschreven door `simbijstand init`: de voorspelling "
        f"van de gepoolde kalibratie van alle {rec.gemeenten} gemeenten (CBS "
        f"{rec.data_year}, calibration/gemeenten/README.md) voor een nieuwe\n"
        "# gemeente met deze kenmerken (de pool, niet de tarieven van een andere gemeente):\n"
        f"#   grootte: {number(plan.inwoners_15_aow)} inwoners van 15 tot de AOW-leeftijd = "
        f"{number(plan.inwoners)} inwoners x {number(rec.inwoners)} / "
        f"{number(POPULATION_2017)} (CBS {rec.data_year}; {POPULATION_SOURCE});\n"
        f"#   dichtheid: {number(per_1000, 1)} personen per 1.000 van hen; CBS telt personen, "
        f"geen uitkeringen: {number(rec.persons_per_benefit, 3)} personen per "
        f"uitkering (landelijk op {rec.origin.isoformat()}, CBS 37789ksz);\n"
        "#   verandering van het bestand in het vorige jaar: onbekend, aangenomen 0 (stabiel).\n"
        f"# Voorspeld: instroom {number(1000 * rates.predicted.inflow.value, 2)} per 1.000 "
        "inwoners (15-AOW) per jaar, getelde uitstroomkans "
        f"{pct(100 * rates.predicted.exit.value, 1)} "
        f"per jaar. Omdat het bestand stabiel wordt aangenomen, zijn beide zo weinig "
        "verschoven als hun onzekerheid toelaat dat instroom = uitstroom bij het\n"
        f"# beginbestand: uitstroomkans {pct(100 * rates.counted_hazard, 1)} + "
        f"{pct(100 * rates.uncounted, 2)} AOW = {pct(100 * rates.hazard, 1)} per jaar. "
        "Zo springt noch zakt het bestand in het eerste jaar vanzelf. Heb je eigen "
        "stromen, zet dan per_jaar en uitstroom_per_jaar op je eigen cijfers (en pas "
        "[[onzekerheid]] aan of laat parameteronzekerheid weg); of kalibreer met\n"
        "# `simbijstand calibrate` (zie README).\n"
    )


def _group_text(group: str, hazard: float, shares: dict[str, float], groups: int) -> str:
    same = (
        "# Alle klantgroepen krijgen de ene uitstroomkans van de pool (CBS kent geen "
        "klantgroepen); vervang die per groep als je eigen kansen hebt.\n"
        if groups > 1
        else "# Eén klantgroep: CBS kent geen klantgroepen. Eigen indeling: `simbijstand init "
        "--klantgroep naam=aantal`.\n"
    )
    return (
        f"[klantgroepen.{group}]\n" + same + 'regeling = "participatiewet"\n'
        f"uitstroom_per_jaar = {_round(hazard)}\n"
        "# Werk: landelijk aandeel in de getelde uitstroom; overig: de rest; aow: de uitstroom "
        "die CBS niet telt (vooral het bereiken van de AOW-leeftijd), landelijk gemeten "
        "en naar het jaar geschaald.\n"
        f"uitstroom_routes = {value({k: _round(v) for k, v in shares.items()})}\n\n"
    )


def _uncertainty_text(plan: InitPlan) -> str:
    rates = plan.rates
    k = rates.counted_hazard / rates.hazard  # dlog(hazard) / dlog(counted hazard)
    own_level = plan.level_variance - plan.level_national
    inflow = rates.inflow_log_variance
    exit_ = k * k * rates.exit_log_variance
    both = k * rates.covariance
    keys = ["instroom.per_jaar", *(f"klantgroepen.{g}.uitstroom_per_jaar" for g in plan.groups)]
    size = len(keys)
    matrix = [[exit_] * size for _ in range(size)]
    matrix[0] = [inflow, *([both] * (size - 1))]
    for row in matrix[1:]:
        row[0] = both
    rendered = ",\n".join("    [" + ", ".join(repr(float(x)) for x in row) + "]" for row in matrix)
    return (
        "[[onzekerheid]]\n"
        "# Lognormaal rond de waarden hierboven: de voorspelling van de pool na de verschuiving. "
        "De uitstroomkans beweegt mee met de instroom: het evenwicht ligt vast op het "
        "beginbestand.\n"
        'verdeling = "lognormaal"\n'
        f"sleutels = {value(keys)}\n"
        f"covariantie_log = [\n{rendered},\n]\n"
        f'bron = "gepoolde kalibratie CBS {plan.record.data_year}, voorspelling voor een '
        'nieuwe gemeente (simbijstand init)"\n\n'
        "[[onzekerheid]]\n"
        "# Het eigen deel van de afwijking op jaarniveau (sd "
        f"{pct(100 * math.sqrt(_own_relative(plan)), 1)} van het bestand bij deze omvang, README "
        "van de kalibratie): de instroom van het jaar maal 1 + z, z normaal; z telt op met het "
        "landelijke deel hieronder.\n"
        'verdeling = "normaal"\n'
        'sleutels = ["instroom.per_jaar"]\n'
        f"covariantie = [[{float(own_level)!r}]]\n"
        f'bron = "gepoolde kalibratie CBS {plan.record.data_year}: v(S), de spreiding van '
        'gemeenten van deze omvang rond de gemeenschappelijke verschuiving"\n\n'
        + _national_text(plan)
    )


def _own_relative(plan: InitPlan) -> float:
    persons = plan.request.bestand * plan.record.persons_per_benefit
    return own_relative_variance(plan.record, persons)


def _national_text(plan: InitPlan) -> str:
    """The national part of the year-level deviation, in the component every gemeente of the
    pooled calibration shares: in one run with them, all draw the same national year."""
    return (
        "[[onzekerheid]]\n"
        "# Het landelijke deel van de afwijking op jaarniveau (sd "
        f"{pct(100 * math.sqrt(plan.record.common_variance), 1)} van het bestand): één "
        "trekking per replicatie, dezelfde voor elke gemeente in de run die het deelt (de "
        "gemeenten van calibration/gemeenten/ ook).\n"
        'verdeling = "normaal"\n'
        f'gedeeld = "{NATIONAL}"\n'
        'sleutels = ["instroom.per_jaar"]\n'
        f"covariantie = [[{float(plan.level_national)!r}]]\n"
        f'bron = "gepoolde kalibratie CBS {plan.record.data_year}: driftfouten van de '
        'jaargroei van de landelijke reeks"\n'
    )


def beginstand_text(plan: InitPlan) -> str:
    rows = "".join(f"{group},{count}\n" for group, count in plan.groups.items())
    return "klantgroep,aantal\n" + rows


def _round(x: float) -> float:
    return float(f"{float(x):.7g}")


# --- the terminal ------------------------------------------------------------------------------


def terminal_summary(result: InitResult) -> str:
    """What `simbijstand init` prints: the files, the key numbers, what to run next."""
    plan = result.plan
    r, rates = plan.request, plan.rates
    lines = [f"Scenario voor {r.gemeente} geschreven in {result.folder}:"]
    lines += [f"  {path.name}" for path in result.files]
    lines.append(
        f"  start {r.start.isoformat()}, {plan.horizon_maanden} maanden, "
        f"{number(r.bestand)} uitkeringen in {len(plan.groups)} klantgroep(en)"
    )
    lines.append(
        f"  instroom {number(rates.inflow_per_year)} per jaar (pool: "
        f"{number(rates.predicted_inflow_per_year)}), uitstroomkans {pct(100 * rates.hazard, 1)} "
        f"per jaar: evenwicht bij het beginbestand"
    )
    cost = euro(plan.costs.per_maand)
    lines.append(f"  kosten {cost} per uitkeringsmaand op 1 januari {r.start.year}")
    if r.budget is not None:
        growth = r.budget_groei if r.budget_groei is not None else plan.costs.carried_rise
        lines.append(
            f"  budget {r.start.year} {euro_mln(r.budget)}, daarna {pct(100 * growth, 1)} "
            "groei per jaar"
        )
    else:
        lines.append("  geen budget gegeven: de run rekent lasten, geen tekort of vangnet")
    if plan.inwoners_assumed:
        lines.append(
            f"  aangenomen: {number(plan.inwoners)} inwoners (landelijke bijstandsdichtheid); "
            "geef --inwoners"
        )
    lines.append("Aannames en bronnen staan als commentaar in de bestanden. Verder:")
    lines.append(f"  simbijstand validate {result.scenario}")
    lines.append(f"  simbijstand run {result.scenario}")
    return "\n".join(lines)
