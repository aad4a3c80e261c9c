"""`simbijstand init`: a ready scenario for any gemeente from a few numbers.

Writes into a new folder a scenario (`<naam>.toml`), its parameter file (`parameters.toml`)
and its beginstand (`beginstand.csv`), every number from code:
- rates: the pooled calibration's prediction for a gemeente with these covariates
  (`estimation.pooled.newgemeente`), moved least so that the beginstand is their steady state
  (so a gemeente neither jumps nor collapses in its first year by construction), with the
  prediction's uncertainty and the year-level deviation as [[onzekerheid]] (its national part
  in the block shared with the calibrated gemeenten, `gedeeld = "landelijk"`);
- today's rules: the AOW ages (`scenario.rules`) as a factor on the AOW exits of each year,
  the shipped bijstand norms for the cost, the shipped vangnet regimes;
- the budget and its growth, receipts, the cost per benefit-month at the start year's norms.
Everything is checked as `simbijstand validate` does (and the first-year warning must stay
silent) in a temporary folder before it is moved into place: no half-written folder.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from simbijstand.errors import RunDirectoryError, SimbijstandError
from simbijstand.estimation.pooled.newgemeente import (
    NewGemeente,
    SteadyRates,
    at_steady_state,
    level_factor_variance,
    national_factor_variance,
    predict,
)
from simbijstand.estimation.pooled.record import PoolRecord, shipped_record
from simbijstand.runs.init_defaults import (
    AowFactors,
    Costs,
    aow_exit_factors,
    costs_at_start,
    inhabitants_15_to_aow,
    refuse,
    validate_request,
    validate_results,
)
from simbijstand.runs.init_text import InitFiles, init_files
from simbijstand.runs.run import prepare

SCENARIO_FILE = "scenario.toml"
PARAMETER_FILE = "parameters.toml"
BEGINSTAND_FILE = "beginstand.csv"
DEFAULT_GROUP = "bijstand"


@dataclass(frozen=True, slots=True)
class InitRequest:
    """What the planner gives; None means: use the documented default."""

    gemeente: str
    start: dt.date
    bestand: int
    inwoners: int | None = None
    budget: float | None = None
    budget_groei: float | None = None
    klantgroepen: dict[str, int] | None = None
    horizon_maanden: int | None = None
    replicaties: int = 200
    seed: int | None = None
    kosten_per_maand: float | None = None
    resultaten: dict[int, float] | None = None  # tekort (+) / overschot (-) of earlier years


@dataclass(frozen=True, slots=True)
class InitPlan:
    """Everything the files say, computed before any text is written."""

    request: InitRequest
    record: PoolRecord
    groups: dict[str, int]
    horizon_maanden: int
    inwoners: int
    inwoners_assumed: bool
    inwoners_15_aow: float
    rates: SteadyRates
    level_variance: float  # of the year's inflow factor, own and national parts together
    level_national: float  # the national part, shared with every gemeente of a run
    aow: AowFactors  # factors on the AOW exits per calendar year (start year = 1)
    costs: Costs


@dataclass(frozen=True, slots=True)
class InitResult:
    folder: Path
    scenario: Path
    files: tuple[Path, ...]
    plan: InitPlan


def plan_init(request: InitRequest, record: PoolRecord | None = None) -> InitPlan:
    """Check the request and compute every number the files will hold."""
    validate_request(request.gemeente, request.start, request.bestand, request.klantgroepen)
    validate_results(request.start, request.resultaten)
    record = shipped_record() if record is None else record
    groups = request.klantgroepen or {DEFAULT_GROUP: request.bestand}
    inwoners, assumed = _inwoners(request, record)
    inwoners_15 = inhabitants_15_to_aow(inwoners, record)
    persons = request.bestand * record.persons_per_benefit
    if persons >= inwoners_15:
        raise refuse(
            f"--inwoners {inwoners}: {request.bestand} uitkeringen ({persons:.0f} personen) "
            f"passen niet bij {inwoners_15:.0f} inwoners van 15 tot de AOW-leeftijd; geef "
            "het aantal inwoners van de gemeente (alle leeftijden)"
        )
    horizon = request.horizon_maanden or _default_horizon(request.start)
    factors = aow_exit_factors(request.start, horizon, record)
    prediction = predict(record, NewGemeente(inwoners_15, persons))
    uncounted = record.uncounted / factors.fit_year * factors.start_year
    rates = at_steady_state(
        prediction, request.bestand, inwoners_15 / record.persons_per_benefit, uncounted
    )
    return InitPlan(
        request=request,
        record=record,
        groups=groups,
        horizon_maanden=horizon,
        inwoners=inwoners,
        inwoners_assumed=assumed,
        inwoners_15_aow=inwoners_15,
        rates=rates,
        level_variance=level_factor_variance(record, rates.hazard, persons),
        level_national=national_factor_variance(record, rates.hazard, persons),
        aow=factors,
        costs=costs_at_start(request.start, request.kosten_per_maand),
    )


def _inwoners(request: InitRequest, record: PoolRecord) -> tuple[int, bool]:
    """The given inhabitants, or those that give the national bijstand density."""
    if request.inwoners is not None:
        return request.inwoners, False
    persons = request.bestand * record.persons_per_benefit
    inwoners_15 = persons * record.inwoners / record.persons
    share = inhabitants_15_to_aow(1_000_000, record) / 1_000_000
    return round(inwoners_15 / share), True


def _default_horizon(start: dt.date) -> int:
    """Up to the end of the year after the start year (2027-01 -> 24 months, 2027-07 -> 18)."""
    return 25 - start.month


def init_scenario(folder: Path, request: InitRequest) -> InitResult:
    """Write the scenario into `folder` (new or empty), checked before it is moved there."""
    _check_folder(folder)
    plan = plan_init(request)
    files = init_files(plan, SCENARIO_FILE, PARAMETER_FILE, BEGINSTAND_FILE)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        _write(staging, files)
        _check(staging / SCENARIO_FILE)
        if folder.exists():
            folder.rmdir()  # empty: checked above
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    names = (SCENARIO_FILE, PARAMETER_FILE, BEGINSTAND_FILE)
    return InitResult(folder, folder / SCENARIO_FILE, tuple(folder / n for n in names), plan)


def _check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise RunDirectoryError(f"{folder}: bestaat al en is geen map; kies een nieuwe map")
    if folder.is_dir() and any(folder.iterdir()):
        raise RunDirectoryError(
            f"{folder}: de map bestaat al en is niet leeg; kies een nieuwe of lege map "
            "(init overschrijft niets)"
        )


def _write(staging: Path, files: InitFiles) -> None:
    (staging / SCENARIO_FILE).write_text(files.scenario, encoding="utf-8")
    (staging / PARAMETER_FILE).write_text(files.parameters, encoding="utf-8")
    (staging / BEGINSTAND_FILE).write_text(files.beginstand, encoding="utf-8")


def _check(scenario: Path) -> None:
    """Validate as `simbijstand validate` does; a first-year move would be a bug here."""
    try:
        prepared = prepare(scenario)
    except SimbijstandError as exc:  # every value came from code: a bug, say so plainly
        raise SimbijstandError(f"init wrote a scenario that does not validate (bug): {exc}") from (
            exc
        )
    if prepared.first_year:
        move = prepared.first_year[0]
        raise SimbijstandError(
            f"init wrote rates that move klantgroep {move.klantgroep} from {move.start:.0f} to "
            f"{move.after_year:.0f} in the first year (bug: they should be at steady state)"
        )
