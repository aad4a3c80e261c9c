"""The vangnet regimes as data and the one-year calculator.

Worked examples are computed by hand in the comments; the properties hold for every regime whose
compensation shares are known.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simbijstand.errors import FinanceError, ScenarioError
from simbijstand.finance.vangnet import VangnetResult, calculate_vangnet, required_previous_years
from simbijstand.scenario.regimes import (
    UNKNOWN,
    RegimeSet,
    default_regimes,
    load_regimes,
    merge_regimes,
    select_regime,
)

FAST = settings(max_examples=150, deadline=None)
CERTAINTIES = {"bevestigd", "gangbaar", "onbekend"}


def amounts(result: VangnetResult) -> list[int | None]:
    return [t.amount for t in result.tiers]


# --- worked examples ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "previous"), [(2015, []), (2016, []), (2017, [0]), (2018, [0, 0])]
)
def test_vangnet_md_example_in_the_2015_2018_regime(year: int, previous: list[int]) -> None:
    # VANGNET.md: deficit 110,000 = 11%; 50% of 5-10% (25,000) + 75% of 10-11% (7,500).
    result = calculate_vangnet(year, 1_000_000, 1_110_000, previous)
    assert (result.deficit, result.deficit_pct) == (110_000, 11.0)
    assert result.meets_single_year and result.meets_multi_year and result.eligible
    assert (result.vangnet, result.remaining_deficit) == (32_500, 77_500)
    assert amounts(result) == [0, 25_000, 7_500]
    assert [(t.from_eur, t.to_eur, t.deficit_in_band) for t in result.tiers] == [
        (0, 50_000, 50_000),
        (50_000, 100_000, 50_000),
        (100_000, 125_000, 10_000),
    ]


def test_2019_on_regime_reaches_the_100_percent_band() -> None:
    # Budget 2,000,000, expenditure 2,300,000: deficit 300,000 = 15% > 7.5%.
    # Cumulative 2019-2021: 50,000 + 100,000 + 300,000 = 450,000 = 22.5% > 7.5%.
    # 0-7.5% (150,000) own risk; 7.5-12.5% (100,000) x 50% = 50,000; above 12.5% (50,000) x 100%.
    result = calculate_vangnet(2021, 2_000_000, 2_300_000, [50_000, 100_000])
    assert result.regime == "vanaf-2019"
    assert result.multi_year.reference_years == (2019, 2020, 2021)
    assert result.multi_year.total == 450_000
    assert amounts(result) == [0, 50_000, 50_000]
    assert (result.vangnet, result.remaining_deficit) == (100_000, 200_000)


def test_a_surplus_inside_the_reference_period_fails_the_multi_year_condition() -> None:
    # 2018: deficit 80,000 = 8% > 5%, but 2016 had a surplus of 20,000 and 2017 one of 15,000:
    # cumulative 45,000 = 4.5%, not above 5%. No vangnet; the municipality carries all 80,000.
    result = calculate_vangnet(2018, 1_000_000, 1_080_000, [-20_000, -15_000])
    assert result.meets_single_year
    assert result.multi_year.total == 45_000 and not result.meets_multi_year
    assert not result.eligible
    assert (result.vangnet, result.remaining_deficit, result.tiers) == (0, 80_000, ())


def test_the_same_year_without_the_second_surplus_is_eligible() -> None:
    # Cumulative -20,000 + 0 + 80,000 = 60,000 = 6% > 5%: 50% of 5-8% (30,000) = 15,000.
    result = calculate_vangnet(2018, 1_000_000, 1_080_000, [-20_000, 0])
    assert result.eligible
    assert (result.vangnet, result.remaining_deficit) == (15_000, 65_000)


def test_surplus_in_2019_on_regime_blocks_a_large_deficit() -> None:
    # 2020: deficit 100,000 = 10% > 7.5%; 2018 surplus 30,000: cumulative 70,000 = 7% <= 7.5%.
    result = calculate_vangnet(2020, 1_000_000, 1_100_000, [-30_000, 0])
    assert result.meets_single_year and not result.meets_multi_year
    assert result.vangnet == 0


def test_2016_has_no_multi_year_condition() -> None:
    # Deficit 60,000 = 6%: 50% of 5-6% (10,000) = 5,000; nothing about earlier years is asked.
    result = calculate_vangnet(2016, 1_000_000, 1_060_000)
    assert result.multi_year.kind == "none" and result.meets_multi_year
    assert (result.vangnet, result.remaining_deficit) == (5_000, 55_000)
    with pytest.raises(FinanceError, match="no multi-year condition"):
        calculate_vangnet(2016, 1_000_000, 1_060_000, [10_000])


def test_threshold_must_be_exceeded_and_one_euro_over_rounds_half_up() -> None:
    at = calculate_vangnet(2016, 1_000_000, 1_050_000)
    assert not at.meets_single_year and at.vangnet == 0
    over = calculate_vangnet(2016, 1_000_000, 1_050_001)
    assert over.eligible and over.vangnet == 1  # 50% of 1 euro = 0.50, rounded half-up


def test_exact_threshold_with_a_budget_that_is_not_a_round_number() -> None:
    # 5% of 1,000,001 is 50,000.05: a deficit of 50,000 does not exceed it, 50,001 does.
    assert not calculate_vangnet(2016, 1_000_001, 1_050_001).meets_single_year
    assert calculate_vangnet(2016, 1_000_001, 1_050_002).meets_single_year


def test_tier_amounts_add_up_to_the_vangnet_after_rounding() -> None:
    # Budget 1,234,567: bands at 61,728 / 123,457 / 154,321 euros (rounded half-up).
    result = calculate_vangnet(2016, 1_234_567, 1_234_567 + 150_001)
    assert [t.from_eur for t in result.tiers] == [0, 61_728, 123_457]
    assert sum(t.deficit_in_band for t in result.tiers) == result.deficit
    assert sum(amounts(result)) == result.vangnet  # type: ignore[arg-type]
    assert amounts(result) == [0, 30_865, 19_908]  # 61,729 x 0.5 = 30,864.5; 26,544 x 0.75


def test_a_surplus_year_has_a_negative_deficit_and_no_vangnet() -> None:
    result = calculate_vangnet(2019, 1_000_000, 950_000, [0, 0])
    assert (result.deficit, result.deficit_pct) == (-50_000, -5.0)
    assert (result.vangnet, result.remaining_deficit, result.tiers) == (0, -50_000, ())


def test_amounts_are_rounded_to_whole_euros_first() -> None:
    result = calculate_vangnet(2016, Decimal("1000000.40"), 1_060_000.5)
    assert (result.budget, result.expenditure, result.deficit) == (1_000_000, 1_060_001, 60_001)


# --- results of earlier years that are not known ---------------------------------------------


def test_an_unknown_earlier_result_leaves_the_multi_year_condition_undecided() -> None:
    # 2021: deficit 100,000 = 10% > 7.5%, but the 2019 result is not known: the cumulative
    # deficit cannot be summed, so eligibility and the amount are unknown, never guessed.
    result = calculate_vangnet(2021, 1_000_000, 1_100_000, [None, 50_000])
    assert result.meets_single_year
    assert result.multi_year.total is None and result.meets_multi_year is None
    assert result.eligible is None and result.vangnet is None and result.remaining_deficit is None


def test_an_unknown_earlier_result_does_not_matter_below_the_threshold() -> None:
    result = calculate_vangnet(2021, 1_000_000, 1_050_000, [None, None])
    assert result.meets_multi_year is None
    assert result.eligible is False and (result.vangnet, result.remaining_deficit) == (0, 50_000)


@pytest.mark.parametrize(
    ("previous", "budgets", "met"),
    [
        ([60_000, None, 50_000], [1_000_000, None, 1_000_000], True),  # 2 of 3 known: enough
        ([0, None, 0], [1_000_000, None, 1_000_000], False),  # at most 1 of 3: too few
        ([60_000, None, 0], [1_000_000, 1_000_000, 1_000_000], None),  # 2024 could tip it
    ],
)
def test_known_years_can_decide_the_extended_net_despite_an_unknown_one(
    previous: list[int | None], budgets: list[int | None], met: bool | None
) -> None:
    result = calculate_vangnet(
        2025, 1_000_000, 1_080_000, previous, regime="verruimd-2025", previous_budgets=budgets
    )
    assert result.meets_multi_year is met and result.eligible is met


# --- 2025: regular and extended net ---------------------------------------------------------


def test_2025_uses_the_regular_rules_by_default() -> None:
    result = calculate_vangnet(2025, 1_000_000, 1_100_000, [50_000, 50_000])
    assert result.regime == "vanaf-2019" and result.vangnet == 12_500  # 50% of 7.5-10%


def test_extended_net_2025_tells_eligibility_but_not_an_amount() -> None:
    # 2022 and 2024 had deficits of at least 5% of their own budget: 2 of 3 years, enough.
    result = calculate_vangnet(
        2025,
        1_000_000,
        1_080_000,
        [60_000, 0, 50_000],
        regime="verruimd-2025",
        previous_budgets=[950_000, 980_000, 1_000_000],
    )
    assert result.multi_year.deficit_years == (2022, 2024) and result.eligible
    assert not result.compensation_known
    assert result.vangnet is None and result.remaining_deficit is None
    assert result.tiers[0].share is None and result.tiers[0].amount is None


def test_extended_net_that_does_not_apply_pays_nothing_for_sure() -> None:
    # 45,000 of 950,000 is 4.7%: only 2024 counts, 1 of the 2 years needed.
    result = calculate_vangnet(
        2025,
        1_000_000,
        1_080_000,
        [45_000, 0, 50_000],
        regime="verruimd-2025",
        previous_budgets=[950_000, 980_000, 1_000_000],
    )
    assert not result.eligible and result.vangnet == 0 and result.remaining_deficit == 80_000


def test_extended_net_needs_the_previous_budgets() -> None:
    with pytest.raises(FinanceError, match="definitive budgets of 2022, 2023 and 2024"):
        calculate_vangnet(2025, 1_000_000, 1_080_000, [1, 2, 3], regime="verruimd-2025")


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"year": 2018, "budget": 0, "previous_results": [0, 0]}, ["budget = 0", "more than 0"]),
        ({"year": 2018, "budget": -5, "previous_results": [0, 0]}, ["budget = -5"]),
        ({"year": 2014, "budget": 1}, ["year = 2014", "no vangnet regime", "2015"]),
        ({"year": 2018, "budget": 1, "previous_results": [1]}, ["exactly 2", "2016 and 2017"]),
        ({"year": 2021, "budget": 1, "previous_results": [1, 2, 3]}, ["exactly 2", "2019 and"]),
        ({"year": 2018, "budget": float("nan")}, ["budget = nan", "finite"]),
        ({"year": 2018, "budget": 1, "regime": "2019"}, ["regime = '2019'", "vanaf-2019"]),
        ({"year": 2019, "budget": 1, "regime": "2018"}, ["applies to 2018", "not to year 2019"]),
        ({"year": 2017, "budget": 1, "previous_results": ["x"]}, ["previous results = 'x'"]),
    ],
)
def test_bad_input_names_the_value_and_what_is_allowed(kwargs: dict, words: list[str]) -> None:
    kwargs = {"expenditure": 1_000_000, **kwargs}
    with pytest.raises(FinanceError) as caught:
        calculate_vangnet(**kwargs)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("year", "regime", "years"),
    [
        (2015, None, ()),
        (2016, None, ()),
        (2017, None, (2016,)),
        (2018, None, (2016, 2017)),
        (2019, None, (2017, 2018)),
        (2025, None, (2023, 2024)),
        (2025, "verruimd-2025", (2022, 2023, 2024)),
    ],
)
def test_required_previous_years(year: int, regime: str | None, years: tuple[int, ...]) -> None:
    assert required_previous_years(year, regime) == years


# --- the regimes as data --------------------------------------------------------------------


def test_every_regime_entry_and_tier_has_a_source_and_a_certainty() -> None:
    for name, regime in default_regimes().regimes.items():
        assert regime.voorwaarden.bron.strip(), name
        assert regime.voorwaarden.zekerheid in CERTAINTIES - {UNKNOWN}, name
        for tier in regime.vergoeding.schijven:
            assert tier.bron.strip(), name
            assert tier.zekerheid in CERTAINTIES, name


def test_the_regimes_say_what_vangnet_md_says() -> None:
    regimes = default_regimes().regimes
    tiers_2018 = regimes["2018"].vergoeding.schijven
    assert [(t.van_pct, t.tot_pct, t.aandeel) for t in tiers_2018] == [
        (0, 5, 0),
        (5, 10, 0.5),
        (10, 12.5, 0.75),
        (12.5, None, 1),
    ]
    # VANGNET.md's update: 2017-2018 and 2019-on confirmed at the source, 2015-2016 not
    for name in ("2017", "2018", "vanaf-2019"):
        assert regimes[name].voorwaarden.zekerheid == "bevestigd", name
        assert {t.zekerheid for t in regimes[name].vergoeding.schijven} == {"bevestigd"}, name
    for name in ("2015", "2016"):
        assert regimes[name].voorwaarden.zekerheid == "gangbaar", name
    assert regimes["vanaf-2019"].known_until == 2025
    assert regimes["vanaf-2019"].in_force.is_carried(dt.date(2026, 1, 1))
    assert not regimes["vanaf-2019"].in_force.is_carried(dt.date(2025, 1, 1))
    assert [(t.van_pct, t.aandeel) for t in regimes["vanaf-2019"].vergoeding.schijven] == [
        (0, 0),
        (7.5, 0.5),
        (12.5, 1),
    ]
    extended = regimes["verruimd-2025"]
    assert not extended.standaard and extended.voorwaarden.drempel_pct == 5
    assert all(
        t.aandeel == UNKNOWN and t.zekerheid == UNKNOWN for t in extended.vergoeding.schijven
    )


@pytest.mark.parametrize(
    ("year", "name"),
    [
        (2015, "2015"),
        (2016, "2016"),
        (2017, "2017"),
        (2018, "2018"),
        (2019, "vanaf-2019"),
        (2025, "vanaf-2019"),
        (2040, "vanaf-2019"),
    ],
)
def test_each_year_from_2015_has_one_default_regime(year: int, name: str) -> None:
    assert select_regime(default_regimes(), year)[0] == name


def test_a_regime_until_further_notice_is_carried_forward_and_a_closed_one_ends() -> None:
    regimes = default_regimes().regimes
    open_ended, closed = regimes["vanaf-2019"].in_force, regimes["2018"].in_force
    # known in force to 2025 (bekend_tot), carried after it
    assert open_ended.at(dt.date(2040, 1, 1)) and open_ended.is_carried(dt.date(2026, 1, 1))
    assert not open_ended.is_carried(dt.date(2025, 12, 31))
    assert open_ended.get(dt.date(2018, 12, 31)) is None
    assert closed.get(dt.date(2019, 1, 1)) is None and not closed.is_carried(dt.date(2019, 1, 1))
    assert [y for y in range(2010, 2030) if regimes["verruimd-2025"].applies_to(y)] == [2025]


def test_an_override_changes_one_key_and_leaves_the_defaults_alone() -> None:
    base = default_regimes()
    stricter = merge_regimes(base, {"vanaf-2019": {"voorwaarden": {"drempel_pct": 12}}})
    args = (2021, 1_000_000, 1_100_000, [100_000, 100_000])
    assert calculate_vangnet(*args, regimes=stricter).vangnet == 0
    assert calculate_vangnet(*args).vangnet == 12_500
    assert base.regimes["vanaf-2019"].voorwaarden.drempel_pct == 7.5


def test_an_override_can_supply_the_unknown_shares_of_the_extended_net() -> None:
    cited = {"bron": "own estimate", "zekerheid": "gangbaar"}
    tiers = [
        {"van_pct": 0, "tot_pct": 5, "aandeel": 0, **cited},
        {"van_pct": 5, "aandeel": 0.5, **cited},
    ]
    override = {"verruimd-2025": {"vergoeding": {"schijven": tiers}}}
    regimes = merge_regimes(default_regimes(), override)
    result = calculate_vangnet(
        2025,
        1_000_000,
        1_080_000,
        [60_000, 60_000, 0],
        regime="verruimd-2025",
        previous_budgets=[1_000_000] * 3,
        regimes=regimes,
    )
    assert result.compensation_known and result.vangnet == 15_000


def test_an_override_can_add_a_regime() -> None:
    new = default_regimes().regimes["vanaf-2019"].model_dump(exclude_none=True)
    new |= {"eerste_jaar": 2030, "standaard": False, "omschrijving": "a test regime"}
    regimes = merge_regimes(default_regimes(), {"test-2030": new})
    # Deficit 20 of 100: bands at 8 and 13 euros; 50% of 5 rounds to 3, plus 100% of 7.
    result = calculate_vangnet(2030, 100, 120, [0, 0], regime="test-2030", regimes=regimes)
    assert result.vangnet == 10


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"2018": {"voorwaarden": {"drempel_pc": 6.0}}}, ["unknown key", "did you mean"]),
        (
            {"2018": {"voorwaarden": {"zekerheid": "zeker"}}},
            ["regimes.2018.voorwaarden.zekerheid", "'zeker'"],
        ),
        ({"2018": {"vergoeding": {"schijven": []}}}, ["regimes.2018.vergoeding.schijven"]),
        ({"verruimd-2025": {"standaard": True}}, ["regimes.verruimd-2025", "standaard"]),
        ({"2017": {"laatste_jaar": 2016}}, ["regimes.2017.laatste_jaar = 2016", "eerste_jaar"]),
        ({"new": {"eerste_jaar": 2030}}, ["missing key 'regimes.new.voorwaarden'"]),
    ],
)
def test_a_bad_override_names_its_origin_and_key_path(override: dict, words: list[str]) -> None:
    with pytest.raises(ScenarioError) as caught:
        merge_regimes(default_regimes(), override, origin="scenarios/eigen.toml")
    text = "\n".join(caught.value.problems)
    assert all(p.startswith("scenarios/eigen.toml: ") for p in caught.value.problems)
    for word in words:
        assert word in text


def test_tiers_must_be_contiguous_and_shares_honest(tmp_path: Path) -> None:
    shipped = resources.files("simbijstand.scenario") / "vangnet_regimes.toml"
    text = shipped.read_text(encoding="utf-8")
    text = text.replace("van_pct = 10.0\ntot_pct = 12.5", "van_pct = 11.0\ntot_pct = 12.5", 1)
    text = text.replace('aandeel = "onbekend"', "aandeel = 0.5", 1)
    path = tmp_path / "regimes.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_regimes(path)
    text = "\n".join(caught.value.problems)
    assert f"{path}: regimes.2015.vergoeding.schijven[3].van_pct = 11.0: must be 10.0" in text
    assert "verruimd-2025.vergoeding.schijven[1]: aandeel = 0.5 with zekerheid = 'onbekend'" in text


def test_the_shipped_file_is_what_default_regimes_reads() -> None:
    assert isinstance(default_regimes(), RegimeSet)
    assert default_regimes() is default_regimes()  # read once


# --- properties -----------------------------------------------------------------------------

KNOWN_YEARS = st.integers(min_value=2015, max_value=2035)
BUDGETS = st.integers(min_value=1_000, max_value=2_000_000_000)


def previous_for(year: int, budget: int, draw: Callable[..., Any]) -> list[int]:
    """Results of the years before that any multi-year condition accepts, or arbitrary ones."""
    count = len(required_previous_years(year))
    return draw(st.lists(st.integers(-budget, budget), min_size=count, max_size=count))


def generous(year: int, budget: int) -> list[int]:
    """Previous deficits so large that the multi-year condition surely holds."""
    return [budget] * len(required_previous_years(year))


def threshold_eur(year: int, budget: int) -> Fraction:
    _, regime = select_regime(default_regimes(), year)
    return Fraction(str(regime.voorwaarden.drempel_pct)) * budget / 100


def boundaries_eur(year: int, budget: int) -> list[int]:
    result = calculate_vangnet(year, budget, budget * 3, generous(year, budget))
    return [t.from_eur for t in result.tiers if t.from_eur > 0]


@FAST
@given(KNOWN_YEARS, BUDGETS, st.data())
def test_vangnet_is_zero_at_or_below_the_threshold(
    year: int, budget: int, data: st.DataObject
) -> None:
    top = math.floor(threshold_eur(year, budget))  # at or below the exact threshold
    deficit = data.draw(st.just(top) | st.integers(-budget, top))  # the edge itself, often
    previous = previous_for(year, budget, data.draw)
    result = calculate_vangnet(year, budget, budget + deficit, previous)
    assert not result.meets_single_year
    assert result.vangnet == 0 and result.remaining_deficit == deficit


@FAST
@given(KNOWN_YEARS, BUDGETS, st.data())
def test_vangnet_never_exceeds_the_deficit(year: int, budget: int, data: st.DataObject) -> None:
    deficit = data.draw(st.integers(-budget, 3 * budget))
    previous = data.draw(
        st.sampled_from([generous(year, budget), previous_for(year, budget, data.draw)])
    )
    result = calculate_vangnet(year, budget, budget + deficit, previous)
    assert result.vangnet is not None
    assert 0 <= result.vangnet <= max(deficit, 0)
    assert result.remaining_deficit == deficit - result.vangnet
    assert sum(t.amount or 0 for t in result.tiers) == result.vangnet


@FAST
@given(KNOWN_YEARS, BUDGETS, st.data())
def test_vangnet_never_decreases_when_expenditure_rises(
    year: int, budget: int, data: st.DataObject
) -> None:
    previous = previous_for(year, budget, data.draw)
    low = data.draw(st.integers(0, 3 * budget))
    high = data.draw(st.integers(low, 3 * budget))
    lower = calculate_vangnet(year, budget, low, previous).vangnet
    higher = calculate_vangnet(year, budget, high, previous).vangnet
    assert lower is not None and higher is not None
    assert lower <= higher


@FAST
@given(KNOWN_YEARS, BUDGETS, st.data())
def test_vangnet_is_continuous_at_tier_boundaries(
    year: int, budget: int, data: st.DataObject
) -> None:
    # One euro more deficit adds at most one euro of vangnet (shares are at most 1, and each
    # tier is rounded half-up), also where a band begins and at the entry threshold.
    boundaries = [*boundaries_eur(year, budget), math.floor(threshold_eur(year, budget))]
    boundary = data.draw(st.sampled_from(boundaries))
    previous = generous(year, budget)

    def vangnet(deficit: int) -> int:
        value = calculate_vangnet(year, budget, budget + deficit, previous).vangnet
        assert value is not None
        return value

    steps = [vangnet(boundary + k + 1) - vangnet(boundary + k) for k in (-2, -1, 0, 1)]
    assert all(0 <= step <= 1 for step in steps), steps


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.floats(-1e15, 1e15, allow_nan=False),
        st.integers(-(10**6), 10**6).map(lambda n: n + 0.5),  # every tie
        st.decimals(-(10**12), 10**12, allow_nan=False, allow_infinity=False, places=3),
    )
)
def test_whole_euros_round_the_exact_amount_half_away_from_zero(value: float | Decimal) -> None:
    from simbijstand.finance import vangnet

    exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    magnitude = math.floor(abs(exact) + Fraction(1, 2))
    assert vangnet._whole_euros(value, "x") == (magnitude if exact >= 0 else -magnitude)
