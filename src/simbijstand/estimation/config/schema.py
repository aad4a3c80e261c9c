"""The calibration config (TOML): which data, which model, what is estimated and what assumed.

Every model parameter is either estimated (`"schatten"`), assumed with its source
(`{ waarde = ..., bron = "..." }`), or, for hazards, tied to a shared scale that is estimated
(`{ schaal = "werk", relatief = 10, bron = "..." }`: the hazard is 10 x the scale `werk`; the
relative weight is the assumption and `bron` says where it comes from). Nothing is assumed
silently: a value without `bron` is an error. See docs/kalibratie.md for the format in full.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from simbijstand.scenario.schema import GemeenteName, Name, Strict

ESTIMATE = "schatten"
FORMATS = (
    "cbs_uitkeringen",  # CBS 37789ksz: national benefits per month (x1000)
    "bestand",  # gemeente, peildatum, bijstandsuitkeringen
    "bestand_per_regeling",  # gemeente, peildatum, regeling, uitkeringen
    "stroom",  # gemeente, periode_start, periode_eind, stand_begin, instroom, uitstroom, stand_eind
    "redenen",  # gemeente, richting, reden, aantal (one period, given in the config)
    "besluiten",  # jaar, toekenning, afwijzing, ..., totaal (a region's decisions per year)
    "aanvragen",  # gemeente, soort_aanvraag, aantal (one period, given in the config)
    "klantgroepen",  # klantgroep, aantal, toelichting (sizes at one peildatum)
    "profielen",  # gemeente, profiel, leeftijd, aantal (sizes at one peildatum)
    "historie",  # datum, gemeente, aantal (the scenario's observed caseload)
    "bestand_klantgroep",  # gemeente, peildatum, klantgroep, aantal (klantgroep empty = total)
    "stromen",  # gemeente, van, tot, richting, klantgroep, route, aantal
)
Format = Literal[
    "cbs_uitkeringen",
    "bestand",
    "bestand_per_regeling",
    "stroom",
    "redenen",
    "besluiten",
    "aanvragen",
    "klantgroepen",
    "profielen",
    "historie",
    "bestand_klantgroep",
    "stromen",
]
Source = Annotated[str, Field(min_length=3, max_length=2000)]


def _estimate_from_text(value: Any) -> Any:
    """Accept the word "schatten" for { schatten = true }; anything else goes to the table."""
    if value == ESTIMATE:
        return {"schatten": True}
    if not isinstance(value, dict):
        raise ValueError(
            f'expected "{ESTIMATE}" or a table such as {{ waarde = ..., bron = "..." }}'
        )
    return value


def _kinds(spec: Any, *names: str) -> list[str]:
    # `is` on purpose: a waarde of 0.0 equals False
    return [n for n in names if getattr(spec, n) is not None and getattr(spec, n) is not False]


class Spec(Strict):
    @model_validator(mode="after")
    def _one_kind(self) -> Any:
        if getattr(self, "geen", False):
            return self  # a season of "geen": checked by SeasonSpec
        kinds = _kinds(self, "schatten", "waarde", "schaal")
        if len(kinds) != 1:
            found = ", ".join(kinds) or "none"
            raise ValueError(f'give exactly one of "schatten", waarde or schaal (found {found})')
        if kinds[0] != "schatten" and not self.bron.strip():
            raise ValueError('an assumed value needs its source: add bron = "..."')
        return self


class HazardSpec(Spec):
    schatten: bool = False
    waarde: Annotated[float, Field(ge=0, le=100)] | None = None
    schaal: Name | None = None
    relatief: Annotated[float, Field(gt=0, le=1e6)] | None = None
    bron: str = ""

    @model_validator(mode="after")
    def _scale_needs_weight(self) -> Any:
        if (self.schaal is None) != (self.relatief is None):
            raise ValueError("schaal and relatief go together: { schaal = ..., relatief = ... }")
        return self


class ScalarSpec(Spec):
    schatten: bool = False
    waarde: Annotated[float, Field(ge=-1e6, le=1e6)] | None = None
    schaal: None = None
    bron: str = ""


class FactorsSpec(Spec):
    schatten: bool = False
    waarde: list[Annotated[float, Field(ge=0, le=100)]] | None = None
    schaal: None = None
    bron: str = ""


class SharesSpec(Spec):
    schatten: bool = False
    waarde: dict[Name, Annotated[float, Field(ge=0, le=1)]] | None = None
    schaal: None = None
    bron: str = ""


class UnitSpec(Spec):
    """A value between 0 and 1: estimated, or assumed with its source."""

    schatten: bool = False
    waarde: Annotated[float, Field(ge=0, le=1)] | None = None
    schaal: None = None
    bron: str = ""


Hazard = Annotated[HazardSpec, BeforeValidator(_estimate_from_text)]
Scalar = Annotated[ScalarSpec, BeforeValidator(_estimate_from_text)]
Factors = Annotated[FactorsSpec, BeforeValidator(_estimate_from_text)]
Shares = Annotated[SharesSpec, BeforeValidator(_estimate_from_text)]
Unit = Annotated[UnitSpec, BeforeValidator(_estimate_from_text)]


def _season_from_text(value: Any) -> Any:
    return {"geen": True} if value == "geen" else _estimate_from_text(value)


class SeasonSpec(FactorsSpec):
    geen: bool = False

    @model_validator(mode="after")
    def _geen_alone(self) -> Any:
        if self.geen and (self.schatten or self.waarde is not None):
            raise ValueError('"geen" (no seasonality) takes no other keys')
        return self


Season = Annotated[SeasonSpec, BeforeValidator(_season_from_text)]


class Waarneming(Strict):
    """The observation window [van, tot): data outside it are not used."""

    van: dt.date
    tot: dt.date


class Model(Strict):
    routes: Annotated[list[Name], Field(min_length=1, max_length=64)]
    duurbanden_maanden: Annotated[
        list[Annotated[int, Field(ge=0, le=1200)]], Field(min_length=1, max_length=32)
    ] = Field(default_factory=lambda: [0])
    overdispersie: Scalar
    # parameters shared by all gemeenten: scale names, trend, seizoen, elasticiteit, klantgroepen
    gedeeld: list[str] = Field(default_factory=list)
    intervallen: Literal["informatie", "profiel"] = "informatie"
    niveau: Annotated[float, Field(gt=0.5, lt=1)] = 0.95


class Werkloosheid(Strict):
    bestand: str
    kolom: str = "werkloosheid_pct_15_75_niet_seizoengecorrigeerd"
    vertraging_maanden: Annotated[int, Field(ge=0, le=60)] = 0
    gemiddelde_maanden: Annotated[int, Field(ge=1, le=60)] = 12
    elasticiteit: Scalar
    bron: Source  # why this lag and averaging


class Verbreding(Strict):
    """How far, relative to the forecast, the caseload's 80% band must reach per horizon, as
    `simbijstand backtest` calibrated it on its rolling origins (its output ends with this
    table): `relatieve_fout_80[i]` (0.03: +- 3%) for months up to `horizon_maanden[i]`. The
    calibration turns it into the parameter file's `inflatie` (a factor on the AR(1) and a
    wandering level) with the file's own sigma, rho, inflow and exits
    (`estimation.bands.widened`); methode, oorsprongen, punten and dekking_80 are copied to
    record how."""

    horizon_maanden: Annotated[
        list[Annotated[int, Field(ge=1, le=600)]], Field(min_length=1, max_length=60)
    ]
    relatieve_fout_80: Annotated[
        list[Annotated[float, Field(gt=0, le=1)]], Field(min_length=1, max_length=60)
    ]
    methode: str = ""
    oorsprongen: list[dt.date] = Field(default_factory=list)
    punten: list[Annotated[int, Field(ge=0)]] = Field(default_factory=list)
    dekking_80: list[Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_per_horizon(self) -> Verbreding:
        sizes = {len(self.horizon_maanden), len(self.relatieve_fout_80)}
        sizes |= {len(v) for v in (self.punten, self.dekking_80) if v}
        if len(sizes) > 1:
            raise ValueError(
                "give one value per entry of horizon_maanden in relatieve_fout_80 (and in "
                "punten and dekking_80, when given)"
            )
        if any(b <= a for a, b in itertools.pairwise(self.horizon_maanden)):
            raise ValueError("horizon_maanden must increase, e.g. [12, 24]")
        return self


class Schommeling(Strict):
    """The persistent deviation of inflow the parameter file's [instroom.schommeling] gets:
    each of its two values estimated from the monthly stock residuals of the fit
    (`estimation.deviation`) or assumed. Without this table the file gets none."""

    sd_per_maand: Unit
    persistentie: Unit
    # "filter": a forecast starts from the deviation the window's last months show (Kalman);
    # "nul": from 0, as if the last months were on the expected path
    start: Literal["filter", "nul"] = "filter"
    # the caseload band's reach by horizon, calibrated on out-of-sample errors by
    # `simbijstand backtest` (its output gives this table)
    inflatie: Verbreding | None = None


class Instroom(Strict):
    trend: Scalar
    seizoen: Season
    klantgroepen: Shares
    werkloosheid: Werkloosheid | None = None
    schommeling: Schommeling | None = None


class Klantgroep(Strict):
    omschrijving: str = ""
    regeling: Name = "participatiewet"
    buig: bool = True
    uitstroom: dict[Name, Hazard] = Field(default_factory=dict)
    doorstroom: dict[Name, Hazard] = Field(default_factory=dict)
    duur_factor: Factors | None = None
    # age-band shares ("18-27" = 0.2, ...), passed to the parameter file for measures by age
    # and AOW by age; aggregate counts cannot estimate them, so only { waarde, bron }
    leeftijd: Shares | None = None


class Spells(Strict):
    bestand: str
    peildatum: dt.date
    groepswijzigingen: str | None = None
    # Name of an environment variable holding the salt, when ids must be pseudonymised (BSN).
    zout_omgevingsvariabele: str | None = None


class Samenstelling(Strict):
    """The caseload's composition by klantgroep at the window's start, when only totals are
    observed: shares taken from a file of group sizes (an assumption, hence `bron`)."""

    reeks: str  # name of a [[reeks]] of format klantgroepen or profielen
    bron: Source


class Gemeente(Strict):
    uitvoer: str  # the parameter file to write, relative to the config
    omschrijving: str = ""
    beginsamenstelling: Samenstelling | None = None  # None: the model's own steady state
    spells: Spells | None = None


class Periode(Strict):
    van: dt.date
    tot: dt.date


class Redenen(Strict):
    """Exit reasons counted together as the exits of a set of routes."""

    routes: Annotated[list[Name], Field(min_length=1)]
    redenen: list[str]


class Reeks(Strict):
    naam: Annotated[str, Field(min_length=1, max_length=80)]
    formaat: Format
    bestand: str
    gebruik: Literal["fit", "doel"] = "fit"  # doel: only the target of backtests
    gemeente: str | None = None
    gemeenten: list[str] | None = None
    kolom: str | None = None
    schaal: Annotated[float, Field(gt=0, le=1e9)] = 1.0
    klantgroepen: list[Name] | None = None
    peilmoment: Literal["begin_maand", "einde_maand"] | None = None
    periode: Periode | None = None
    peildatum: dt.date | None = None
    uitstroomredenen: list[Redenen] | None = None
    profielen: dict[Name, list[str]] | None = None
    weglaten: list[str] = Field(default_factory=list)
    bron: str = ""


class EigenPrognose(Strict):
    """A forecast the municipality made itself, to compare in backtests."""

    bestand: str  # long format: reeks, gebied, jaar, waarde (bmwe_beleidskader_2015.csv)
    reeks: str
    gebied: str
    jaar_is: Literal["begin_jaar", "einde_jaar"]  # the year's value is the stock on 1 Jan of
    gemaakt_op: dt.date  # that year, or of the next year; and when it was made
    bron: Source


class Backtest(Strict):
    """Each origin's fit uses [max(origin - venster_maanden, eerste_van), origin); without
    venster_maanden, [waarneming.van, origin)."""

    doel: str  # the [[reeks]] (stocks) to forecast; summed over its gemeenten
    venster_maanden: Annotated[int, Field(ge=3, le=600)] | None = None
    eerste_van: dt.date | None = None  # the earliest window start the data allow
    replicaties: Annotated[int, Field(ge=2, le=100_000)] = 40
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 1
    parameteronzekerheid: bool = True
    # "genest": widen the inflow deviation's spread by an inflation calibrated on the months
    # of earlier origins' forecasts observed by each origin (estimation.bands); "geen": not
    inflatie: Literal["genest", "geen"] = "genest"
    eigen_prognose: EigenPrognose | None = None


class Jaarafwijking(Strict):
    # the year-level deviation learned across all gemeenten: the record a pooled calibration
    # writes (pool-gemeenten.toml); see estimation.borrowed_yearlevel
    pool: str
    bron: str | None = None


class KalibratieConfig(Strict):
    naam: Name
    beschrijving: str = ""
    waarneming: Waarneming
    model: Model
    instroom: Instroom
    klantgroepen: Annotated[dict[Name, Klantgroep], Field(min_length=1, max_length=64)]
    gemeenten: Annotated[dict[GemeenteName, Gemeente], Field(min_length=1, max_length=500)]
    reeks: list[Reeks] = Field(default_factory=list)
    backtest: Backtest | None = None
    jaarafwijking: Jaarafwijking | None = None


# Keys holding file paths, resolved against the config's folder.
CONFIG_PATH_KEYS: tuple[tuple[str | int, ...], ...] = (
    ("instroom", "werkloosheid", "bestand"),
    ("gemeenten", "*", "uitvoer"),
    ("gemeenten", "*", "spells", "bestand"),
    ("gemeenten", "*", "spells", "groepswijzigingen"),
    ("reeks", "*", "bestand"),
    ("backtest", "eigen_prognose", "bestand"),
    ("jaarafwijking", "pool"),
)
