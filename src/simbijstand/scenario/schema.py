"""The shape of scenario files and parameter files: keys, types and single-value ranges.

Rules that relate several values (shares that add up, names that must exist, dates inside the
horizon) live in `checks`. Units: hazards are per year, amounts in euros, durations in months.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from simbijstand.scenario.schema_base import (
    NAME_PATTERN,
    Euro,
    GemeenteName,
    HazardPerYear,
    Multiplier,
    Name,
    Share,
    Strict,
)
from simbijstand.scenario.schema_money import (
    Baten,
    Budget,
    Loonkostensubsidie,
    Realisatie,
    Vangnet,
    YearKey,
)
from simbijstand.scenario.schema_policy import Aow, Beleid, Macro, Statushouders, Traject

AGE_BAND = r"^\d{2}-\d{2,3}$"

# --- parameter file (rates of one gemeente) -------------------------------------------------


class Werkloosheid(Strict):
    """Inflow's elasticity to unemployment, as calibrated; `per_jaar` holds at `referentie_pct`.

    The engine does not read it. A scenario's [macro] turns an unemployment path into inflow
    multipliers (u / referentie) ** elasticiteit_instroom: take referentie, the elasticity and
    the lag from here (the calibration averaged u over `gemiddelde_maanden` months).
    """

    elasticiteit: Annotated[float, Field(ge=-20, le=20)]
    referentie_pct: Annotated[float, Field(gt=0, le=100)]
    vertraging_maanden: Annotated[int, Field(ge=0, le=120)] = 0
    gemiddelde_maanden: Annotated[int, Field(ge=1, le=120)] = 1


class Inflatie(Strict):
    """How much wider the deviation's spread is drawn, by horizon: the spread of eta in months
    1..horizon_maanden[0] is multiplied by factor[0], up to horizon_maanden[1] by factor[1],
    and so on; after the last, by the last factor. Calibrated on out-of-sample errors
    (`estimation.bands`); `methode`, `oorsprongen`, `punten` and `dekking_80` record how, on
    which forecast origins, on how many scored months per horizon and with what coverage of
    the 80% band (nested: each origin's factors came from earlier origins only)."""

    horizon_maanden: Annotated[
        list[Annotated[int, Field(ge=1, le=600)]], Field(min_length=1, max_length=60)
    ]
    factor: Annotated[
        list[Annotated[float, Field(gt=0, le=20)]], Field(min_length=1, max_length=60)
    ]
    # a level that wanders: a random walk w added to eta, w_t = w_(t-1) + N(0, sd_t^2), w_0 = 0,
    # sd_t this list's value for month t's horizon (as factor); empty: none
    wandeling_sd_per_maand: list[Annotated[float, Field(ge=0, le=1)]] = []
    methode: str = ""
    oorsprongen: list[dt.date] = []
    punten: list[Annotated[int, Field(ge=0)]] = []
    dekking_80: list[Annotated[float, Field(ge=0, le=1)]] = []

    def month_factors(self, months: int) -> list[float]:
        """g_t for t = 1..months: the factor of the first horizon that reaches month t, the
        last factor after the last horizon."""
        return self._per_month(self.factor, months)

    def month_walk(self, months: int) -> list[float]:
        """The wandering level's sd for t = 1..months (0 without one), as `month_factors`."""
        return (
            self._per_month(self.wandeling_sd_per_maand, months)
            if self.wandeling_sd_per_maand
            else [0.0] * months
        )

    def _per_month(self, values: list[float], months: int) -> list[float]:
        last = len(values) - 1
        result = []
        for t in range(1, months + 1):
            index = next((i for i, h in enumerate(self.horizon_maanden) if t <= h), last)
            result.append(values[min(index, last)])
        return result


class Schommeling(Strict):
    """A persistent deviation of inflow from its expected path (economy, policy), per replication.

    The log of an inflow multiplier follows an AR(1) over the horizon's months t = 1..M:
    eta_t = persistentie x eta_(t-1) + eps_t, eps_t ~ N(0, sd_per_maand^2), from
    eta_0 ~ N(start, start_sd^2): the deviation the last observed months show (a Kalman filter's
    estimate at the calibration's end; 0 and 0 when unknown). Month t's expected inflow of every
    entry klantgroep is multiplied by exp(eta_t - v_t / 2), v_t = Var(eta_t), so the expected
    inflow is the file's times exp(persistentie^t x start). `inflatie` widens the AR(1)'s spread
    by horizon and adds a random walk w_t (a level that wanders, entering as
    max(1 + w_t, 0) / E[max(1 + w_t, 0)] so the median stays beside the mean), both calibrated
    on out-of-sample errors; with parameter uncertainty, sd_per_maand and
    persistentie are drawn from their [intervallen]. See `engine.draws`.
    """

    sd_per_maand: Annotated[float, Field(ge=0, le=1)]
    persistentie: Annotated[float, Field(ge=0, le=1)]  # 0: month to month independent; 1: walk
    start: Annotated[float, Field(ge=-3, le=3)] = 0.0
    start_sd: Annotated[float, Field(ge=0, le=3)] = 0.0
    inflatie: Inflatie | None = None
    bron: str = ""


class InstroomParameters(Strict):
    per_jaar: Annotated[float, Field(ge=0, le=10_000_000)]
    trend_per_jaar: Annotated[float, Field(gt=-1, le=10)] = 0.0
    seizoen: (
        Annotated[list[Annotated[float, Field(gt=0, le=12)]], Field(min_length=12, max_length=12)]
        | None
    ) = None
    klantgroepen: dict[Name, Share]
    werkloosheid: Werkloosheid | None = None
    schommeling: Schommeling | None = None


class KlantgroepParameters(Strict):
    omschrijving: str = ""
    regeling: Name = "participatiewet"
    buig: bool = True
    uitstroom_per_jaar: HazardPerYear
    uitstroom_routes: dict[Name, Share]
    duur_factor: list[Annotated[float, Field(ge=0, le=100)]] | None = None
    doorstroom_per_jaar: dict[Name, HazardPerYear] = {}
    # shares of age bands "18-27" (from 18 up to 27 years), for the initial caseload and inflow
    leeftijd: dict[Annotated[str, Field(pattern=AGE_BAND)], Share] | None = None


class HerkomstBestand(Strict):
    pad: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Herkomst(Strict):
    """Where a calibrated parameter file came from: program, config, data (with SHA-256)."""

    programma: str
    config: str
    config_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    waarneming_van: dt.date
    waarneming_tot: dt.date
    bestanden: list[HerkomstBestand] = []
    aannames: dict[str, str] = {}  # parameter key -> source of the assumed value


class Interval(Strict):
    """A parameter's point estimate and interval at `niveau`, and how it was found."""

    schatting: float
    laag: float
    hoog: float
    niveau: Annotated[float, Field(gt=0, lt=1)] = 0.95
    methode: str = ""


class Onzekerheid(Strict):
    """The estimation uncertainty of some parameters, as a distribution to draw them from.

    verdeling = "lognormaal": log(value) of the `sleutels` is multivariate normal around the log
    of the value in the file, with covariance `covariantie_log` (for trend_per_jaar:
    log(1 + value)); "normaal": each value is multiplied by 1 + z, z multivariate normal with
    covariance `covariantie` (a relative deviation, symmetric: the value in the file stays mean
    and median); "gamma": the one key is Gamma(`vorm`, scale `schaal`); "dirichlet": the
    shares of the one table key are Dirichlet(`concentratie`). See `scenario.uncertainty`.

    `gedeeld` (lognormaal and normaal) names a component shared by every parameter file of a run
    that declares it: within a replication they all draw the same standard normals for it (a
    national year, say), each scaled by its own covariance; blocks without it are drawn per file.
    """

    verdeling: Literal["lognormaal", "normaal", "gamma", "dirichlet"]
    sleutels: Annotated[list[str], Field(min_length=1, max_length=500)]
    covariantie_log: list[list[Annotated[float, Field(ge=-1e6, le=1e6)]]] | None = None
    covariantie: list[list[Annotated[float, Field(ge=-1e6, le=1e6)]]] | None = None
    vorm: Annotated[float, Field(gt=0, le=1e9)] | None = None
    schaal: Annotated[float, Field(gt=0, le=1e9)] | None = None
    concentratie: dict[Name, Annotated[float, Field(gt=0, le=1e9)]] | None = None
    gedeeld: Name | None = None
    bron: str = ""


class ParameterFile(Strict):
    schema_version: Literal[1]
    gemeente: str = ""
    omschrijving: str = ""
    bron: str = ""
    routes: Annotated[list[Name], Field(min_length=1, max_length=64)]
    duurbanden_maanden: Annotated[
        list[Annotated[float, Field(ge=0, le=1200)]], Field(min_length=1, max_length=32)
    ]
    instroom: InstroomParameters
    klantgroepen: Annotated[dict[Name, KlantgroepParameters], Field(min_length=1, max_length=64)]
    # Optional, written by `simbijstand calibrate`; files without them stay valid.
    herkomst: Herkomst | None = None
    intervallen: dict[str, Interval] = {}
    onzekerheid: list[Onzekerheid] = []


# --- scenario file ---------------------------------------------------------------------------


# Simulated time runs on datetime64 and year arithmetic up to start + 50 years: keep it well
# inside the calendar (a start in 9999 would overflow past year 9999 while the run is written).
FIRST_START = dt.date(1900, 1, 1)
LAST_START = dt.date(2199, 12, 1)


def _plausible_start(start: dt.date) -> dt.date:
    if not FIRST_START <= start <= LAST_START:
        raise ValueError(f"must lie from {FIRST_START} to {LAST_START}")
    return start


class Simulatie(Strict):
    start: Annotated[dt.date, AfterValidator(_plausible_start)]
    horizon_maanden: Annotated[int, Field(ge=1, le=600)]
    replicaties: Annotated[int, Field(ge=1, le=1_000_000)] = 100
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    # Draw each replication's parameters from their stated estimation uncertainty
    # (the parameter files' [[onzekerheid]]), so bands show chance and estimation error.
    parameteronzekerheid: bool = False


class Beginstand(Strict):
    """Exactly one of: counts per klantgroep, a CSV of counts, or an event log to replay."""

    aantallen: dict[Name, Annotated[int, Field(ge=0, le=10_000_000)]] | None = None
    bestand: str | None = None
    eventlog: str | None = None


class Gemeente(Strict):
    parameters: str
    beginstand: Beginstand
    inwoners: Annotated[int, Field(ge=1, le=100_000_000)] | None = None
    budget: Budget | None = None
    baten: Baten | None = None
    loonkostensubsidie: Loonkostensubsidie | None = None
    realisatie: dict[YearKey, Realisatie] = {}


class Kosten(Strict):
    prijsjaar: Annotated[int, Field(ge=1990, le=2100)]
    per_maand: dict[Name, Euro]
    # the rise on 1 January of every year without a norm rise (shipped or in `indexatie`),
    # also of the years after the last known norm
    indexatie_per_jaar: Annotated[float, Field(ge=-0.5, le=1)] = 0.0
    # false: leave out the shipped bijstand norms (simbijstand.scenario.rules)
    ingebouwde_normen: bool = True
    # a year's rise on 1 January ("2023"), or dated rises on the first of a month ("2023-07")
    indexatie: dict[
        Annotated[str, Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")],
        Annotated[float, Field(ge=-0.5, le=1)],
    ] = {}


class Multiplicator(Strict):
    """Calendar-month multipliers from `van` up to (not including) `tot`."""

    van: dt.date
    tot: dt.date | None = None
    gemeenten: list[str] | None = None
    klantgroepen: list[Name] | None = None
    instroom: Multiplier | None = None
    uitstroom: Multiplier | dict[Name, Multiplier] | None = None
    doorstroom: Multiplier | None = None


class Historie(Strict):
    """Observed caseload before (and during) the horizon, for charts and comparison."""

    bestand: str  # CSV with columns datum, gemeente, aantal


class ScenarioFile(Strict):
    naam: Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)] | None = None
    beschrijving: str = ""
    simulatie: Simulatie
    gemeenten: Annotated[dict[GemeenteName, Gemeente], Field(min_length=1)]
    kosten: Kosten
    multiplicator: list[Multiplicator] = []
    historie: Historie | None = None
    macro: Macro | None = None
    statushouders: Statushouders | None = None
    traject: list[Traject] = []
    beleid: Beleid | None = None
    aow: Aow | None = None
    vangnet: Vangnet = Vangnet()


# Keys whose values are file paths, resolved against the file that wrote them.
SCENARIO_PATH_KEYS: tuple[tuple[str, ...], ...] = (
    ("gemeenten", "*", "parameters"),
    ("gemeenten", "*", "beginstand", "bestand"),
    ("gemeenten", "*", "beginstand", "eventlog"),
    ("historie", "bestand"),
)


def scenario_name(spec: ScenarioFile, path: Path) -> str:
    return spec.naam or path.stem
