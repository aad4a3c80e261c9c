"""The dated-value type: periods from scenario keys, what holds where no period is given, what is
carried beyond the last known date, and linear paths that agree with numpy.interp bit for bit."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simbijstand.domain.dated import Carry, DatedValue, NotGivenError, Period, interpolate
from simbijstand.scenario.money import value_for_year

FAST = settings(max_examples=200, deadline=None)
DAYS = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2045, 12, 31))
MONTH_STARTS = st.builds(dt.date, st.integers(2000, 2040), st.integers(1, 12), st.just(1))
VALUES = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def monthly(draw: st.DrawFn, before: Carry = Carry.HOLD, carry: Carry = Carry.HOLD) -> DatedValue:
    """A value given for some distinct months (gaps allowed), in any order."""
    starts = draw(st.lists(MONTH_STARTS, min_size=1, max_size=8, unique=True))
    table = {f"{d.year:04d}-{d.month:02d}": draw(VALUES) for d in starts}
    return DatedValue.from_keys("test", table, before=before, carry=carry)


def test_keys_parse_to_the_periods_they_name() -> None:
    assert Period.parse("2024") == Period(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert Period.parse("2024-1") == Period(dt.date(2024, 1, 1), dt.date(2024, 7, 1))
    assert Period.parse("2024-2") == Period(dt.date(2024, 7, 1), dt.date(2025, 1, 1))
    assert Period.parse("2024-12") == Period(dt.date(2024, 12, 1), dt.date(2025, 1, 1))
    assert Period.parse("2024-02-29") == Period(dt.date(2024, 2, 29), dt.date(2024, 3, 1))
    for bad in ("24", "2024-3", "2024-7-1", "2024/07"):
        with pytest.raises(ValueError, match="expected a year"):
            Period.parse(bad)


@FAST
@given(monthly(), DAYS)
def test_with_hold_a_day_gets_the_value_of_the_latest_start_at_or_before_it(
    value: DatedValue, day: dt.date
) -> None:
    started = [(p.start, v) for p, v in value.entries if p.start <= day]
    expected = started[-1][1] if started else value.entries[0][1]
    assert value.at(day) == expected


@FAST
@given(monthly(before=Carry.NONE, carry=Carry.NONE), DAYS)
def test_with_none_only_the_given_periods_have_a_value(value: DatedValue, day: dt.date) -> None:
    inside = [v for p, v in value.entries if day in p]
    assert value.get(day) == (inside[0] if inside else None)
    if not inside:
        with pytest.raises(NotGivenError, match=f"test: no value on {day}"):
            value.at(day)


@FAST
@given(monthly(), DAYS)
def test_a_value_is_carried_exactly_beyond_the_last_known_date(
    value: DatedValue, day: dt.date
) -> None:
    last_period, last_value = value.entries[-1]
    assert value.last_known == last_period.end
    assert value.is_carried(day) == (day >= last_period.end)
    if value.is_carried(day):
        assert value.at(day) == last_value


def test_default_fills_every_day_no_period_covers_and_counts_as_carried_after() -> None:
    rises = DatedValue.from_keys(
        "rises",
        {"2023-07": 0.03, "2025": 0.02},
        before=Carry.DEFAULT,
        carry=Carry.DEFAULT,
        default=0.01,
    )
    assert rises.at(dt.date(2023, 1, 1)) == 0.01  # before the first
    assert rises.at(dt.date(2023, 7, 20)) == 0.03
    assert rises.at(dt.date(2024, 3, 1)) == 0.01  # between
    assert rises.at(dt.date(2025, 12, 31)) == 0.02
    assert rises.at(dt.date(2026, 1, 1)) == 0.01
    assert not rises.is_carried(dt.date(2024, 3, 1))
    assert rises.is_carried(dt.date(2026, 1, 1))
    assert rises.starting_in(Period.year(2023)) == [(dt.date(2023, 7, 1), 0.03)]
    assert rises.starting_in(Period.year(2024)) == []


def test_a_value_for_all_time_holds_everywhere_and_is_never_carried() -> None:
    always = DatedValue.always("rate", 0.5)
    assert always.at(dt.date(1900, 1, 1)) == always.at(dt.date(2100, 1, 1)) == 0.5
    assert always.last_known is None and not always.is_carried(dt.date(2100, 1, 1))


def test_nothing_is_carried_where_nothing_holds() -> None:
    closed = DatedValue("regime", ((Period.years(2015, 2018), True),), Carry.NONE, Carry.NONE)
    assert closed.get(dt.date(2018, 12, 31)) is True
    assert closed.get(dt.date(2019, 1, 1)) is None
    assert not closed.is_carried(dt.date(2019, 1, 1))


def test_policies_and_periods_are_checked_when_made() -> None:
    with pytest.raises(ValueError, match="overlap"):
        DatedValue.from_keys("x", {"2024": 1, "2024-07": 2}, before=Carry.NONE, carry=Carry.NONE)
    with pytest.raises(ValueError, match="default exactly when"):
        DatedValue.from_keys("x", {"2024": 1}, before=Carry.DEFAULT, carry=Carry.NONE)
    with pytest.raises(ValueError, match="default exactly when"):
        DatedValue.from_keys("x", {"2024": 1}, before=Carry.NONE, carry=Carry.HOLD, default=0)
    with pytest.raises(ValueError, match="must end after"):
        Period(dt.date(2024, 2, 1), dt.date(2024, 1, 1))


@FAST
@given(monthly(), st.lists(MONTH_STARTS, min_size=1, max_size=20))
def test_a_linear_path_is_numpy_interp_to_the_last_bit(
    value: DatedValue, days: list[dt.date]
) -> None:
    def index(day: dt.date) -> int:
        return day.year * 12 + day.month - 1

    knots = np.array([index(p.start) for p, _ in value.entries], dtype=float)
    levels = np.array([v for _, v in value.entries])
    expected = np.interp(np.array([index(d) for d in days], dtype=float), knots, levels)
    assert [interpolate(value, d) for d in days] == expected.tolist()


def test_a_linear_path_counts_months_and_is_flat_outside() -> None:
    rate = DatedValue.from_keys(
        "werkloosheid", {"2021-01": 4.0, "2021-05": 8.0}, before=Carry.HOLD, carry=Carry.HOLD
    )
    months = [dt.date(2020, 12, 1), *(dt.date(2021, m, 1) for m in range(1, 8))]
    assert [interpolate(rate, d) for d in months] == [4.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0, 8.0]
    assert rate.is_carried(dt.date(2021, 6, 1)) and not rate.is_carried(dt.date(2021, 5, 31))


def test_a_table_by_year_holds_for_its_own_years_only() -> None:
    table = {"2021": 1.0, "2023": 3.0}
    assert [value_for_year(table, y) for y in range(2020, 2025)] == [None, 1.0, None, 3.0, None]
    assert value_for_year(2.5, 1999) == 2.5
    assert value_for_year(None, 2021) is None
