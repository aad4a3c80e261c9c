"""Vangnet regimes as data: the rules of the BUIG safety net per year, read from TOML.

The regimes ship in `vangnet_regimes.toml` next to this module (its header explains every key;
keys are Dutch, as in scenario files). Each regime names the years it applies to, its entry
conditions (`voorwaarden`: single-year threshold and multi-year condition) and its compensation
bands (`vergoeding.schijven`); every condition and band carries its `bron` and `zekerheid`
("bevestigd", "gangbaar" or "onbekend").

Use:
    regimes = default_regimes()                       # the shipped file, validated once
    name, regime = select_regime(regimes, 2018)       # the regime that applies by default
    name, regime = select_regime(regimes, 2025, "verruimd-2025")   # one named explicitly

Overrides (for scenarios): `merge_regimes(base, overrides, origin=...)` returns a new set;
`overrides` has the shape of the file's `regimes` table, regime name -> (part of) a regime.
A scenario holds, for example,

    [vangnet.regimes.vanaf-2019.voorwaarden]
    drempel_pct = 10.0                    # change one key of a shipped regime

    [vangnet.regimes.eigen-2026]          # or add a regime: all keys, as in the shipped file
    ...

and `scenario_regimes(spec, origin)` merges it with `merge_regimes(default_regimes(), ...)`:
loading a scenario does so to check it (`simbijstand.scenario.checks_vangnet`), the finance of a
run to pass the result to `calculate_vangnet(..., regimes=...)`. Tables merge key by key; any
other value, arrays included, replaces the base's value (an override of `vergoeding.schijven`
gives the whole list of bands), as with a scenario's `extends`. The merged set is validated as a
whole; a problem raises ScenarioError naming `origin` and the key path.

The regimes are scenario input rather than finance: they live here so that loading a scenario
checks them without reaching up into `simbijstand.finance`, which computes with them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError

from simbijstand.domain.dated import Carry, DatedValue, Period
from simbijstand.errors import FinanceError, ScenarioError
from simbijstand.scenario.problems import describe_validation_error, format_key_path
from simbijstand.scenario.schema import NAME_PATTERN, ScenarioFile, Strict
from simbijstand.scenario.toml_io import read_toml

REGIMES_FILE = "vangnet_regimes.toml"
UNKNOWN = "onbekend"

Certainty = Literal["bevestigd", "gangbaar", "onbekend"]
Year = Annotated[int, Field(ge=1990, le=2100)]
Percent = Annotated[float, Field(ge=0, le=1000)]  # a deficit can exceed the whole budget
Text = Annotated[str, Field(min_length=1)]
RegimeName = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)]
KeyPath = tuple[str | int, ...]

# The calculator's results (and `simbijstand vangnet --json`) keep the English words they had
# before the file's keys became Dutch, so scripts that read them go on working.
CERTAINTY_EN = {"bevestigd": "confirmed", "gangbaar": "commonly-cited", "onbekend": "unknown"}
KIND_EN = {
    "geen": "none",
    "cumulatief_tekort": "cumulative_deficit",
    "tekortjaren": "deficit_years",
}


def _share(value: float | str) -> float | str:
    if value == UNKNOWN or (isinstance(value, float) and 0 <= value <= 1):
        return value
    raise ValueError('expected a share from 0 to 1 (0.75 pays 75%) or "onbekend"')


# One validator for both forms, so a bad share gets one message rather than one per form.
Share = Annotated[float | str, AfterValidator(_share)]


class NoMultiYear(Strict):
    soort: Literal["geen"]


class CumulativeDeficit(Strict):
    """The results of the year and `jaren_ervoor` years before it, summed, must exceed
    `drempel_pct` of the year's budget."""

    soort: Literal["cumulatief_tekort"]
    jaren_ervoor: Annotated[int, Field(ge=1, le=10)]
    drempel_pct: Percent


class DeficitYears(Strict):
    """At least `min_jaren` of the `jaren_ervoor` years before the year each had a deficit of at
    least `min_tekort_pct` of that year's own budget."""

    soort: Literal["tekortjaren"]
    jaren_ervoor: Annotated[int, Field(ge=1, le=10)]
    min_jaren: Annotated[int, Field(ge=1, le=10)]
    min_tekort_pct: Percent


MultiYear = Annotated[NoMultiYear | CumulativeDeficit | DeficitYears, Field(discriminator="soort")]


class Entry(Strict):
    """The entry conditions (voorwaarden) of a regime."""

    drempel_pct: Percent  # the single-year threshold
    meerjarig: MultiYear
    bron: Text
    zekerheid: Certainty


class Tier(Strict):
    """A band (schijf) of the deficit (as % of budget) and the share of it that is paid."""

    van_pct: Percent
    tot_pct: Percent | None = None  # None: open-ended, the last band
    aandeel: Share  # "onbekend" when not known: the calculator then reports no amount
    bron: Text
    zekerheid: Certainty


class Compensation(Strict):
    schijven: Annotated[list[Tier], Field(min_length=1, max_length=20)]


class Regime(Strict):
    omschrijving: Text
    eerste_jaar: Year
    laatste_jaar: Year | None = None  # None: until further notice
    # Without laatste_jaar: the last year the regime is known to be in force; later years apply
    # it too, carried forward, and the outputs say so. Default (and at least): eerste_jaar;
    # ignored when laatste_jaar is given.
    bekend_tot: Year | None = None
    standaard: bool
    voorwaarden: Entry
    vergoeding: Compensation

    @functools.cached_property
    def in_force(self) -> DatedValue[bool]:
        """The years the regime applies to: eerste_jaar to laatste_jaar; without laatste_jaar
        ("until further notice") it is known up to bekend_tot and carried forward after it."""
        last = self.known_until
        carry = Carry.HOLD if self.laatste_jaar is None else Carry.NONE
        years = Period.years(self.eerste_jaar, last)
        return DatedValue("vangnet regime", ((years, True),), before=Carry.NONE, carry=carry)

    @property
    def known_until(self) -> int:
        """The last year the regime is known to apply to."""
        if self.laatste_jaar is not None:
            return self.laatste_jaar
        return max(self.eerste_jaar, self.bekend_tot or self.eerste_jaar)

    def applies_to(self, year: int) -> bool:
        return self.in_force.get(dt.date(year, 1, 1)) is not None

    def years_text(self) -> str:
        if self.laatste_jaar is None:
            return f"{self.eerste_jaar} and later"
        if self.laatste_jaar == self.eerste_jaar:
            return str(self.eerste_jaar)
        return f"{self.eerste_jaar}-{self.laatste_jaar}"


class RegimeSet(Strict):
    schema_version: Literal[1]
    regimes: Annotated[dict[RegimeName, Regime], Field(min_length=1)]


# --- loading, merging ------------------------------------------------------------------------


@functools.cache
def default_regimes() -> RegimeSet:
    """The regimes shipped with simbijstand (read and validated once per process)."""
    with resources.as_file(resources.files(__package__) / REGIMES_FILE) as path:
        return load_regimes(path)


def load_regimes(path: Path) -> RegimeSet:
    """Read and validate a regimes file; raise ScenarioError listing every problem."""
    return _validate(read_toml(path), str(path))


def scenario_regimes(spec: ScenarioFile, origin: str | Path) -> RegimeSet:
    """The shipped regimes with the scenario's `[vangnet.regimes]` (set in `origin`) on top."""
    if not spec.vangnet.regimes:
        return default_regimes()
    return merge_regimes(default_regimes(), spec.vangnet.regimes, origin=origin)


def merge_regimes(
    base: RegimeSet, overrides: Mapping[str, Any], *, origin: str | Path = "vangnet overrides"
) -> RegimeSet:
    """`base` with `overrides` (shaped like the file's `[regimes]` table) applied on top.

    Args:
        base: usually `default_regimes()`.
        overrides: regime name -> (partial) regime table; an unknown name adds a regime, which
            must then be complete.
        origin: where the overrides come from (a scenario file), used in error messages.

    Raises ScenarioError naming `origin` and the key path of every problem.
    """
    data = base.model_dump(exclude_none=True)
    if not isinstance(overrides, Mapping):
        raise ScenarioError([f"{origin}: regimes = {overrides!r}: expected a table of regimes"])
    _merge_into(data["regimes"], overrides)
    return _validate(data, str(origin))


def select_regime(regimes: RegimeSet, year: int, name: str | None = None) -> tuple[str, Regime]:
    """The regime for `year`: the one named, or else the one that applies by default.

    Raises FinanceError when the named regime does not exist or does not cover `year`, or when
    no regime applies to `year` by default.
    """
    if name is not None:
        return name, _named_regime(regimes, year, name)
    for candidate, regime in regimes.regimes.items():
        if regime.standaard and regime.applies_to(year):
            return candidate, regime
    covered = ", ".join(r.years_text() for r in regimes.regimes.values() if r.standaard)
    raise FinanceError(f"year = {year}: no vangnet regime applies; the regimes cover {covered}")


def _named_regime(regimes: RegimeSet, year: int, name: str) -> Regime:
    regime = regimes.regimes.get(name)
    if regime is None:
        known = ", ".join(regimes.regimes)
        raise FinanceError(f"regime = {name!r}: no such vangnet regime; choose one of {known}")
    if not regime.applies_to(year):
        raise FinanceError(
            f"regime = {name!r}: applies to {regime.years_text()}, not to year {year}; "
            "leave out the regime to use the one for that year"
        )
    return regime


def _validate(data: Any, origin: str) -> RegimeSet:
    if not isinstance(data, dict):
        raise ScenarioError([f"{origin}: expected a table of regimes"])
    try:
        regimes = RegimeSet.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc, RegimeSet, lambda _: Path(origin))
        raise ScenarioError(problems) from None
    problems = check_regimes(regimes)
    if problems:
        raise ScenarioError([f"{origin}: {text}" for text in problems])
    return regimes


def _merge_into(target: dict[str, Any], layer: Mapping[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge_into(target[key], value)
        else:
            target[key] = _copy(value)


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# --- rules that relate several values --------------------------------------------------------


def check_regimes(regimes: RegimeSet) -> list[str]:
    """Every problem pydantic cannot see: year ranges, contiguous tiers, honest certainty."""
    problems: list[str] = []
    for name, regime in regimes.regimes.items():
        problems += _check_regime(("regimes", name), regime)
    problems += _check_overlap(regimes)
    return problems


def _check_regime(path: KeyPath, regime: Regime) -> list[str]:
    problems = []
    if regime.laatste_jaar is not None and regime.laatste_jaar < regime.eerste_jaar:
        problems.append(
            f"{format_key_path((*path, 'laatste_jaar'))} = {regime.laatste_jaar}: must be at least "
            f"eerste_jaar ({regime.eerste_jaar})"
        )
    multi = regime.voorwaarden.meerjarig
    if isinstance(multi, DeficitYears) and multi.min_jaren > multi.jaren_ervoor:
        problems.append(
            f"{format_key_path((*path, 'voorwaarden', 'meerjarig', 'min_jaren'))} = "
            f"{multi.min_jaren}: must be at most jaren_ervoor ({multi.jaren_ervoor})"
        )
    if regime.voorwaarden.zekerheid == UNKNOWN:
        problems.append(
            f"{format_key_path((*path, 'voorwaarden', 'zekerheid'))} = 'onbekend': entry "
            "conditions must be known to compute anything; use 'gangbaar' for values not checked "
            "at the source"
        )
    return problems + _check_tiers((*path, "vergoeding", "schijven"), regime.vergoeding.schijven)


def _check_tiers(path: KeyPath, tiers: list[Tier]) -> list[str]:
    problems = []
    expected_from = 0.0
    for i, tier in enumerate(tiers):
        last = i == len(tiers) - 1
        problems += _check_tier(format_key_path((*path, i)), tier, expected_from, last)
        expected_from = tier.tot_pct if tier.tot_pct is not None else expected_from
    return problems


def _check_tier(where: str, tier: Tier, expected_from: float, last: bool) -> list[str]:
    problems = []
    if tier.van_pct != expected_from:
        problems.append(
            f"{where}.van_pct = {tier.van_pct}: must be {expected_from} (bands start at 0 and "
            "each starts where the one before ends)"
        )
    if tier.tot_pct is None and not last:
        problems.append(f"{where}: only the last band may leave out tot_pct")
    if tier.tot_pct is not None and last:
        problems.append(
            f"{where}.tot_pct = {tier.tot_pct}: the last band is open; leave out tot_pct"
        )
    if tier.tot_pct is not None and tier.tot_pct <= tier.van_pct:
        problems.append(f"{where}.tot_pct = {tier.tot_pct}: must exceed van_pct ({tier.van_pct})")
    if (tier.aandeel == UNKNOWN) != (tier.zekerheid == UNKNOWN):
        problems.append(
            f"{where}: aandeel = {tier.aandeel!r} with zekerheid = {tier.zekerheid!r}; a share is "
            '"onbekend" exactly when its zekerheid is "onbekend"'
        )
    return problems


def _check_overlap(regimes: RegimeSet) -> list[str]:
    """Two default regimes for one year would make the choice depend on the file's order."""
    defaults = [(n, r) for n, r in regimes.regimes.items() if r.standaard]
    problems = []
    for i, (name, regime) in enumerate(defaults):
        for other, other_regime in defaults[i + 1 :]:
            if _overlaps(regime, other_regime):
                problems.append(
                    f"{format_key_path(('regimes', other))}: applies by default to "
                    f"{other_regime.years_text()}, as does {format_key_path(('regimes', name))} "
                    f"({regime.years_text()}); set standaard = false on one or change their years"
                )
    return problems


def _overlaps(a: Regime, b: Regime) -> bool:
    a_last = a.laatste_jaar if a.laatste_jaar is not None else 10_000
    b_last = b.laatste_jaar if b.laatste_jaar is not None else 10_000
    return a.eerste_jaar <= b_last and b.eerste_jaar <= a_last
