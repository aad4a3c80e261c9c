"""The vangnet for one year: deficit, entry conditions, and the compensation tier by tier.

`calculate_vangnet` is a pure function of the year, the definitive BUIG budget, the expenditure,
the results of the years before (as far as the regime's multi-year condition looks back) and the
regimes (see `simbijstand.scenario.regimes`; the shipped ones by default).

Rounding, in whole euros:
1. budget, expenditure and previous results are rounded to whole euros (half away from zero);
   deficit = expenditure - budget;
2. the entry conditions compare exact amounts with exact percentages of the budget
   (5% of 1,000,001 is 50,000.05, and a deficit of 50,000 does not exceed it);
3. band limits in euros are percentage x budget rounded half-up to whole euros, so the parts of
   the deficit inside the bands are whole euros that add up to the deficit;
4. each tier's amount is share x part of the deficit in its band, rounded half-up to whole euros;
   vangnet is the sum of the rounded tier amounts (so the build-up always adds up to it) and
   remaining_deficit = deficit - vangnet.
A tier's rounding moves the total by at most half a euro per tier, up or down.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from simbijstand.errors import FinanceError
from simbijstand.scenario.regimes import (
    CERTAINTY_EN,
    KIND_EN,
    UNKNOWN,
    CumulativeDeficit,
    DeficitYears,
    NoMultiYear,
    Regime,
    RegimeSet,
    Tier,
    default_regimes,
    select_regime,
)

Amount = int | float | Decimal


@dataclass(frozen=True, slots=True)
class TierAmount:
    """One band of the build-up. Euro limits are rounded; `to_eur` None means open-ended."""

    from_pct: float
    to_pct: float | None
    from_eur: int
    to_eur: int | None
    share: float | None  # None: not known (the regime's shares are unknown)
    deficit_in_band: int
    amount: int | None  # None: not known
    certainty: str


@dataclass(frozen=True, slots=True)
class MultiYearCheck:
    """The multi-year condition and the numbers behind it.

    kind "none": always met. kind "cumulative_deficit": `total` is the sum of the results of
    `reference_years` (the year included), compared with `threshold_pct` of the year's budget.
    kind "deficit_years": `deficit_years` are those of `reference_years` (the years before) with a
    deficit of at least `threshold_pct` of their own budget; at least `min_years` are needed.
    `met` is None when a result it needs is not known (and the known ones do not decide it);
    `total` is None then too.
    """

    kind: str
    reference_years: tuple[int, ...]
    threshold_pct: float | None
    total: int | None
    total_pct: float | None
    deficit_years: tuple[int, ...]
    min_years: int | None
    met: bool | None


@dataclass(frozen=True, slots=True)
class VangnetResult:
    """The vangnet of one year. Amounts in whole euros, percentages of the year's budget.

    deficit is negative for a surplus. vangnet is 0 when the entry conditions do not hold, and
    None when it is not known: the conditions hold but the regime's compensation shares are not
    known (`compensation_known` False), or the multi-year condition cannot be decided for want
    of an earlier year's result (`meets_multi_year` and `eligible` None).
    remaining_deficit = deficit - vangnet, None when vangnet is.
    `tiers` is the build-up of the vangnet (empty when it is 0 for want of eligibility, or
    when eligibility is unknown).
    """

    year: int
    regime: str
    budget: int
    expenditure: int
    deficit: int
    deficit_pct: float
    single_year_threshold_pct: float
    meets_single_year: bool
    multi_year: MultiYearCheck
    meets_multi_year: bool | None
    eligible: bool | None
    compensation_known: bool
    vangnet: int | None
    remaining_deficit: int | None
    tiers: tuple[TierAmount, ...]


def calculate_vangnet(
    year: int,
    budget: Amount,
    expenditure: Amount,
    previous_results: Sequence[Amount | None] = (),
    *,
    regime: str | None = None,
    previous_budgets: Sequence[Amount | None] | None = None,
    regimes: RegimeSet | None = None,
) -> VangnetResult:
    """The vangnet for `year` under the regime that applies (or the one named).

    Args:
        year: the year applied for.
        budget: the definitive BUIG budget of `year`, more than 0.
        expenditure: BUIG expenditure of `year` (net of receipts), 0 or more.
        previous_results: deficits (positive) or surpluses (negative) of the years before,
            oldest first, exactly as many as the multi-year condition looks back
            (`required_previous_years` says which): none for 2015 and 2016, 2016 for 2017,
            2016 and 2017 for 2018, the two years before from 2019 on, the three years before
            for the extended net of 2025. None for a year whose result is not known: the
            multi-year condition is then undecided unless the known years decide it.
        regime: the name of a regime to use instead of the default for `year`
            (e.g. "verruimd-2025", the extended net, which is never the default).
        previous_budgets: the definitive budgets of those same years (None: not known); needed
            only when the condition compares each year's deficit with its own budget (the
            extended net).
        regimes: the regimes to choose from; the shipped ones by default.

    Raises FinanceError naming the bad value and what is allowed.
    """
    name, rule = select_regime(regimes or default_regimes(), year, regime)
    budget_eur = _budget(budget)
    expenditure_eur = _expenditure(expenditure)
    previous = _previous(name, rule, year, previous_results, previous_budgets)
    deficit = expenditure_eur - budget_eur
    threshold = rule.voorwaarden.drempel_pct
    meets_single = deficit * 100 > _exact(threshold) * budget_eur
    multi = _check_multi_year(name, rule, year, budget_eur, deficit, *previous)
    eligible = meets_single and multi.met  # None when single-year holds and multi-year is unknown
    tiers = _build_up(rule.vergoeding.schijven, budget_eur, deficit) if eligible else ()
    vangnet = None if eligible is None else _total(tiers)
    return VangnetResult(
        year=year,
        regime=name,
        budget=budget_eur,
        expenditure=expenditure_eur,
        deficit=deficit,
        deficit_pct=_pct_of(deficit, budget_eur),
        single_year_threshold_pct=threshold,
        meets_single_year=meets_single,
        multi_year=multi,
        meets_multi_year=multi.met,
        eligible=eligible,
        compensation_known=all(t.aandeel != UNKNOWN for t in rule.vergoeding.schijven),
        vangnet=vangnet,
        remaining_deficit=None if vangnet is None else deficit - vangnet,
        tiers=tiers,
    )


def required_previous_years(
    year: int, regime: str | None = None, regimes: RegimeSet | None = None
) -> tuple[int, ...]:
    """The years whose results `calculate_vangnet` needs for `year`, oldest first."""
    _, rule = select_regime(regimes or default_regimes(), year, regime)
    return _previous_years(rule, year)


def _previous_years(rule: Regime, year: int) -> tuple[int, ...]:
    multi = rule.voorwaarden.meerjarig
    if isinstance(multi, NoMultiYear):
        return ()
    return tuple(range(year - multi.jaren_ervoor, year))


# --- input ------------------------------------------------------------------------------------


def _exact(value: Amount) -> Fraction:
    """The exact value; floats via their shortest repr, so 7.5 and 0.75 stay what they say."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def _whole_euros(value: Amount, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FinanceError(f"{what} = {value!r}: expected a number of euros")
    if isinstance(value, float | Decimal) and not Decimal(value).is_finite():
        raise FinanceError(f"{what} = {value}: expected a finite number of euros")
    if isinstance(value, int):
        return value
    # a float as its shortest repr (as `_exact`), rounded half away from zero (as
    # `_round_half_up`) by Decimal, which does it ten times faster than Fraction: a run with
    # 1,000 replications rounds tens of thousands of amounts
    exact = Decimal(repr(value)) if isinstance(value, float) else value
    return int(exact.to_integral_value(rounding=ROUND_HALF_UP))


def _round_half_up(value: Fraction) -> int:
    """Round half away from zero (0.5 -> 1, -0.5 -> -1), as bookkeeping does."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


def _budget(value: Amount) -> int:
    budget = _whole_euros(value, "budget")
    if budget <= 0:
        raise FinanceError(
            f"budget = {value}: must be more than 0 euros (the definitive BUIG budget of the year)"
        )
    return budget


def _expenditure(value: Amount) -> int:
    expenditure = _whole_euros(value, "expenditure")
    if expenditure < 0:
        raise FinanceError(f"expenditure = {value}: must be 0 or more euros (net BUIG expenditure)")
    return expenditure


def _previous(
    name: str,
    rule: Regime,
    year: int,
    results: Sequence[Amount | None],
    budgets: Sequence[Amount | None] | None,
) -> tuple[list[int | None], list[int | None] | None]:
    years = _previous_years(rule, year)
    values = [None if r is None else _whole_euros(r, "previous results") for r in results]
    if len(values) != len(years):
        raise FinanceError(_wrong_length(name, year, years, values))
    if budgets is None:
        return values, None
    if len(budgets) != len(years):
        raise FinanceError(
            f"previous budgets = {list(budgets)}: give one budget per previous result "
            f"({len(years)}: {_years(years) or 'none'}), oldest first"
        )
    checked = [_budget_of(b, y) for b, y in zip(budgets, years, strict=True)]
    return values, checked


def _budget_of(value: Amount | None, year: int) -> int | None:
    if value is None:
        return None
    budget = _whole_euros(value, f"previous budget of {year}")
    if budget <= 0:
        raise FinanceError(f"previous budget of {year} = {value}: must be more than 0 euros")
    return budget


def _wrong_length(name: str, year: int, years: tuple[int, ...], values: list[int | None]) -> str:
    given = f"previous results = {values} ({len(values)} value{'s' if len(values) != 1 else ''})"
    if not years:
        return f"{given}: regime {name} has no multi-year condition; give no previous results"
    return (
        f"{given}: regime {name} needs exactly {len(years)} for {year}: the results of "
        f"{_years(years)}, oldest first (deficits positive, surpluses negative)"
    )


def _years(years: Sequence[int]) -> str:
    """2016 / 2016 and 2017 / 2016, 2017 and 2018."""
    text = [str(y) for y in years]
    return " and ".join([", ".join(text[:-1]), text[-1]]) if len(text) > 1 else "".join(text)


# --- conditions -------------------------------------------------------------------------------


def _check_multi_year(
    name: str,
    rule: Regime,
    year: int,
    budget: int,
    deficit: int,
    previous: list[int | None],
    previous_budgets: list[int | None] | None,
) -> MultiYearCheck:
    multi = rule.voorwaarden.meerjarig
    if isinstance(multi, CumulativeDeficit):
        return _cumulative(multi, year, budget, deficit, previous)
    if isinstance(multi, DeficitYears):
        return _deficit_years(multi, name, year, previous, previous_budgets)
    return MultiYearCheck("none", (), None, None, None, (), None, met=True)


def _cumulative(
    multi: CumulativeDeficit, year: int, budget: int, deficit: int, previous: list[int | None]
) -> MultiYearCheck:
    known = [r for r in previous if r is not None]
    total = sum(known) + deficit if len(known) == len(previous) else None
    return MultiYearCheck(
        kind=KIND_EN[multi.soort],
        reference_years=tuple(range(year - multi.jaren_ervoor, year + 1)),
        threshold_pct=multi.drempel_pct,
        total=total,
        total_pct=None if total is None else _pct_of(total, budget),
        deficit_years=(),
        min_years=None,
        met=None if total is None else total * 100 > _exact(multi.drempel_pct) * budget,
    )


def _deficit_years(
    multi: DeficitYears,
    name: str,
    year: int,
    previous: list[int | None],
    budgets: list[int | None] | None,
) -> MultiYearCheck:
    years = tuple(range(year - multi.jaren_ervoor, year))
    if budgets is None:
        raise FinanceError(
            f"previous budgets: none given; regime {name} compares each year's deficit "
            f"with {multi.min_tekort_pct}% of that year's own budget, so give the definitive "
            f"budgets of {_years(years)}, oldest first"
        )
    threshold = _exact(multi.min_tekort_pct)
    rows = list(zip(years, previous, budgets, strict=True))
    hits = tuple(
        y for y, r, b in rows if r is not None and b is not None and r * 100 >= threshold * b
    )
    unknown = sum(1 for _, r, b in rows if r is None or b is None)
    met: bool | None = None  # undecided: the unknown years could tip it either way
    if len(hits) >= multi.min_jaren:
        met = True
    elif len(hits) + unknown < multi.min_jaren:
        met = False  # even if every unknown year had a deficit, too few would
    return MultiYearCheck(
        kind=KIND_EN[multi.soort],
        reference_years=years,
        threshold_pct=multi.min_tekort_pct,
        total=None,
        total_pct=None,
        deficit_years=hits,
        min_years=multi.min_jaren,
        met=met,
    )


# --- compensation -----------------------------------------------------------------------------


def _build_up(tiers: list[Tier], budget: int, deficit: int) -> tuple[TierAmount, ...]:
    """The bands the deficit reaches into, each with the part of the deficit inside it."""
    parts = []
    for tier in tiers:
        from_eur = _euros_at(tier.van_pct, budget)
        if deficit <= from_eur:
            break
        to_eur = None if tier.tot_pct is None else _euros_at(tier.tot_pct, budget)
        inside = (deficit if to_eur is None else min(deficit, to_eur)) - from_eur
        parts.append(_tier_amount(tier, from_eur, to_eur, inside))
    return tuple(parts)


def _tier_amount(tier: Tier, from_eur: int, to_eur: int | None, inside: int) -> TierAmount:
    share = tier.aandeel if isinstance(tier.aandeel, float) else None  # else "onbekend"
    return TierAmount(
        from_pct=tier.van_pct,
        to_pct=tier.tot_pct,
        from_eur=from_eur,
        to_eur=to_eur,
        share=share,
        deficit_in_band=inside,
        amount=None if share is None else _round_half_up(_exact(share) * inside),
        certainty=CERTAINTY_EN[tier.zekerheid],
    )


def _total(tiers: tuple[TierAmount, ...]) -> int | None:
    amounts = [t.amount for t in tiers]
    if any(a is None for a in amounts):
        return None  # an unknown share makes the total unknown; never guess it
    return sum(a for a in amounts if a is not None)


def _euros_at(pct: float, budget: int) -> int:
    return _round_half_up(_exact(pct) * budget / 100)


def _pct_of(amount: int, budget: int) -> float:
    return float(Fraction(amount * 100, budget))
